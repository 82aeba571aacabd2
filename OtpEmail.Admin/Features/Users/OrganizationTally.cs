using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// An organization's running totals as counted by one writer (<see cref="Shard"/>: an instance's
/// number, plus 256 for each lane of its writer past the first, see <see cref="AppDbContext.WriterLane"/>);
/// the figure is the sum over the rows, so that instances sharing a database, and the lanes of one,
/// never update one row.
/// </summary>
public sealed class OrganizationTotal
{
    public long OrganizationId { get; set; }

    public int Shard { get; set; }

    public long Users { get; set; }

    /// <summary>Users with at least one ready OTP Email authenticator.</summary>
    public long WithReady { get; set; }

    /// <summary>Users whose live OTP Email authenticators are all pending.</summary>
    public long WithOnlyPending { get; set; }
}

/// <summary>What happened in an organization in one hour (<see cref="Hour"/>: hours since 1970, UTC), as counted by one writer (see <see cref="OrganizationTotal"/>).</summary>
public sealed class OrganizationHour
{
    public long OrganizationId { get; set; }

    public long Hour { get; set; }

    public int Shard { get; set; }

    public long Added { get; set; }

    public long Verified { get; set; }

    public long Removed { get; set; }

    public long MailsSent { get; set; }

    public long MailsFailed { get; set; }
}

/// <summary>A change to an organization's counts: totals moved and things that happened.</summary>
public readonly record struct TallyChange(
    long Users = 0, long WithReady = 0, long WithOnlyPending = 0, long Added = 0, long Verified = 0, long Removed = 0, long MailsSent = 0, long MailsFailed = 0)
{
    public bool MovesTotals => Users != 0 || WithReady != 0 || WithOnlyPending != 0;

    public bool Happened => Added != 0 || Verified != 0 || Removed != 0 || MailsSent != 0 || MailsFailed != 0;
}

/// <summary>
/// Keeps the organizations' counts for the overview in the same commit as each change that moves
/// them: a stage calls <see cref="CountAsync"/> once it has decided to change, and the counts move by
/// an atomic upsert (<c>n = n + x</c>) on this writer's own row, never by reading and writing back; on
/// PostgreSQL once a row a commit, with what all of its stages counted (<see cref="PreparedStatement.SumAsync"/>).
/// </summary>
public sealed class OrganizationTally(IdGenerator ids)
{
    private static readonly PreparedStatement Totals = new("""
        INSERT INTO "OrganizationTotals" ("OrganizationId", "Shard", "Users", "WithReady", "WithOnlyPending") VALUES (@p0, @p1, @p2, @p3, @p4)
        ON CONFLICT ("OrganizationId", "Shard") DO UPDATE SET
          "Users" = "OrganizationTotals"."Users" + excluded."Users",
          "WithReady" = "OrganizationTotals"."WithReady" + excluded."WithReady",
          "WithOnlyPending" = "OrganizationTotals"."WithOnlyPending" + excluded."WithOnlyPending"
        """, 5);

    private static readonly PreparedStatement Hours = new("""
        INSERT INTO "OrganizationHours" ("OrganizationId", "Hour", "Shard", "Added", "Verified", "Removed", "MailsSent", "MailsFailed")
        VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)
        ON CONFLICT ("OrganizationId", "Hour", "Shard") DO UPDATE SET
          "Added" = "OrganizationHours"."Added" + excluded."Added",
          "Verified" = "OrganizationHours"."Verified" + excluded."Verified",
          "Removed" = "OrganizationHours"."Removed" + excluded."Removed",
          "MailsSent" = "OrganizationHours"."MailsSent" + excluded."MailsSent",
          "MailsFailed" = "OrganizationHours"."MailsFailed" + excluded."MailsFailed"
        """, 8);

    /// <summary>The hour <paramref name="at"/> falls in, as <see cref="OrganizationHour.Hour"/> counts.</summary>
    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 3_600_000;

    // The rows of the writer on the context: the instance's number, in a block of numbers of each lane's own.
    private int ShardOf(AppDbContext db) => ids.InstanceNumber + (IdGenerator.Instances * db.WriterLane);

    public async Task CountAsync(AppDbContext db, long organizationId, DateTimeOffset at, TallyChange change, CancellationToken cancellationToken)
    {
        var shard = ShardOf(db);
        if (change.MovesTotals)
        {
            await Totals.SumAsync(db, [organizationId, shard, change.Users, change.WithReady, change.WithOnlyPending], 2, cancellationToken);
        }

        if (change.Happened)
        {
            await Hours.SumAsync(db,
                [organizationId, HourOf(at), shard, change.Added, change.Verified, change.Removed, change.MailsSent, change.MailsFailed], 3, cancellationToken);
        }
    }
}

/// <summary>An organization's counts now: the sum of its instances' rows.</summary>
public sealed record OrganizationCounts(long OrganizationId, long Users, long WithReady, long WithOnlyPending);

/// <summary>What happened in one hour across some organizations.</summary>
public sealed record HourCounts(long Hour, long Added, long Verified, long Removed, long MailsSent, long MailsFailed);

/// <summary>Reads the counts <see cref="OrganizationTally"/> keeps: a few rows per organization, never the users themselves.</summary>
public static class OrganizationCountsRead
{
    public static async Task<List<OrganizationCounts>> TotalsAsync(AppDbContext db, IReadOnlyCollection<long> organizationIds, CancellationToken cancellationToken) =>
        await db.OrganizationTotals.AsNoTracking()
            .Where(t => organizationIds.Contains(t.OrganizationId))
            .GroupBy(t => t.OrganizationId)
            .Select(g => new OrganizationCounts(g.Key, g.Sum(t => t.Users), g.Sum(t => t.WithReady), g.Sum(t => t.WithOnlyPending)))
            .ToListAsync(cancellationToken);

    /// <summary>The hours from <paramref name="fromHour"/> on, summed over the organizations, in order.</summary>
    public static async Task<List<HourCounts>> HoursAsync(AppDbContext db, IReadOnlyCollection<long> organizationIds, long fromHour, CancellationToken cancellationToken)
    {
        var hours = await db.OrganizationHours.AsNoTracking()
            .Where(h => organizationIds.Contains(h.OrganizationId) && h.Hour >= fromHour)
            .GroupBy(h => h.Hour)
            .Select(g => new HourCounts(g.Key, g.Sum(h => h.Added), g.Sum(h => h.Verified), g.Sum(h => h.Removed), g.Sum(h => h.MailsSent), g.Sum(h => h.MailsFailed)))
            .ToListAsync(cancellationToken);
        return [.. hours.OrderBy(h => h.Hour)];
    }
}

internal sealed class OrganizationTotalConfiguration : IEntityTypeConfiguration<OrganizationTotal>
{
    public void Configure(EntityTypeBuilder<OrganizationTotal> builder)
    {
        builder.ToTable("OrganizationTotals");
        builder.HasKey(t => new { t.OrganizationId, t.Shard });
        builder.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OrganizationHourConfiguration : IEntityTypeConfiguration<OrganizationHour>
{
    public void Configure(EntityTypeBuilder<OrganizationHour> builder)
    {
        builder.ToTable("OrganizationHours");
        builder.HasKey(h => new { h.OrganizationId, h.Hour, h.Shard }); // an organization's hours in order: the chart's and the last day's range
        builder.HasOne<Organization>().WithMany().HasForeignKey(h => h.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
