using System.Globalization;
using Microsoft.Playwright;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Tests.EndToEnd.Pages;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// Two app processes on one PostgreSQL database, as behind a load balancer: instance A also runs
/// the development OpenID Connect provider, B trusts it as any instance trusts the real one. Nothing
/// is shared but the database, the provider and the SMTP relay; every rule must hold through them.
/// </summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    /// <summary>The hourly limits and the cap both instances run with, small so that races cross them often.</summary>
    public const int MailsPerRecipientPerHour = 5;

    public const int CodesPerHour = 3;

    public const int MaxAuthenticatorsPerUser = 20;

    private PostgresDatabase _database = null!;

    public SmtpSink Smtp { get; } = new();

    public AppProcess A { get; private set; } = null!;

    public AppProcess B { get; private set; } = null!;

    /// <summary>Clients of each instance; both use tokens from A's provider.</summary>
    public ApiClient ApiA { get; private set; } = null!;

    public ApiClient ApiB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        _database = await PostgresDatabase.CreateAsync();
        var shared = new Dictionary<string, string?>(_database.Settings.Concat(SmtpSink.AppSettings(Smtp.Port)))
        {
            ["Mail:PollInterval"] = "00:00:00.050", // each dispatcher looks often: they compete for every mail
            ["Mail:BatchSize"] = "20", // in rounds smaller than the test's 200 mails, so that one claim cannot take them all
            ["Webhooks:PollInterval"] = "00:00:00.050", // and for every webhook delivery
            ["Authentication:ClientSecret"] = "the-admin-app-secret-both-instances-use",
            ["Authentication:RevalidationInterval"] = "00:00:01", // sessions are checked with the provider every second
            ["Otp:MailsPerRecipientPerHour"] = MailsPerRecipientPerHour.ToString(CultureInfo.InvariantCulture),
            ["Otp:CodesPerHour"] = CodesPerHour.ToString(CultureInfo.InvariantCulture),
            ["Otp:MaxAuthenticatorsPerUser"] = MaxAuthenticatorsPerUser.ToString(CultureInfo.InvariantCulture),
        };
        A = await AppProcess.StartAsync("A", shared);
        B = await AppProcess.StartAsync("B", new Dictionary<string, string?>(shared)
        {
            ["Authentication:Authority"] = A.BaseAddress.AbsoluteUri,
            ["Authentication:ClientId"] = DevAccounts.AdminAppClientId,
        });
        ApiA = new ApiClient(A.CreateClient());
        ApiB = new ApiClient(B.CreateClient(), provider: ApiA);
    }

    public ApiClient Either(int i) => i % 2 == 0 ? ApiA : ApiB;

    public Task<T> QueryAsync<T>(string sql) => _database.ScalarAsync<T>(sql);

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await _database.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

// Run by itself after the parallel collections: two more app processes beside the browser tests on
// two cores would test the machine's patience, not the app.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoInstancesCollection : ICollectionFixture<TwoInstancesFixture>
{
    public const string Name = "two instances";
}

[Collection(TwoInstancesCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class TwoInstancesTests(TwoInstancesFixture fixture)
{
    [Fact]
    [Trait("Category", "Postgres")]
    public async Task TwentyAddsWithOneIdempotencyKeySplitAcrossBothAddOnce()
    {
        var userId = await fixture.ApiA.CreateUserAsync();
        var path = $"/v3alpha/users/{userId}/otp_email";
        var body = Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) });
        var key = Guid.NewGuid().ToString();
        await fixture.ApiA.TokenAsync(ApiClient.Admin);

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => fixture.Either(i).PostIdempotentAsync(path, body, key)));
        await Eventually.TrueAsync(async () =>
        {
            var retried = await fixture.Either(1).PostIdempotentAsync(path, body, key);
            return retried.Status == 200;
        }, "the key's answer to be stored");

        Assert.All(replies, reply => Assert.True(reply.Status is 200 or 409, reply.ToString()));
        Assert.Single(replies.Where(r => r.Status == 200).Select(r => r.Body).Distinct());
        Assert.Equal(1L, await fixture.QueryAsync<long>($"SELECT count(*) FROM \"OtpEmails\" WHERE \"UserId\" = {userId}"));
        Assert.Equal(1L, await fixture.QueryAsync<long>($"SELECT count(*) FROM \"IdempotencyKeys\" WHERE \"Key\" = '{key}'"));
    }

    [Fact]
    public async Task FiftyConcurrentAddsOfOneAddressSplitAcrossBothMakeOneAuthenticator()
    {
        var userId = await fixture.ApiA.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => fixture.Either(i).AddOtpEmailAsync(userId, Json.ReturnCode(address))));

        Assert.Single(replies, reply => reply.Status == 200);
        Assert.All(replies.Where(reply => reply.Status != 200), reply => Assert.Equal(409, reply.Status));
        Assert.Equal(1L, await fixture.QueryAsync<long>($"""SELECT count(*) FROM "OtpEmails" WHERE "UserId" = {long.Parse(userId, CultureInfo.InvariantCulture)}"""));
        var user = await fixture.ApiB.GetAsync($"/v3alpha/users/{userId}");
        Assert.Single(user.Json["user"]!["authenticators"]!["otpEmail"]!.AsArray());
    }

    [Fact]
    public async Task TwoHundredSendCodeAddsSplitAcrossBothMailEachCodeExactlyOnce()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var users = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => fixture.Either(i).CreateUserAsync()));
        var addresses = Enumerable.Range(0, 200).Select(i => $"send-{run}-{i}@example.com").ToArray();

        var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => fixture.Either(i + 1).AddOtpEmailAsync(users[i], Json.SendCode(addresses[i]))));

        Assert.All(replies, reply => Assert.Equal(200, reply.Status));
        var pattern = $"send-{run}-%";
        await Eventually.TrueAsync(
            async () => await fixture.QueryAsync<long>($"""SELECT count(*) FROM "Outbox" WHERE "To" LIKE '{pattern}' AND "Status" = 2""") == 200,
            "all 200 mails recorded as sent", TimeSpan.FromSeconds(60));
        var received = fixture.Smtp.Received.Where(mail => mail.To.Mailboxes.Single().Address.StartsWith($"send-{run}-", StringComparison.Ordinal)).ToList();
        Assert.Equal(200, received.Count);
        Assert.Equal(200, received.Select(mail => mail.MessageId).Distinct().Count());
        Assert.Equal(addresses.Order(), received.Select(mail => mail.To.Mailboxes.Single().Address).Order());
        // Both dispatchers took part: a claim's token carries its instance's number in its low byte.
        Assert.Equal(2L, await fixture.QueryAsync<long>($"""SELECT count(DISTINCT "ClaimToken" % 256) FROM "Outbox" WHERE "To" LIKE '{pattern}'"""));
    }

    [Fact]
    public async Task ConcurrentVerifiesOfOneCodeAcrossBothSucceedOnce()
    {
        // Ten codes, each tried twenty times at once across both instances: a race lost by chance once is not enough.
        for (var round = 0; round < 10; round++)
        {
            var (userId, otpId, code) = await fixture.ApiA.AddReturningCodeAsync();

            var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => fixture.Either(i).VerifyAsync(userId, otpId, code)));

            Assert.Single(replies, reply => reply.Status == 200);
            Assert.All(replies.Where(reply => reply.Status != 200), reply => Assert.Equal(ErrorCode.FailedPrecondition, reply.ErrorCode()));
            Assert.True(await fixture.ApiB.IsVerifiedAsync(userId, otpId));
        }
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task StaffSignedInOnOneInstanceAreSignedInOnTheOther()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.A.BaseAddress.AbsoluteUri });
        var app = new AdminApp(await context.NewPageAsync());
        await app.SignInAsync(AdminApp.Support);
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-support");

        // The balancer sends the next visit to B: same cookie, another process.
        await app.Page.GotoAsync(new Uri(fixture.B.BaseAddress, "/").AbsoluteUri);

        Assert.StartsWith(fixture.B.BaseAddress.AbsoluteUri, app.Page.Url, StringComparison.Ordinal);
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-support");
        await app.PickUserAsync("hopper", "Grace Hopper");
        await Assertions.Expect(app.AddButton).ToBeVisibleAsync();

        // B checks the session with the provider (every second here) as the same client as A: a check
        // it recorded after the visit moved to B, which the provider confirmed, so the staff member stays.
        var onB = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(); // as the app stores times
        await Eventually.TrueAsync(
            async () => await fixture.QueryAsync<long>($"""SELECT count(*) FROM "StaffSessions" WHERE "CheckedAt" > {onB}""") > 0,
            "B to check the session with the provider");
        await app.Page.ReloadAsync();
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-support");
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Grace Hopper");
        Assert.StartsWith(fixture.B.BaseAddress.AbsoluteUri, app.Page.Url, StringComparison.Ordinal);
    }
}
