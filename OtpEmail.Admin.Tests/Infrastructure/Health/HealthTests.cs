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
        await using var app = new AppFactory(nobodyListens, new Dictionary<string, string?> { ["Health:MaxOutboxAge"] = "00:10:00" });
        var http = app.StartClient();
        var before = await new ApiClient(http).GetAsync("/health/ready", as_: null);

        await using (var db = app.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
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

        var after = await new ApiClient(http).GetAsync("/health/ready", as_: null);

        Assert.Equal(200, before.Status);
        Assert.Equal("Degraded", before.Json["status"]!.GetValue<string>());
        Assert.Equal("Degraded", before.Json["checks"]!["smtp"]!["status"]!.GetValue<string>());
        Assert.Equal(503, after.Status);
        Assert.Equal("Unhealthy", after.Json["checks"]!["outbox"]!["status"]!.GetValue<string>());
        Assert.Equal(11, after.Json["checks"]!["outbox"]!["data"]!["oldestAgeSeconds"]!.GetValue<double>() / 60, 0);
        Assert.DoesNotContain("stuck@example.com", after.Body);
    }
}
