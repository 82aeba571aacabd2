using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// The writer on the app's SQLite database, each test with a writer of its own. Its stages write
/// rows of a plain table (recipient counts: a key, and a count that is a concurrency token).
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class DbWriterTests(HandlerFixture fixture) : IAsyncLifetime
{
    private static readonly AppError Refusal = AppError.Precondition("TEST-REFUSED", "Refused by the test");
    private static readonly PreparedInsert<RecipientMailCount> Insert = new();

    private readonly LogSink _logs = new();
    private ILoggerFactory _loggers = null!;
    private DbWriter _writer = null!;

    public Task InitializeAsync()
    {
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _writer = NewWriter();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        _loggers.Dispose();
    }

    [Fact]
    public async Task StagesThatWaitTogetherShareOneContextSeeEachOthersChangesAndAreAllCommitted()
    {
        var addresses = Enumerable.Range(0, 50).Select(_ => NewAddress()).ToArray();
        var contexts = new List<DbContextId>();
        var seen = new List<int>();

        var writes = await InOneBatchAsync(_writer, addresses.Select(address => Stage(db =>
        {
            contexts.Add(db.ContextId);
            seen.Add(db.ChangeTracker.Entries<RecipientMailCount>().Count());
            db.Add(Row(address));
            return Task.FromResult<Staged<string>>(address);
        })).ToArray());

        Assert.Equal(addresses, (await Task.WhenAll(writes)).Select(answer => answer.Value));
        Assert.Single(contexts.Distinct());
        Assert.Equal(Enumerable.Range(0, 50), seen);
        foreach (var address in addresses)
        {
            Assert.Equal(1, await StoredCountAsync(address));
        }
    }

    [Fact]
    public async Task WhenOneStageOfABatchConflictsTheOthersAreCommittedEachByItself()
    {
        var (first, taken, last) = (NewAddress(), NewAddress(), NewAddress());
        await StoreAsync(Row(taken));
        var runs = new Dictionary<string, int>();
        Func<AppDbContext, CancellationToken, Task<Staged<string>>> Add(string address) => Stage(db =>
        {
            runs[address] = runs.GetValueOrDefault(address) + 1;
            db.Add(Row(address, 2)); // no look first: the key may be taken
            return Task.FromResult<Staged<string>>(address);
        });

        var writes = await InOneBatchAsync(_writer, Add(first), Add(taken), Add(last));

        Assert.Equal(first, (await writes[0]).Value);
        Assert.Equal(last, (await writes[2]).Value);
        Assert.Equal((ErrorCode.Aborted, "WRITE-CONFLICT"), ((await writes[1]).Error?.Code, (await writes[1]).Error?.Id)); // a collision through every attempt: try again, never a 500
        Assert.Equal(1 + 5, runs[taken]); // in the batch, then five times by itself
        Assert.Equal(2, runs[first]); // in the batch, then by itself
        Assert.Equal(2, await StoredCountAsync(first));
        Assert.Equal(2, await StoredCountAsync(last));
        Assert.Equal(1, await StoredCountAsync(taken));
    }

    public static TheoryData<string> Changes => ["tracked add", "tracked modification", "tracked removal", "prepared insert", "statement"];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task ARefusalThatChangedSomethingInABatchKeepsNothingLogsItsCallerAndTheOthersAreCommitted(string change)
    {
        var (before, after, target) = (NewAddress(), NewAddress(), NewAddress());
        if (change is not ("tracked add" or "prepared insert"))
        {
            await StoreAsync(Row(target));
        }

        var writes = await InOneBatchAsync(_writer, AddStage(before), Stage<string>(async db =>
        {
            switch (change)
            {
                case "tracked add":
                    db.Add(Row(target, 7));
                    break;
                case "tracked modification":
                    (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == target)).Count = 7;
                    break;
                case "tracked removal":
                    db.Remove(await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == target));
                    break;
                case "prepared insert":
                    await Insert.ExecuteAsync(db, Row(target, 7), CancellationToken.None);
                    break;
                default:
                    await db.Set<RecipientMailCount>().Where(c => c.Address == target).ExecuteUpdateAsync(set => set.SetProperty(c => c.Count, 7));
                    break;
            }

            return Refusal; // against the rule: it changed something first
        }), AddStage(after));

        Assert.Equal(Refusal, (await writes[1]).Error);
        Assert.Equal(change is "tracked add" or "prepared insert" ? null : (int?)1, await StoredCountAsync(target));
        Assert.Equal(before, (await writes[0]).Value);
        Assert.Equal(after, (await writes[2]).Value);
        Assert.Equal(1, await StoredCountAsync(before));
        Assert.Equal(1, await StoredCountAsync(after));
        Assert.Contains(_logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains($"{nameof(DbWriterTests)}.{nameof(ARefusalThatChangedSomethingInABatchKeepsNothingLogsItsCallerAndTheOthersAreCommitted)}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusalThatModifiedWhatAnEarlierStageHadReadKeepsNothing()
    {
        var (target, after) = (NewAddress(), NewAddress());
        await StoreAsync(Row(target));

        var writes = await InOneBatchAsync(_writer,
            Stage(async db =>
            {
                await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == target); // tracked, unchanged
                return (Staged<string>)target;
            }),
            Stage<string>(async db =>
            {
                // The one an earlier stage of the batch holds, else the stored one (as CodeIssuer finds a count).
                var row = db.Set<RecipientMailCount>().Local.FirstOrDefault(c => c.Address == target)
                    ?? await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == target);
                row.Count = 7;
                return Refusal;
            }),
            AddStage(after));

        Assert.Equal(Refusal, (await writes[1]).Error);
        Assert.Equal(1, await StoredCountAsync(target));
        Assert.Equal(after, (await writes[2]).Value);
        Assert.Contains(_logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusalThatOnlyReadIsAnsweredWithItsBatchEvenAfterAnEarlierStageModifiedWhatItHadRead()
    {
        var (counted, read, added) = (NewAddress(), NewAddress(), NewAddress());
        await StoreAsync(Row(counted), Row(read));
        var runs = 0;

        var writes = await InOneBatchAsync(_writer,
            Stage(async db =>
            {
                runs++;
                (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == counted)).Count = 2;
                return (Staged<string>)counted;
            }),
            Stage<string>(async db =>
            {
                runs++;
                await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == read);
                await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == counted);
                return Refusal;
            }),
            AddStage(added));

        Assert.Equal(Refusal, (await writes[1]).Error);
        Assert.Equal(counted, (await writes[0]).Value);
        Assert.Equal(added, (await writes[2]).Value);
        Assert.Equal(2, runs); // once each: the batch stood
        Assert.Equal(2, await StoredCountAsync(counted));
        Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACallerThatCancelledBeforeItsWriteWasTakenIsCancelledAndNothingIsStaged()
    {
        var address = NewAddress();
        using var caller = new CancellationTokenSource();
        var ran = false;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = await HoldAsync(_writer, release.Task);

        var write = _writer.WriteAsync(Stage(db =>
        {
            ran = true;
            db.Add(Row(address));
            return Task.FromResult<Staged<string>>(address);
        }), caller.Token);
        await caller.CancelAsync();
        release.SetResult();
        await holding;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        Assert.False(ran);
        Assert.Null(await StoredCountAsync(address));
    }

    [Fact]
    public async Task ACallerThatCancelsOnceItsStageRanStillHasItsWriteCommittedWithItsBatch()
    {
        var (address, neighbour) = (NewAddress(), NewAddress());
        using var caller = new CancellationTokenSource();
        var runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = await HoldAsync(_writer, release.Task);

        var write = _writer.WriteAsync<string>(async (db, ct) =>
        {
            runs++;
            await caller.CancelAsync();
            await db.Set<RecipientMailCount>().AnyAsync(c => c.Address == address, ct);
            db.Add(Row(address));
            return address;
        }, caller.Token);
        var other = _writer.WriteAsync(AddStage(neighbour), CancellationToken.None);
        release.SetResult();
        await holding;

        Assert.Equal(address, (await write).Value);
        Assert.Equal(neighbour, (await other).Value);
        Assert.Equal(1, runs); // in the batch, which stood
        Assert.Equal(1, await StoredCountAsync(address));
    }

    [Fact]
    public async Task DisposingTheWriterWritesWhatWaitsFirstThenTakesNoMore()
    {
        var writer = NewWriter();
        var addresses = Enumerable.Range(0, 5).Select(_ => NewAddress()).ToArray();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = await HoldAsync(writer, release.Task);
        var writes = addresses.Select(address => writer.WriteAsync(AddStage(address), CancellationToken.None)).ToArray();

        var disposing = writer.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted); // the writer is still in the first write
        release.SetResult();
        await disposing;

        Assert.True(holding.IsCompletedSuccessfully);
        Assert.All(writes, write => Assert.True(write.IsCompletedSuccessfully));
        foreach (var address in addresses)
        {
            Assert.Equal(1, await StoredCountAsync(address));
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(AddStage(NewAddress()), CancellationToken.None));
    }

    [Fact]
    public async Task AStageThatLostARaceRunsAgainOnWhatIsNowStored()
    {
        var address = NewAddress();
        await StoreAsync(Row(address));
        var stale = await StoredCountAsync(address); // read before another writer counted up
        await StoreCountAsync(address, 2);
        var runs = 0;

        var counted = await _writer.WriteAsync(Stage(async db =>
        {
            runs++;
            var row = runs == 1
                ? db.Attach(Row(address, stale!.Value)).Entity // what the stage had read, no longer so
                : await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == address);
            row.Count++;
            return (Staged<int>)row.Count;
        }), CancellationToken.None);

        Assert.Equal(3, counted.Value);
        Assert.Equal(2, runs);
        Assert.Equal(3, await StoredCountAsync(address));
    }

    internal static string NewAddress() => $"{Guid.NewGuid():N}@dbwriter.test";

    internal static RecipientMailCount Row(string address, int count = 1) => new() { Address = address, WindowStart = DateTimeOffset.UnixEpoch, Count = count };

    internal static Func<AppDbContext, CancellationToken, Task<Staged<T>>> Stage<T>(Func<AppDbContext, Task<Staged<T>>> stage) => (db, _) => stage(db);

    internal static Func<AppDbContext, CancellationToken, Task<Staged<string>>> AddStage(string address) => Stage(db =>
    {
        db.Add(Row(address));
        return Task.FromResult<Staged<string>>(address);
    });

    /// <summary>
    /// Holds the writer in a write of its own until <paramref name="release"/>; once this returns, the
    /// writer is in it, and what is written meanwhile waits.
    /// </summary>
    internal static async Task<Task<Result<bool>>> HoldAsync(DbWriter writer, Task release)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = writer.WriteAsync<bool>(async (_, _) =>
        {
            entered.SetResult();
            await release;
            return true;
        }, CancellationToken.None);
        await entered.Task;
        return holding;
    }

    /// <summary>Writes the stages in one batch (the writer held while they queue), in order, named by the calling test.</summary>
    internal static async Task<Task<Result<T>>[]> InOneBatchAsync<T>(
        DbWriter writer, Func<AppDbContext, CancellationToken, Task<Staged<T>>>[] stages, [CallerFilePath] string file = "", [CallerMemberName] string member = "")
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = await HoldAsync(writer, release.Task);
        var writes = stages.Select(stage => writer.WriteAsync(stage, CancellationToken.None, callerFile: file, callerMember: member)).ToArray();
        release.SetResult();
        await holding;
        return writes;
    }

    private Task<Task<Result<T>>[]> InOneBatchAsync<T>(
        DbWriter writer, Func<AppDbContext, CancellationToken, Task<Staged<T>>> first, Func<AppDbContext, CancellationToken, Task<Staged<T>>> second,
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> third, [CallerFilePath] string file = "", [CallerMemberName] string member = "") =>
        InOneBatchAsync(writer, [first, second, third], file, member);

    private DbWriter NewWriter() => new(fixture.Get<IDbContextFactory<AppDbContext>>(), fixture.Get<DatabaseOutage>(), _loggers.CreateLogger<DbWriter>());

    private async Task StoreAsync(params RecipientMailCount[] rows)
    {
        await using var db = fixture.Db();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    private async Task StoreCountAsync(string address, int count)
    {
        await using var db = fixture.Db();
        await db.Set<RecipientMailCount>().Where(c => c.Address == address).ExecuteUpdateAsync(set => set.SetProperty(c => c.Count, count));
    }

    private async Task<int?> StoredCountAsync(string address)
    {
        await using var db = fixture.Db();
        return await db.Set<RecipientMailCount>().Where(c => c.Address == address).Select(c => (int?)c.Count).SingleOrDefaultAsync();
    }
}
