using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;
using static OtpEmail.Admin.Tests.Infrastructure.Data.DbWriterTests;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// The writer on PostgreSQL, where another instance can change a row between a stage's read and its
/// save: here the test does, from a connection of its own, while the stage runs.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class DbWriterPostgresTests(PostgresApiFixture fixture) : IAsyncLifetime
{
    private static readonly PreparedInsert<RecipientMailCount> Insert = new();

    private readonly DbWriter _writer = NewWriter(fixture.App.Services);

    /// <summary>A writer of the test's own on the app's database, beside the app's.</summary>
    internal static DbWriter NewWriter(IServiceProvider services, int lanes = 1) =>
        new(services.GetRequiredService<IDbContextFactory<AppDbContext>>(), services.GetRequiredService<DatabaseOutage>(), NullLogger<DbWriter>.Instance, lanes: lanes);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _writer.DisposeAsync();

    [Fact]
    public async Task AStageWhoseRowAnotherInstanceChangedMeanwhileRunsAgainOnWhatIsNowStored()
    {
        var address = NewAddress();
        await OtherInstanceAsync(db => db.Set<RecipientMailCount>().Add(Row(address)));
        var runs = 0;

        var counted = await _writer.WriteAsync(Stage(async db =>
        {
            runs++;
            var row = await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == address);
            if (runs == 1)
            {
                await OtherInstanceAsync(other => other.Set<RecipientMailCount>().Single(c => c.Address == address).Count++);
            }

            row.Count++;
            return (Staged<int>)row.Count;
        }), CancellationToken.None);

        Assert.Equal(3, counted.Value);
        Assert.Equal(2, runs);
        Assert.Equal(3, await StoredCountAsync(address));
    }

    [Fact]
    public async Task AStageWhoseUniqueValueAnotherInstanceTookMeanwhileRunsAgainAndSeesItTaken()
    {
        var address = NewAddress();
        var taken = AppError.Exists("TEST-TAKEN", "Taken");
        var runs = 0;

        var inserted = await _writer.WriteAsync(Stage<string>(async db =>
        {
            runs++;
            if (await db.Set<RecipientMailCount>().AnyAsync(c => c.Address == address))
            {
                return taken;
            }

            if (runs == 1)
            {
                await OtherInstanceAsync(other => other.Set<RecipientMailCount>().Add(Row(address)));
            }

            await Insert.ExecuteAsync(db, Row(address, 5), CancellationToken.None);
            return address;
        }), CancellationToken.None);

        Assert.Equal(taken, inserted.Error);
        Assert.Equal(2, runs);
        Assert.Equal(1, await StoredCountAsync(address));
    }

    [Fact]
    public async Task WritesAboutUsersOfDifferentLanesCommitAtOnceAndWritesAboutOneUserInTheOrderTheyCame()
    {
        await using var writer = NewWriter(fixture.App.Services, lanes: 2);
        var (user, other) = UsersOfTwoLanes();
        var (started, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        List<string> ran = [];

        var held = writer.WriteAsync(Stage<bool>(async _ =>
        {
            Ran("first of the user");
            started.SetResult();
            await release.Task;
            Ran("first of the user, released");
            return true;
        }), CancellationToken.None, new InOrderWith(user));
        await started.Task;
        var next = writer.WriteAsync(Stage(_ => Task.FromResult<Staged<bool>>(Ran("next of the user"))), CancellationToken.None, new InOrderWith(user));
        var another = writer.WriteAsync(Stage(_ => Task.FromResult<Staged<bool>>(Ran("other user"))), CancellationToken.None, new InOrderWith(other));

        try
        {
            Assert.True((await another.WaitAsync(TimeSpan.FromSeconds(30))).Value, "the other user's write was committed while the first lane was held");
        }
        finally
        {
            release.SetResult(); // else the writer would wait for the held write when it is disposed
        }

        await Task.WhenAll(held, next);
        Assert.Equal(["first of the user", "other user", "first of the user, released", "next of the user"], ran);

        bool Ran(string what)
        {
            lock (ran)
            {
                ran.Add(what);
            }

            return true;
        }
    }

    [Fact]
    public async Task TwoLanesCountingForOneOrganizationAtOnceEachMoveARowOfTheirOwn()
    {
        await using var writer = NewWriter(fixture.App.Services, lanes: 2);
        var tally = fixture.App.Services.GetRequiredService<OrganizationTally>();
        var (organization, hour) = await CountingPlaceAsync(fixture);
        var release = new TaskCompletionSource();
        var counted = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var (user, other) = UsersOfTwoLanes();

        var writes = new[] { user, other }.Select((key, i) => writer.WriteAsync(Stage<bool>(async db =>
        {
            await tally.CountAsync(db, organization, hour, new TallyChange(Added: 1), CancellationToken.None); // sent with the commit
            counted[i].SetResult();
            await release.Task; // both transactions open at once
            return true;
        }), CancellationToken.None, new InOrderWith(key))).ToArray();

        try
        {
            await Task.WhenAll(counted.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            release.SetResult();
        }

        // Were both lanes to move one row, the later commit would wait for the earlier and then run again: one row of 2.
        Assert.All(await Task.WhenAll(writes), written => Assert.True(written.Value));
        await using var db = fixture.App.CreateDbContext();
        var rows = await db.OrganizationHours.AsNoTracking()
            .Where(h => h.OrganizationId == organization && h.Hour == OrganizationTally.HourOf(hour)).OrderBy(h => h.Shard).ToListAsync();
        Assert.Equal([1L, 1L], rows.Select(h => h.Added));
        Assert.Equal(IdGenerator.Instances, rows[1].Shard - rows[0].Shard);
    }

    [Fact]
    public async Task TwoLanesThatTakeTwoRowsInOppositeOrdersDeadlockAndTheOneAbortedRunsAgain()
    {
        await using var writer = NewWriter(fixture.App.Services, lanes: 2);
        var (first, second) = (NewAddress(), NewAddress());
        await OtherInstanceAsync(db => db.Set<RecipientMailCount>().AddRange(Row(first), Row(second)));
        var (user, other) = UsersOfTwoLanes();
        var took = new[] { new TaskCompletionSource(), new TaskCompletionSource() };

        // Each counts up one row, waits until the other lane holds the other row, then counts that one up too.
        Task<Result<bool>> CountBoth(int lane, string one, string then, UserId key) => writer.WriteAsync(Stage<bool>(async db =>
        {
            await CountUpAsync(db, one);
            took[lane].TrySetResult(); // on its second run, already so
            await took[1 - lane].Task;
            await CountUpAsync(db, then);
            return true;
        }), CancellationToken.None, new InOrderWith(key));

        var written = await Task.WhenAll(CountBoth(0, first, second, user), CountBoth(1, second, first, other)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(written, result => Assert.True(result.Value));
        Assert.Equal(3, await StoredCountAsync(first));
        Assert.Equal(3, await StoredCountAsync(second));

        static Task CountUpAsync(AppDbContext db, string address) =>
            db.Set<RecipientMailCount>().Where(c => c.Address == address).ExecuteUpdateAsync(set => set.SetProperty(c => c.Count, c => c.Count + 1));
    }

    // Two users whose writes go through different lanes of two.
    private static (UserId, UserId) UsersOfTwoLanes()
    {
        var user = new UserId(Random.Shared.NextInt64(1, long.MaxValue));
        var other = Enumerable.Range(1, 1000).Select(i => new UserId(user.Value - i)).First(key => DbWriter.LaneOf(key, 2) != DbWriter.LaneOf(user, 2));
        return (user, other);
    }

    /// <summary>Where a test counts: an organization of the app's database (the counts name one) and an hour of 1970–1981 no one else counts in.</summary>
    internal static async Task<(long Organization, DateTimeOffset Hour)> CountingPlaceAsync(PostgresApiFixture fixture)
    {
        await using var db = fixture.App.CreateDbContext();
        return (await db.Organizations.Select(o => o.Id).FirstAsync(), DateTimeOffset.UnixEpoch.AddHours(Random.Shared.Next(1, 100_000)));
    }

    // A change committed by itself, on a connection of its own, as another instance would.
    private async Task OtherInstanceAsync(Action<AppDbContext> change)
    {
        await using var db = fixture.App.CreateDbContext();
        change(db);
        await db.SaveChangesAsync();
    }

    private async Task<int?> StoredCountAsync(string address)
    {
        await using var db = fixture.App.CreateDbContext();
        return await db.Set<RecipientMailCount>().Where(c => c.Address == address).Select(c => (int?)c.Count).SingleOrDefaultAsync();
    }
}
