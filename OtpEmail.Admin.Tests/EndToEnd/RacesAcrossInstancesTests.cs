using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// The limits and the bulk lease raced across two app processes on one PostgreSQL database: what
/// each rule promises must hold through the database, not through one process's writer queue. Each
/// race is run for several rounds, the requests built first and let go together.
/// </summary>
[Collection(TwoInstancesCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class RacesAcrossInstancesTests(TwoInstancesFixture fixture)
{
    private const string ActiveStateSql = "\"State\" <> 3";

    [Fact]
    public async Task SendCodeAddsToOneMailboxFromBothInstancesAtOnceMailItNoMoreThanTheHourlyLimit()
    {
        // Sixteen users add sixteen addresses of one mailbox (plus-addressed), eight on each instance.
        var users = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => fixture.Either(i).CreateUserAsync()));
        for (var round = 0; round < 6; round++)
        {
            var mailbox = $"race-{Guid.NewGuid():N}";

            var replies = await AtOnce.PostAsync(users.Select((user, i) => new Racer(
                fixture.Either(i + round), $"/v3alpha/users/{user}/otp_email", Json.Of(new { email = Json.SendCode($"{mailbox}+{i}@example.com") }))));

            Assert.Equal(TwoInstancesFixture.MailsPerRecipientPerHour, replies.Count(reply => reply.Status == 200));
            Assert.All(replies.Where(reply => reply.Status != 200), reply => Assert.Equal("429 OTPEMAIL-RECIPIENT-LIMIT", Outcome(reply)));
            Assert.Equal(TwoInstancesFixture.MailsPerRecipientPerHour, await CountAsync($"""
                SELECT count(*) FROM "OtpEmails" WHERE "NormalizedAddress" LIKE '{mailbox}+%' AND {ActiveStateSql}
                """));
            Assert.Equal(TwoInstancesFixture.MailsPerRecipientPerHour, await CountAsync($"""SELECT count(*) FROM "Outbox" WHERE "To" LIKE '{mailbox}+%'"""));
            Assert.Equal(TwoInstancesFixture.MailsPerRecipientPerHour, await CountAsync($"""
                SELECT "Count" FROM "RecipientMailCounts" WHERE "Address" = '{mailbox}@example.com'
                """));
        }
    }

    [Fact]
    public async Task ResendsOfOneAuthenticatorFromBothInstancesAtOnceIssueNoMoreCodesThanTheHourAllows()
    {
        for (var round = 0; round < 8; round++)
        {
            var (userId, otpId, _) = await fixture.Either(round).AddReturningCodeAsync(); // the hour's first code

            var replies = await AtOnce.PostAsync(Enumerable.Range(0, 12).Select(i => new Racer(
                fixture.Either(i), $"/v3alpha/users/{userId}/otp_email/{otpId}/_resend", Json.Of(new { returnCode = new { } }))));

            Assert.Equal(TwoInstancesFixture.CodesPerHour - 1, replies.Count(reply => reply.Status == 200));
            Assert.All(replies.Where(reply => reply.Status != 200), reply => Assert.Equal("429 OTPEMAIL-SEND-LIMIT", Outcome(reply)));
            Assert.Equal(TwoInstancesFixture.CodesPerHour, await CountAsync($"""SELECT "CodesInWindow" FROM "OtpEmails" WHERE "Id" = {otpId}"""));
            Assert.Equal(TwoInstancesFixture.CodesPerHour - 1, await CountAsync($"""
                SELECT count(*) FROM "UserEvents" WHERE "UserId" = {userId} AND "Type" = 'otp_email.code_issued'
                """));
        }
    }

    [Fact]
    public async Task AddsForOneUserFromBothInstancesAtOnceNeverStoreMoreThanTheCap()
    {
        const int Adds = 30;
        for (var round = 0; round < 5; round++)
        {
            var userId = await fixture.Either(round).CreateUserAsync();

            var replies = await AtOnce.PostAsync(Enumerable.Range(0, Adds).Select(i => new Racer(
                fixture.Either(i), $"/v3alpha/users/{userId}/otp_email", Json.Of(new { email = Json.Verified(ApiClient.NewAddress()) }))));

            Assert.Equal(TwoInstancesFixture.MaxAuthenticatorsPerUser, replies.Count(reply => reply.Status == 200));
            // Refused for the cap, or (rarely, when a write collided through all its attempts) asked to try again; never a 500.
            Assert.All(replies.Where(reply => reply.Status != 200), reply => Assert.Contains(Outcome(reply), new[] { "400 OTPEMAIL-TOO-MANY", "409 WRITE-CONFLICT" }));
            Assert.Equal(TwoInstancesFixture.MaxAuthenticatorsPerUser, await CountAsync($"""
                SELECT count(*) FROM "OtpEmails" WHERE "UserId" = {userId} AND {ActiveStateSql}
                """));
            Assert.Equal(TwoInstancesFixture.MaxAuthenticatorsPerUser, await CountAsync($"""
                SELECT count(*) FROM "UserEvents" WHERE "UserId" = {userId} AND "Type" = 'otp_email.added'
                """));
        }
    }

    [Fact]
    public async Task AResendRacingAVerifyOnTheOtherInstanceEitherFindsItVerifiedOrLeavesOnlyTheNewCodeWorking()
    {
        for (var round = 0; round < 16; round++)
        {
            var (userId, otpId, code) = await fixture.Either(round).AddReturningCodeAsync();
            var (verifier, resender) = (fixture.Either(round), fixture.Either(round + 1));

            var replies = await AtOnce.PostAsync([
                new Racer(verifier, $"/v3alpha/users/{userId}/otp_email/{otpId}/verify", Json.Of(new { code })),
                new Racer(resender, $"/v3alpha/users/{userId}/otp_email/{otpId}/_resend", Json.Of(new { returnCode = new { } })),
            ]);

            var (verify, resend) = (replies[0], replies[1]);
            Assert.Single(replies, reply => reply.Status == 200);
            var state = await CountAsync($"""SELECT "State" FROM "OtpEmails" WHERE "Id" = {otpId}""");
            var codesIssued = await CountAsync($"""SELECT count(*) FROM "UserEvents" WHERE "UserId" = {userId} AND "Type" = 'otp_email.code_issued'""");
            if (verify.Status == 200)
            {
                // The verify came first: the resend finds it verified and issues nothing.
                Assert.Equal("400 OTPEMAIL-ALREADY-VERIFIED", Outcome(resend));
                Assert.Equal((2L, 0L), (state, codesIssued));
                Assert.True(await resender.IsVerifiedAsync(userId, otpId));
            }
            else
            {
                // The resend came first: the old code stopped working before the verify tried it, and only the new one verifies.
                Assert.Equal("400 OTPEMAIL-CODE-WRONG", Outcome(verify));
                Assert.Equal((1L, 1L), (state, codesIssued));
                Assert.Equal("400 OTPEMAIL-CODE-WRONG", Outcome(await resender.VerifyAsync(userId, otpId, code)));
                Assert.Equal(200, (await verifier.VerifyAsync(userId, otpId, resend.Json["verificationCode"]!.GetValue<string>())).Status);
            }
        }
    }

    [Fact]
    public async Task AnAbandonedBulkJobIsTakenOverByOneInstanceAndEachOfItsRowsIsDoneOnce()
    {
        const int Users = 30;
        const long StoppedRunner = 1; // the runner token of an instance that stopped renewing its leases
        var (template, _) = await JobDoneOnAAsync();
        for (var round = 0; round < 4; round++)
        {
            // A running job whose instance went away: its lease has run out, no row of it is done.
            var users = await Task.WhenAll(Enumerable.Range(0, Users).Select(i => fixture.Either(i).CreateUserAsync()));
            var rows = Users * TwoInstancesFixture.MaxAuthenticatorsPerUser;
            var run = Guid.NewGuid().ToString("N")[..12];
            var abandoned = await AbandonedJobAsync(template, run, users, rows, StoppedRunner);

            // A job started on each instance wakes both runners at once; each looks for jobs whose lease ran out.
            var starter = await fixture.ApiA.CreateUserAsync();
            var started = await AtOnce.SendAsync([
                await BulkStartAsync(fixture.ApiA, $"{starter},{run}-a@example.com"),
                await BulkStartAsync(fixture.ApiB, $"{starter},{run}-b@example.com"),
            ]);
            Assert.All(started, reply => Assert.Equal(202, reply.Status));
            var (onA, onB) = (started[0].Json["jobId"]!.GetValue<string>(), started[1].Json["jobId"]!.GetValue<string>());

            // Watch who holds the abandoned job until all three are done.
            var holders = new List<long>();
            await Eventually.TrueAsync(async () =>
            {
                var holder = await CountAsync($"""SELECT "Runner" FROM "BulkJobs" WHERE "Id" = {abandoned}""");
                if (holders.Count == 0 || holders[^1] != holder)
                {
                    holders.Add(holder);
                }

                return await CountAsync($"""SELECT count(*) FROM "BulkJobs" WHERE "Id" IN ({abandoned}, {onA}, {onB}) AND "State" = 1""") == 0;
            }, "the three bulk jobs to finish", TimeSpan.FromSeconds(90));

            var takenBy = Assert.Single(holders.FindAll(holder => holder != StoppedRunner)); // taken over once, and kept
            Assert.Equal($"2 {rows} {rows} 0", await TextAsync($"""
                SELECT concat_ws(' ', "State", "Done", "Succeeded", "Failed") FROM "BulkJobs" WHERE "Id" = {abandoned}
                """));
            Assert.Equal(rows, await CountAsync($"""
                SELECT count(DISTINCT "OtpEmailId") FROM "BulkJobRows" WHERE "JobId" = {abandoned} AND "Outcome" = 1
                """));
            var userList = string.Join(',', users);
            Assert.Equal(rows, await CountAsync($"""
                SELECT count(*) FROM "OtpEmails" WHERE "UserId" IN ({userList}) AND "NormalizedAddress" LIKE '{run}-%' AND {ActiveStateSql}
                """));
            Assert.Equal(rows, await CountAsync($"""
                SELECT count(*) FROM "UserEvents" WHERE "UserId" IN ({userList}) AND "Type" = 'otp_email.added'
                """));

            // The instances kept their own jobs, and the one that took the abandoned job over is one of them.
            var runnerA = await CountAsync($"""SELECT "Runner" FROM "BulkJobs" WHERE "Id" = {onA}""");
            var runnerB = await CountAsync($"""SELECT "Runner" FROM "BulkJobs" WHERE "Id" = {onB}""");
            Assert.NotEqual(runnerA, runnerB);
            Assert.Contains(takenBy, new[] { runnerA, runnerB });
        }
    }

    [Fact]
    public async Task ARunnerThatOutrunsItsLeaseAndTheInstanceThatTakesTheJobOverDoEachRowOnce()
    {
        const int Users = 30;
        var (template, runnerA) = await JobDoneOnAAsync();
        for (var round = 0; round < 2; round++)
        {
            // A job A holds, with a lease it will not outlive: A is woken to work it.
            var users = await Task.WhenAll(Enumerable.Range(0, Users).Select(i => fixture.Either(i).CreateUserAsync()));
            var rows = Users * TwoInstancesFixture.MaxAuthenticatorsPerUser;
            var run = Guid.NewGuid().ToString("N")[..12];
            var job = await AbandonedJobAsync(template, run, users, rows, runnerA);
            await SetLeaseAsync(job, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
            var starter = await fixture.ApiA.CreateUserAsync();
            await AtOnce.SendAsync([await BulkStartAsync(fixture.ApiA, $"{starter},{run}-a@example.com")]);
            await Eventually.TrueAsync(async () => await CountAsync($"""SELECT count(*) FROM "BulkJobRows" WHERE "JobId" = {job} AND "Outcome" <> 0""") > 0,
                "A to be working the job");

            // Mid-slice, A's lease runs out (as after a long pause), and B, woken by a job of its own, takes the job over.
            await SetLeaseAsync(job, DateTimeOffset.UnixEpoch);
            await AtOnce.SendAsync([await BulkStartAsync(fixture.ApiB, $"{starter},{run}-b@example.com")]);
            await Eventually.TrueAsync(async () => await CountAsync($"""SELECT "State" FROM "BulkJobs" WHERE "Id" = {job}""") != 1,
                "the job to finish", TimeSpan.FromSeconds(90));

            Assert.Equal($"2 {rows} {rows} 0", await TextAsync($"""
                SELECT concat_ws(' ', "State", "Done", "Succeeded", "Failed") FROM "BulkJobs" WHERE "Id" = {job}
                """));
            Assert.Equal(rows, await CountAsync($"""SELECT count(DISTINCT "OtpEmailId") FROM "BulkJobRows" WHERE "JobId" = {job} AND "Outcome" = 1"""));
            Assert.Equal(rows, await CountAsync($"""
                SELECT count(*) FROM "UserEvents" WHERE "UserId" IN ({string.Join(',', users)}) AND "Type" = 'otp_email.added'
                """));
        }
    }

    /// <summary>"200", or the status and the error's id ("429 OTPEMAIL-SEND-LIMIT") of a contract error body.</summary>
    private static string Outcome(Reply reply)
    {
        if (reply.Status == 200)
        {
            return "200";
        }

        reply.ErrorCode();
        return $"{reply.Status} {reply.Json["details"]![0]!["id"]!.GetValue<string>()}";
    }

    private Task<long> CountAsync(string sql) => fixture.QueryAsync<long>(sql);

    private Task<string> TextAsync(string sql) => fixture.QueryAsync<string>(sql);

    /// <summary>A one-row job started and done on A: its id (a template of its starter, as the app stores them) and A's runner.</summary>
    private async Task<(string Job, long Runner)> JobDoneOnAAsync()
    {
        var started = await AtOnce.SendAsync([await BulkStartAsync(fixture.ApiA, $"{await fixture.ApiA.CreateUserAsync()},{ApiClient.NewAddress()}")]);
        var job = started[0].Json["jobId"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => await CountAsync($"""SELECT "State" FROM "BulkJobs" WHERE "Id" = {job}""") != 1, "the job on A to finish");
        return (job, await CountAsync($"""SELECT "Runner" FROM "BulkJobs" WHERE "Id" = {job}"""));
    }

    private Task SetLeaseAsync(long job, DateTimeOffset until) =>
        CountAsync($"""UPDATE "BulkJobs" SET "RunnerLeaseUntil" = {until.ToUnixTimeMilliseconds()} WHERE "Id" = {job} RETURNING 1""");

    /// <summary>
    /// Stores a running job as an instance that then stopped would have left it: held by
    /// <paramref name="runner"/>, its lease run out, every row pending, acting as the starter of
    /// <paramref name="template"/> (but another caller, so it takes its own turns); the rows share the users evenly.
    /// </summary>
    private async Task<long> AbandonedJobAsync(string template, string run, string[] users, int rows, long runner)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(); // as the app stores times
        var id = Random.Shared.NextInt64(1L << 40, 1L << 50);
        Assert.Equal(id, await CountAsync($"""
            INSERT INTO "BulkJobs" ("Id", "ActorSubject", "ActorClient", "Caller", "FileName", "CreatedAt", "State", "Total", "Done", "Succeeded", "Failed", "Runner", "RunnerLeaseUntil")
            SELECT {id}, 'stopped-instance-starter', "ActorClient", "Caller", 'abandoned.csv', {now - 120_000}, 1, {rows}, 0, 0, 0, {runner}, {now - 60_000}
            FROM "BulkJobs" WHERE "Id" = {template}
            RETURNING "Id"
            """));
        Assert.Equal(rows, await CountAsync($"""
            WITH stored AS (
                INSERT INTO "BulkJobRows" ("JobId", "Row", "User", "UserId", "Address", "Mode", "Outcome")
                SELECT {id}, g, u.id::text, u.id, '{run}-' || g || '@example.com', 'is_verified', 0
                FROM generate_series(1, {rows}) AS g
                JOIN unnest(ARRAY[{string.Join(',', users)}]::bigint[]) WITH ORDINALITY AS u(id, n) ON u.n = (g - 1) % {users.Length} + 1
                RETURNING 1)
            SELECT count(*) FROM stored
            """));
        return id;
    }

    private static async Task<(HttpClient Http, HttpRequestMessage Request)> BulkStartAsync(ApiClient client, string row)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v3alpha/users/otp_email/_bulk")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes($"user,address,mode\n{row},is_verified\n")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await client.TokenAsync(ApiClient.Admin));
        return (client.Http, request);
    }
}
