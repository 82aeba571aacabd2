using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;
using static OtpEmail.Admin.Tests.Infrastructure.Data.DbWriterTests;

namespace OtpEmail.Admin.Tests.Features.Bulk;

/// <summary>
/// On PostgreSQL a job's rows are written in the lanes of their users, beside the job's cancel: once the cancel is
/// committed no further row is added all the same, for a row's read of the job as running holds the job's row
/// until the row's commit; and the cancel's event counts the rows it waited for. The test holds a row's write open
/// (in a writer of its own) and cancels through the app.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class BulkCancelPostgresTests(PostgresApiFixture fixture)
{
    [Fact]
    public async Task ACancelWaitsForTheRowThatReadTheJobAsRunningCountsItAndARowAfterItFindsNothingToDo()
    {
        var job = await RunningJobAsync();
        await using var writer = DbWriterPostgresTests.NewWriter(fixture.App.Services, lanes: 2);
        var (read, release) = (new TaskCompletionSource<int>(), new TaskCompletionSource());
        var first = writer.WriteAsync(Stage<bool>(async db =>
        {
            var found = await ToDoAsync(db, job, 1);
            await db.BulkJobRows.Where(r => r.JobId == job && r.Row == 1).ExecuteUpdateAsync(set => set.SetProperty(r => r.Outcome, BulkRowOutcome.Ok));
            read.TrySetResult(await db.Database.SqlQuery<int>($"""SELECT pg_backend_pid() AS "Value" """).SingleAsync());
            await release.Task; // the row's transaction stays open, as while its add is staged and committed
            return found;
        }), CancellationToken.None);
        var rowSession = await read.Task;

        var cancel = CancelAsync(job);
        try
        {
            await Eventually.TrueAsync(() => CancelWaitsForAsync(rowSession), "the cancel to wait for the row that read the job as running");
            Assert.False(cancel.IsCompleted, "the cancel was committed while a row that read the job as running was not");
        }
        finally
        {
            release.TrySetResult(); // else the writer would wait for the held write when it is disposed
        }

        Assert.True((await first).Value);
        Assert.Equal(BulkJobState.Cancelled, (await cancel).Value.State);
        Assert.Contains("\"succeeded\":1,", await FinishedEventAsync(job)); // the row committed while the cancel waited
        Assert.False((await writer.WriteAsync(Stage<bool>(db => ToDoAsync(db, job, 2)), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task ARowWhoseSnapshotIsOlderThanTheCancelRunsAgainAndFindsTheJobCancelled()
    {
        var job = await RunningJobAsync();
        await using var writer = DbWriterPostgresTests.NewWriter(fixture.App.Services);
        var runs = 0;

        var found = await writer.WriteAsync(Stage<bool>(async db =>
        {
            runs++;
            await db.BulkJobRows.AnyAsync(r => r.JobId == job); // the transaction's snapshot: the job still running
            if (runs == 1)
            {
                Assert.Equal(BulkJobState.Cancelled, (await CancelAsync(job)).Value.State);
            }

            return await ToDoAsync(db, job, 1);
        }), CancellationToken.None);

        Assert.False(found.Value);
        Assert.Equal(2, runs);
    }

    private static async Task<Staged<bool>> ToDoAsync(AppDbContext db, long job, int row) =>
        await (await BulkRunner.ToDo.AskAsync(db, [job, row], CancellationToken.None)).FoundAsync(db, CancellationToken.None);

    // Who started the test's jobs: the cancel is theirs to make.
    private static readonly Caller Starter = new(ApiClient.Admin, ApiClient.Admin, new HashSet<string>(), null);

    // A running job of two pending rows of a user of the app's database, held by a runner that is not the app's (so the app's runner leaves it alone).
    private async Task<long> RunningJobAsync()
    {
        var job = 2_000_000_000_000L + Random.Shared.Next();
        long user;
        await using (var db = fixture.App.CreateDbContext())
        {
            user = await db.Users.Select(u => u.Id).FirstAsync();
        }

        await BulkJobsLeftRunning.AddAsync(fixture.App, job, [.. Enumerable.Range(1, 2).Select(row => new BulkJobRow
        {
            JobId = job,
            Row = row,
            User = DecimalId.Format(user),
            UserId = user,
            Address = ApiClient.NewAddress(),
            Mode = "is_verified",
        })], runner: 1, leaseUntil: DateTimeOffset.UtcNow.AddHours(1));
        return job;
    }

    // The app's cancel (BulkJobs.CancelAsync), as the job's starter makes it.
    private Task<Result<BulkJobView>> CancelAsync(long job) =>
        fixture.App.Services.GetRequiredService<BulkJobs>().CancelAsync(Starter, DecimalId.Format(job), CancellationToken.None);

    // The cancel's update, waiting for the lock that the row's session holds.
    private async Task<bool> CancelWaitsForAsync(int rowSession)
    {
        await using var db = fixture.App.CreateDbContext();
        return await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM pg_stat_activity
              WHERE {rowSession} = ANY (pg_blocking_pids(pid)) AND query LIKE 'UPDATE "BulkJobs"%') AS "Value"
            """).SingleAsync();
    }

    private async Task<string> FinishedEventAsync(long job)
    {
        await using var db = fixture.App.CreateDbContext();
        return await db.Set<UserEvent>().Where(e => e.Type == BulkEvents.Finished && e.Payload.Contains($"\"jobId\":{job},"))
            .Select(e => e.Payload).SingleAsync();
    }
}
