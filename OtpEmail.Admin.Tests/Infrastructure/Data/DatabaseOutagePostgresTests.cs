using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Protos.UserV3Alpha;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

// By itself: the test crashes its own PostgreSQL under load and times what the app answers meanwhile.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageCollection
{
    public const string Name = "database outage";
}

/// <summary>
/// The app on a PostgreSQL of the test's own, under a steady load of adds, while that PostgreSQL crashes
/// and starts again (issue #27): a temporary condition, answered as one on every door and logged once.
/// </summary>
[Collection(DatabaseOutageCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class DatabaseOutagePostgresTests : IAsyncLifetime
{
    private const string OutageCategory = "OtpEmail.Admin.Infrastructure.Data.DatabaseOutage";
    private const int Clients = 8;

    private readonly SmtpSink _smtp = new();
    private OwnPostgres _postgres = null!;
    private AppFactory _app = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        _postgres = await OwnPostgres.StartAsync();
        _app = new AppFactory(_smtp.Port, new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Default"] = _postgres.ConnectionString,
            ["Otp:CodeHashKey"] = PostgresDatabase.CodeHashKey,
            ["Otp:MaxAuthenticatorsPerUser"] = "1000000",
        });
        _api = new ApiClient(_app.StartClient());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _postgres.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task ACrashedDatabaseIsAnsweredAsUnavailableOnEveryDoorLoggedOnceAndLosesNoAcknowledgedAdd()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, Clients + 1).Select(_ => _api.CreateUserAsync()));
        var auth = await _api.AuthAsync();
        var native = GrpcClients.Create(_app, _api.Http, GrpcTransport.Native);
        var web = GrpcClients.Create(_app, _api.Http, GrpcTransport.WebBinary);
        var replies = new ConcurrentQueue<Reply>();
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(i => AddUntilAsync(users[i], replies, stopLoad.Token)).ToList();
        await Eventually.TrueAsync(() => replies.Count(r => r.Status == 200) >= 50, "the load's first adds");

        await _postgres.CrashAsync();
        var logsBefore = _app.Logs.Lines.Count();
        var answeredBefore = replies.Count;
        await Eventually.TrueAsync(() => replies.Skip(answeredBefore).Count(r => r.Status != 200) >= 100, "many adds refused while the database is down");

        // The JSON door: 503, the contract's body with code 14, Retry-After: 1.
        var rest = await _api.AddOtpEmailAsync(users[Clients], Json.Verified(ApiClient.NewAddress()));
        Assert.Equal(503, rest.Status);
        Assert.Equal(ErrorCode.Unavailable, rest.ErrorCode());
        Assert.Equal("DATABASE-UNAVAILABLE", rest.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(1), rest.Headers.RetryAfter?.Delta);

        // gRPC and gRPC-Web: UNAVAILABLE with the same ErrorDetail and a retry-after trailer.
        foreach (var client in new[] { native, web })
        {
            var rpc = await Assert.ThrowsAsync<RpcException>(() => client.AddOTPEmailAuthenticatorAsync(
                new AddOTPEmailAuthenticatorRequest { UserId = users[Clients], Email = new SetEmail { Address = ApiClient.NewAddress(), IsVerified = true } }, auth).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
            Assert.Contains("DATABASE-UNAVAILABLE", rpc.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("1", rpc.Trailers.GetValue("retry-after"));
        }

        // Readiness says not ready, and says it at once rather than after a connect timeout.
        var timer = Stopwatch.StartNew();
        var ready = await _api.Http.GetAsync("/health/ready");
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(3), $"/health/ready took {timer.Elapsed}");
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.Contains("\"database\":{\"status\":\"Unhealthy\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // However many requests failed, one warning said so, with no stack trace anywhere at Warning or above.
        var started = Assert.Single(Outage(_app.Logs.Lines, "Database unreachable"));
        Assert.StartsWith("Warning ", started, StringComparison.Ordinal);
        Assert.Contains("Database unreachable: ", started, StringComparison.Ordinal); // the reason: a refused connection, a cut stream, a shutdown
        Assert.False(started.Contains("   at ", StringComparison.Ordinal), started);
        var loud = _app.Logs.Lines.Skip(logsBefore)
            .Where(line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)
                || (line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("   at ", StringComparison.Ordinal)))
            .ToList();
        Assert.True(loud.Count == 0, $"Logged while the database was down:\n{string.Join("\n", loud.Take(5))}");

        await _postgres.ResumeAsync();
        var answeredDown = replies.Count;
        await Eventually.TrueAsync(() => replies.Skip(answeredDown).Count(r => r.Status == 200) >= 50, "adds to succeed again");
        await Eventually.TrueAsync(() => Outage(_app.Logs.Lines, "Database reachable again").Count == 1, "the end of the outage to be logged");
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        Assert.Single(Outage(_app.Logs.Lines, "Database unreachable"));
        Assert.Single(Outage(_app.Logs.Lines, "Database reachable again"));
        Assert.All(replies, reply => Assert.True(reply.Status is 200 or 503, reply.ToString()));
        var acknowledged = replies.Where(r => r.Status == 200).Select(r => r.Json["otpEmailId"]!.GetValue<string>()).ToList();
        var stored = await _postgres.ScalarAsync($"""SELECT count(*) FROM "OtpEmails" WHERE "Id" IN ({string.Join(",", acknowledged)})""");
        Assert.Equal(acknowledged.Count, stored);
        await Eventually.TrueAsync(async () => (await _api.Http.GetAsync("/health/ready")).IsSuccessStatusCode, "readiness to be ready again");
    }

    private async Task AddUntilAsync(string userId, ConcurrentQueue<Reply> replies, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            replies.Enqueue(await _api.AddOtpEmailAsync(userId, Json.Verified(ApiClient.NewAddress())));
        }
    }

    private static List<string> Outage(IEnumerable<string> lines, string text) =>
        lines.Where(line => line.Contains(OutageCategory + ":", StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal)).ToList();
}
