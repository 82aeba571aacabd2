using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>How many live OTP Email authenticators a user has, ready and pending: the user's place in the overview's counts.</summary>
public sealed class UserEnrolment
{
    public long UserId { get; set; }

    public int Ready { get; set; }

    public int Pending { get; set; }
}

/// <summary>
/// Keeps each user's ready and pending authenticators counted, and with them the organization's counts
/// (users with a ready one, with only pending ones; added, verified, removed an hour), in the stage
/// of the change: a stage calls this once it has decided to change. The user's count moves by an
/// atomic upsert that returns the new figures, so the organization's move follows from them; two
/// changes of one user never interleave (each appends the user's next event, see <see cref="UserEventLog"/>).
/// </summary>
public sealed class EnrolmentCounts(OrganizationTally tally)
{
    private const string Upsert = """
        INSERT INTO "UserEnrolments" ("UserId", "Ready", "Pending") VALUES (@p0, @p1, @p2)
        ON CONFLICT ("UserId") DO UPDATE SET
          "Ready" = "UserEnrolments"."Ready" + excluded."Ready",
          "Pending" = "UserEnrolments"."Pending" + excluded."Pending"
        """;

    private static readonly PreparedStatement Move = new(Upsert + """ RETURNING "Ready", "Pending" """, 3);

    private static readonly PreparedStatement Moved = new(Upsert, 3);

    /// <summary>
    /// An authenticator added to a user whose counts the stage read with the user, in the same snapshot
    /// (<paramref name="before"/>): the new figures follow without reading them back, and on PostgreSQL
    /// the upsert goes with the stage's next command (see <see cref="DeferredWrites"/>).
    /// </summary>
    public async Task AddedAsync(AppDbContext db, User user, bool ready, UserEnrolment before, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var (readyMove, pendingMove) = (ready ? 1 : 0, ready ? 0 : 1);
        await Moved.ExecuteAsync(db, [user.Id, readyMove, pendingMove], cancellationToken);
        await CountAsync(db, user, (before.Ready, before.Pending), (before.Ready + readyMove, before.Pending + pendingMove), at,
            new TallyChange(Added: 1, Verified: ready ? 1 : 0), cancellationToken);
    }

    public Task VerifiedAsync(AppDbContext db, User user, DateTimeOffset at, CancellationToken cancellationToken) =>
        MoveAsync(db, user, 1, -1, at, new TallyChange(Verified: 1), cancellationToken);

    public Task RemovedAsync(AppDbContext db, User user, OtpEmailState was, DateTimeOffset at, CancellationToken cancellationToken) =>
        MoveAsync(db, user, was == OtpEmailState.Ready ? -1 : 0, was == OtpEmailState.Pending ? -1 : 0, at, new TallyChange(Removed: 1), cancellationToken);

    private async Task MoveAsync(AppDbContext db, User user, int ready, int pending, DateTimeOffset at, TallyChange happened, CancellationToken cancellationToken)
    {
        int readyNow, pendingNow;
        await using (var row = await Move.ExecuteReaderAsync(db, [user.Id, ready, pending], cancellationToken))
        {
            await row.ReadAsync(cancellationToken);
            (readyNow, pendingNow) = (row.GetInt32(0), row.GetInt32(1));
        }

        await CountAsync(db, user, (readyNow - ready, pendingNow - pending), (readyNow, pendingNow), at, happened, cancellationToken);
    }

    // The organization's counts move by where the user was before and is now.
    private Task CountAsync(
        AppDbContext db, User user, (int Ready, int Pending) was, (int Ready, int Pending) now, DateTimeOffset at, TallyChange happened, CancellationToken cancellationToken)
    {
        var (before, after) = (Place(was.Ready, was.Pending), Place(now.Ready, now.Pending));
        return tally.CountAsync(db, user.OrganizationId, at, happened with
        {
            WithReady = Is(after, Enrolled.Ready) - Is(before, Enrolled.Ready),
            WithOnlyPending = Is(after, Enrolled.OnlyPending) - Is(before, Enrolled.OnlyPending),
        }, cancellationToken);
    }

    private enum Enrolled
    {
        None,
        OnlyPending,
        Ready,
    }

    private static Enrolled Place(int ready, int pending) => ready > 0 ? Enrolled.Ready : pending > 0 ? Enrolled.OnlyPending : Enrolled.None;

    private static int Is(Enrolled place, Enrolled which) => place == which ? 1 : 0;
}

internal sealed class UserEnrolmentConfiguration : IEntityTypeConfiguration<UserEnrolment>
{
    public void Configure(EntityTypeBuilder<UserEnrolment> builder)
    {
        builder.ToTable("UserEnrolments");
        builder.HasKey(e => e.UserId);
        builder.Property(e => e.UserId).ValueGeneratedNever();
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
