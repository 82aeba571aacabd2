using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;
using static OtpEmail.Admin.Tests.Infrastructure.Data.DbWriterTests;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// On PostgreSQL a batch fetches the reads its writes declared in one round trip at its start, and a
/// stage takes them from there only when no stage before it can have changed them. Each batch here
/// is queued while the writer is held, on a writer of the test's own; what Npgsql sends for it is
/// counted as in <see cref="DeferredWritesTests"/>.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class ReadAheadTests(PostgresApiFixture fixture)
{
    private static readonly PreparedQuery Exists = new(
        (db, arguments) => db.Set<RecipientMailCount>().AsNoTracking().Where(c => c.Address == (string)arguments[0]).Select(c => c.Address).Take(1),
        "\u0001");

    [Fact]
    public async Task TheReadsOfABatchGoToTheServerInOneRoundTripAndAnswerEachStage()
    {
        const int Writes = 10;
        var stored = Enumerable.Range(0, Writes).Select(_ => NewAddress()).ToArray();
        await StoreAsync(stored.Where((_, i) => i % 2 == 0));

        var (readOneByOne, foundOneByOne) = await LooksAsync([.. stored.Select(address => LookAndAdd(address, NewAddress(), ahead: false))]);
        var (readAhead, foundAhead) = await LooksAsync([.. stored.Select(address => LookAndAdd(address, NewAddress(), ahead: true))]);

        bool[] expected = [.. stored.Select((_, i) => i % 2 == 0)];
        Assert.Equal(expected, foundOneByOne);
        Assert.Equal(expected, foundAhead);
        Assert.True(readOneByOne >= Writes, $"{readOneByOne} round trips read one by one");
        Assert.True(readAhead <= 2, $"{readAhead} round trips read ahead: the reads, then the rows before the commit");
    }

    [Fact]
    public async Task AStageNamingAKeyOfAnEarlierOneReadsWhatThatOneWrote()
    {
        var (first, other) = (NewAddress(), NewAddress());

        var (_, found) = await LooksAsync(
            LookAndAdd(NewAddress(), first, ahead: true, key: first), // adds the row the next one looks for
            LookAndAdd(first, NewAddress(), ahead: true, key: first),
            LookAndAdd(other, NewAddress(), ahead: true, key: other));

        Assert.Equal([false, true, false], found);
    }

    [Fact]
    public async Task AWriteThatDeclaredNoReadsEndsTheReadingAhead()
    {
        var added = NewAddress();

        var (_, found) = await LooksAsync(
            LookAndAdd(NewAddress(), NewAddress(), ahead: true),
            LookAndAdd(NewAddress(), added, ahead: false), // may change anything: what follows reads afresh
            LookAndAdd(added, NewAddress(), ahead: true));

        Assert.Equal([false, false, true], found);
    }

    [Fact]
    public async Task AQuestionNotDeclaredIsAnsweredAtOnceWhenTheStagesReadsCameAhead()
    {
        var (asked, stored) = (NewAddress(), NewAddress());
        await StoreAsync([asked]);
        var runs = new int[2];
        (Func<AppDbContext, CancellationToken, Task<Staged<bool>>>, ReadAhead?) AskThenRead(int i, string read) => (async (db, ct) =>
        {
            Interlocked.Increment(ref runs[i]);
            var answer = await Exists.AskAsync(db, [asked], ct); // not among its declared reads
            await using (var row = await Exists.ExecuteReaderAsync(db, [read], ct)) // read ahead: no round trip to carry the question
            {
                await row.ReadAsync(ct);
            }

            return answer.Found;
        }, new ReadAhead([read], (Exists, [read])));

        var (_, results) = await RoundTripsAsync(AskThenRead(0, stored), AskThenRead(1, NewAddress()));

        Assert.All(results, result => Assert.True(result.Value));
        Assert.Equal([1, 1], runs); // answered in the batch, not after it failed and ran again write by write
    }

    [Fact]
    public async Task AddsToOneUserInOneBatchSeeEachOtherAndTheBatchStandsWhole()
    {
        var (user, other, address) = (await fixture.Api.CreateUserAsync(), await fixture.Api.CreateUserAsync(), ApiClient.NewAddress());

        var (_, results, runs, _) = await AddInOneBatchAsync([
            (user, SetEmail.For(address, VerificationMode.ReturnCode)),
            (user, SetEmail.For(address.ToUpperInvariant(), VerificationMode.ReturnCode)), // the same address: taken by the first
            (other, SetEmail.For(address, VerificationMode.ReturnCode))]);

        Assert.True(results[0].IsSuccess);
        Assert.Equal(OtpEmailErrors.AlreadyRegistered.Id, results[1].Error?.Id);
        Assert.True(results[2].IsSuccess);
        Assert.Equal([1, 1, 1], runs); // no stage ran twice: the batch was not refused for a stale read and run again one by one
    }

    [Fact]
    public async Task MailToOneMailboxInOneBatchIsCountedOnceEachAndTheBatchStandsWhole()
    {
        var mailbox = ApiClient.NewAddress();
        var at = mailbox.IndexOf('@');
        List<(string User, SetEmail Email)> adds = [];
        for (var i = 0; i < 3; i++)
        {
            adds.Add((await fixture.Api.CreateUserAsync(), SetEmail.For($"{mailbox[..at]}+{i}{mailbox[at..]}", VerificationMode.SendCode)));
        }

        var (_, results, runs, _) = await AddInOneBatchAsync([.. adds]);

        Assert.All(results, result => Assert.True(result.IsSuccess));
        Assert.Equal([1, 1, 1], runs);
        await using var db = fixture.App.CreateDbContext();
        Assert.Equal(3, (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == mailbox)).Count);
    }

    [Fact]
    public async Task AnAddDeclaresTheReadsItMakes()
    {
        VerificationMode[] modes = [VerificationMode.ReturnCode, VerificationMode.SendCode, VerificationMode.ReturnCode, VerificationMode.SendCode];
        List<(string User, SetEmail Email)> adds = [];
        foreach (var mode in modes)
        {
            adds.Add((await fixture.Api.CreateUserAsync(), SetEmail.For(ApiClient.NewAddress(), mode)));
        }

        var counted = adds[3].Email.Address!; // a mailbox with a count already: its row is read ahead too
        await StoreAsync([counted], DateTimeOffset.UtcNow);

        var (_, results, runs, reads) = await AddInOneBatchAsync([.. adds]);

        Assert.All(results, result => Assert.True(result.IsSuccess));
        Assert.Equal([1, 1, 1, 1], runs); // the batch stood whole
        Assert.All(reads, read => Assert.True(read.Fetched));
        Assert.All(reads, read => Assert.Equal(0, read.Unread)); // the user and, for a mail, its mailbox's count: read as declared
        await using var db = fixture.App.CreateDbContext();
        Assert.Equal(2, (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == counted)).Count);
    }

    // Adds through the app's own add (its checks, its stage, the reads it declares) in one batch of a writer of the test's own:
    // the round trips the batch took, each add's answer, how many times its stage ran and its declared reads.
    private async Task<(int RoundTrips, Result<AddOtpEmailResponse>[] Results, int[] Runs, ReadAhead[] Reads)> AddInOneBatchAsync(
        (string User, SetEmail Email)[] adds)
    {
        var handler = fixture.App.Services.GetRequiredService<AddOtpEmailHandler>();
        var runs = new int[adds.Length];
        var additions = adds.Select(add => handler.Prepare(Callers.Admin, add.User, new AddOtpEmailRequest { Email = add.Email }).Value).ToArray();
        var (roundTrips, results) = await RoundTripsAsync([.. additions.Select((addition, i) =>
            ((Func<AppDbContext, CancellationToken, Task<Staged<AddOtpEmailResponse>>>)((db, ct) =>
            {
                Interlocked.Increment(ref runs[i]);
                return addition.StageAsync(db, ct);
            }), (ReadAhead?)addition.Reads))]);
        return (roundTrips, results, runs, [.. additions.Select(addition => addition.Reads)]);
    }

    // A write that looks for one row, then adds another; its reads declared ahead or not, named by key (the row looked for unless said).
    private static (Func<AppDbContext, CancellationToken, Task<Staged<bool>>> Stage, ReadAhead? Reads) LookAndAdd(
        string lookFor, string add, bool ahead, string? key = null) =>
        (async (db, ct) =>
        {
            await using var row = await Exists.ExecuteReaderAsync(db, [lookFor], ct);
            var found = await row.ReadAsync(ct);
            await row.DisposeAsync();
            await Insert.ExecuteAsync(db, Row(add), ct);
            return found;
        }, ahead ? new ReadAhead([key ?? lookFor], (Exists, [lookFor])) : null);

    private static readonly PreparedInsert<RecipientMailCount> Insert = new();

    private async Task<(int RoundTrips, bool[] Found)> LooksAsync(
        params (Func<AppDbContext, CancellationToken, Task<Staged<bool>>> Stage, ReadAhead? Reads)[] writes)
    {
        var (roundTrips, results) = await RoundTripsAsync(writes);
        Assert.All(results, result => Assert.True(result.IsSuccess));
        return (roundTrips, [.. results.Select(result => result.Value)]);
    }

    // The writes in one batch, in order: how many round trips Npgsql made for them, and each one's answer.
    private async Task<(int RoundTrips, Result<T>[] Results)> RoundTripsAsync<T>(
        params (Func<AppDbContext, CancellationToken, Task<Staged<T>>> Stage, ReadAhead? Reads)[] writes)
    {
        using var sent = new NpgsqlRoundTrips("batch");
        await using var writer = DbWriterPostgresTests.NewWriter(fixture.App.Services);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = await HoldAsync(writer, release.Task);
        var results = writes
            .Select(write => write.Reads is { } reads ? writer.WriteAsync(write.Stage, reads, CancellationToken.None) : writer.WriteAsync(write.Stage, CancellationToken.None))
            .ToArray();
        sent.Reset(); // what the held write sent is not the batch's
        release.SetResult();
        await holding;
        var answers = await Task.WhenAll(results);
        Assert.True(sent.Count > 0, "Npgsql reported nothing sent");
        return (sent.Count, answers);
    }

    private async Task StoreAsync(IEnumerable<string> addresses, DateTimeOffset? windowStart = null)
    {
        await using var db = fixture.App.CreateDbContext();
        foreach (var address in addresses)
        {
            var row = Row(address);
            row.WindowStart = windowStart ?? row.WindowStart;
            db.Add(row);
        }

        await db.SaveChangesAsync();
    }
}
