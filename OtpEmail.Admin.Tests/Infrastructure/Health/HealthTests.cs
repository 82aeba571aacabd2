using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Health;

[Collection(ApiCollection.Name)]
public sealed class HealthTests(ApiFixture fixture)
{
    [Fact]
    public async Task LiveAndReadyAnswerAnonymouslyInJson()
    {
        var live = await fixture.Api.GetAsync("/health/live", as_: null);
        var ready = await fixture.Api.GetAsync("/health/ready", as_: null);

        Assert.Equal((200, "application/json"), (live.Status, live.MediaType));
        Assert.Equal("Healthy", live.Json["status"]!.GetValue<string>());
        Assert.Equal(200, ready.Status);
        Assert.Equal("Healthy", ready.Json["status"]!.GetValue<string>());
        Assert.Equal("reachable and migrated", ready.Json["checks"]!["database"]!["description"]!.GetValue<string>());
        Assert.Equal("Healthy", ready.Json["checks"]!["outbox"]!["status"]!.GetValue<string>());
        Assert.Equal("the SMTP relay accepts connections", ready.Json["checks"]!["smtp"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task MailStuckInTheOutboxFailsReadinessAndAnAbsentRelayIsOnlyReported()
    {
        const int nobodyListens = 1;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AppFactory(nobodyListens, new Dictionary<string, string?> { ["Health:MaxOutboxAge"] = "00:10:00" },
            services => services.AddSingleton<TimeProvider>(clock));
        var http = app.StartClient();
        var before = await new ApiClient(http).GetAsync("/health/ready", as_: null);

        await using (var db = app.CreateDbContext())
        {
            var now = clock.GetUtcNow();
            db.OutboxMails.Add(new OutboxMail
            {
                Id = 1,
                To = "stuck@example.com",
                Subject = "stuck",
                CreatedAt = now.AddMinutes(-11),
                NextAttemptAt = now.AddDays(1), // not the dispatcher's to touch during the test
                ExpiresAt = now.AddDays(1),
                ProtectedBody = "x",
            });
            await db.SaveChangesAsync();
        }

        clock.Advance(TimeSpan.FromSeconds(1)); // past the second for which readiness keeps its report
        var after = await new ApiClient(http).GetAsync("/health/ready", as_: null);

        Assert.Equal(200, before.Status);
        Assert.Equal("Degraded", before.Json["status"]!.GetValue<string>());
        Assert.Equal("Degraded", before.Json["checks"]!["smtp"]!["status"]!.GetValue<string>());
        Assert.Equal(503, after.Status);
        Assert.Equal("Unhealthy", after.Json["checks"]!["outbox"]!["status"]!.GetValue<string>());
        Assert.Equal(11, after.Json["checks"]!["outbox"]!["data"]!["oldestAgeSeconds"]!.GetValue<double>() / 60, 0);
        Assert.DoesNotContain("stuck@example.com", after.Body);
    }

    [Fact]
    public async Task FromElsewhereOnlyAnOtpAdminSeesTheChecksBehindTheStatus()
    {
        // Behind a proxy on this machine: the caller is the address it forwards, never loopback.
        await using var app = new AppFactory(fixture.Smtp.Port, new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });
        var api = new ApiClient(app.StartClient());

        var anonymous = await ReadyFromElsewhereAsync(api, bearer: null);
        var badToken = await ReadyFromElsewhereAsync(api, bearer: "not-a-jwt");
        var viewer = await ReadyFromElsewhereAsync(api, await api.TokenAsync(ApiClient.Viewer));
        var admin = await ReadyFromElsewhereAsync(api, await api.TokenAsync(ApiClient.Admin));

        Assert.All([anonymous, badToken, viewer], reply =>
        {
            Assert.Equal((200, "application/json"), (reply.Status, reply.MediaType));
            Assert.Equal("""{"status":"Healthy"}""", reply.Body);
            Assert.Equal("no-store", reply.Headers.CacheControl?.ToString());
        });
        Assert.Equal(200, admin.Status);
        Assert.Equal("Healthy", admin.Json["status"]!.GetValue<string>());
        Assert.Equal("Healthy", admin.Json["checks"]!["outbox"]!["status"]!.GetValue<string>());
        Assert.NotNull(admin.Json["checks"]!["outbox"]!["data"]!["depth"]);
    }

    [Fact]
    public async Task ManyCallsWithinASecondRunTheChecksOnceAndEachNewStatusIsLoggedOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counted = new CountedCheck();
        await using var app = new AppFactory(fixture.Smtp.Port, services: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddHealthChecks().AddCheck("counted", counted, tags: ["ready"]);
        });
        var api = new ApiClient(app.StartClient());

        var together = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.GetAsync("/health/ready", as_: null)));
        var oneAfterAnother = new List<Reply>();
        for (var i = 0; i < 10; i++)
        {
            oneAfterAnother.Add(await api.GetAsync("/health/ready", as_: null));
        }

        var runsWithinTheSecond = counted.Runs;
        counted.Next = HealthStatus.Unhealthy;
        clock.Advance(TimeSpan.FromSeconds(1));
        var changed = await api.GetAsync("/health/ready", as_: null);
        clock.Advance(TimeSpan.FromSeconds(1));
        var unchanged = await api.GetAsync("/health/ready", as_: null);

        Assert.All(together.Concat(oneAfterAnother), reply => Assert.Equal(200, reply.Status));
        Assert.Equal(1, runsWithinTheSecond);
        Assert.Equal((503, 503, 3), (changed.Status, unchanged.Status, counted.Runs));
        Assert.Single(app.Logs.Lines, line => line.Contains("Readiness is now Healthy", StringComparison.Ordinal));
        var unhealthy = Assert.Single(app.Logs.Lines, line => line.Contains("Readiness is now Unhealthy", StringComparison.Ordinal));
        Assert.Contains("counted: Unhealthy", unhealthy);
        Assert.Contains("outbox: Healthy", unhealthy);
    }

    private static async Task<Reply> ReadyFromElsewhereAsync(ApiClient api, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        request.Headers.Add("X-Forwarded-For", "203.0.113.20");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await api.Http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    /// <summary>A readiness check that counts its runs and reports what the test sets.</summary>
    private sealed class CountedCheck : IHealthCheck
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public HealthStatus Next { get; set; } = HealthStatus.Healthy;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _runs);
            return Task.FromResult(new HealthCheckResult(Next, "counted"));
        }
    }
}
