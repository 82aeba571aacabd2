using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Events;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Network;
using OtpEmail.Admin.Tests.Infrastructure.Http;
using OtpEmail.Admin.Tests.TestSupport;
using StandardWebhooks;

namespace OtpEmail.Admin.Tests.Features.Events;

/// <summary>
/// The app with a webhook receiver (a real HTTP server), quick retries, endpoints turned off after 3 s
/// of failures, and a resolver the tests can point names with (the rest goes to DNS).
/// </summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    public SmtpSink Smtp { get; } = new();

    public TestResolver Names { get; } = new();

    public WebhookReceiver Receiver { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        Receiver = await WebhookReceiver.StartAsync();
        App = new AppFactory(Smtp.Port, new Dictionary<string, string?>
        {
            ["Webhooks:PollInterval"] = "00:00:00.100",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.100",
            ["Webhooks:RetryMaxDelay"] = "00:00:00.200",
            ["Webhooks:DisableAfterFailingFor"] = "00:00:03",
        }, services => services.AddSingleton<IHostResolver>(Names));
        Api = new ApiClient(App.StartClient());
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>A resolver whose names the test sets; other names are asked of DNS.</summary>
    public sealed class TestResolver : IHostResolver
    {
        public ConcurrentDictionary<string, IPAddress[]> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Addresses.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : new DnsHostResolver().ResolveAsync(host, cancellationToken);
    }
}

public sealed class WebhookApiTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private readonly ApiClient _api = fixture.Api;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    [Fact]
    public async Task EachEventTypeReachesTheReceiverSignedAsTheStandardSays()
    {
        var (name, secret, _) = await CreateAsync(ApiClient.GlobexId);
        var userId = await _api.CreateUserAsync(ApiClient.GlobexId);
        var username = (await _api.GetAsync($"/v3alpha/users/{userId}")).Json["user"]!["username"]!.GetValue<string>();
        var added = await _api.AddOtpEmailAsync(userId, Json.ReturnCode(ApiClient.NewAddress()));
        var (otpId, code) = (added.Json["otpEmailId"]!.GetValue<string>(), added.Json["verificationCode"]!.GetValue<string>());
        await _api.VerifyAsync(userId, otpId, "ZZZZZZZZ");
        var resent = await _api.ResendAsync(userId, otpId, new { returnCode = new { } });
        await _api.VerifyAsync(userId, otpId, resent.Json["verificationCode"]!.GetValue<string>());
        await _api.RemoveAsync(userId, otpId);
        var job = await BulkAsync($"user,address,mode\n{username},{ApiClient.NewAddress()},is_verified\n");

        await Eventually.TrueAsync(() => Types(name, userId).Count == 7 && BulkFinished(name, job) is not null, "every event at the receiver");

        Assert.Equal(
            ["user.created", "otp_email.added", "otp_email.verification_failed", "otp_email.code_sent", "otp_email.verified", "otp_email.removed", "otp_email.added"],
            Types(name, userId)); // the last by the bulk job
        var webhook = new StandardWebhook(secret);
        Assert.All(_receiver.To(name), request => webhook.Verify(request.Body, request.HeaderDictionary())); // throws when one does not verify
        Assert.All(_receiver.To(name), request => Assert.Equal("msg_" + request.Json["id"]!.GetValue<string>(), request.Headers["webhook-id"]));
        var finished = BulkFinished(name, job)!;
        Assert.Equal(("done", 1, 1, 0, ApiClient.GlobexId), (finished["data"]!["state"]!.GetValue<string>(), finished["data"]!["rows"]!.GetValue<int>(),
            finished["data"]!["succeeded"]!.GetValue<int>(), finished["data"]!["failed"]!.GetValue<int>(), finished["organizationId"]!.GetValue<string>()));
        var bodies = string.Join('\n', _receiver.To(name).Select(r => r.Body));
        Assert.DoesNotContain(code, bodies, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(resent.Json["verificationCode"]!.GetValue<string>(), bodies, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AReceiverThatFailsTwiceGetsTheDeliveryThreeTimesWithOneId()
    {
        var (name, _, webhookId) = await CreateAsync(ApiClient.GlobexId, "user.created");
        _receiver.Answer(name, 500, 503);

        var userId = await _api.CreateUserAsync(ApiClient.GlobexId);

        await Eventually.TrueAsync(() => _receiver.To(name).Count(r => r.Json["userId"]?.GetValue<string>() == userId) == 3, "three tries");
        var tries = _receiver.To(name).Where(r => r.Json["userId"]?.GetValue<string>() == userId).ToList();
        Assert.Single(tries.Select(t => t.Headers["webhook-id"]).Distinct());
        Assert.Single(tries.Select(t => t.Body).Distinct());
        var delivery = await DeliveredAsync(webhookId, "user.created");
        Assert.Equal((3, 200), (delivery["attempts"]!.GetValue<int>(), delivery["statusCode"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ARedirectIsNotFollowedButAnsweredAsAFailure()
    {
        var (name, _, webhookId) = await CreateAsync(ApiClient.GlobexId, "user.created");
        var elsewhere = Guid.NewGuid().ToString("N");
        _receiver.RedirectOnce(name, elsewhere);

        var userId = await _api.CreateUserAsync(ApiClient.GlobexId);

        var delivery = await DeliveredAsync(webhookId, "user.created");
        Assert.Equal(2, _receiver.To(name).Count(r => r.Json["userId"]?.GetValue<string>() == userId)); // the redirect, then the retry
        Assert.Equal(2, delivery["attempts"]!.GetValue<int>());
        Assert.Empty(_receiver.To(elsewhere));
    }

    [Fact]
    public async Task AfterARotationTheNewSecretSignsAndTheOldOneStillDoesForADay()
    {
        var (name, old, webhookId) = await CreateAsync(ApiClient.GlobexId, "user.created");
        var rotated = await _api.PostAsync($"/v3alpha/webhooks/{webhookId}/_rotate_secret", "{}");
        var fresh = rotated.Json["signingSecret"]!.GetValue<string>();
        var listed = await _api.GetAsync($"/v3alpha/webhooks?organizationId={ApiClient.GlobexId}");

        var userId = await _api.CreateUserAsync(ApiClient.GlobexId);

        await Eventually.TrueAsync(() => _receiver.To(name).Any(r => r.Json["userId"]?.GetValue<string>() == userId), "the delivery");
        var request = _receiver.To(name).First(r => r.Json["userId"]?.GetValue<string>() == userId);
        var signatures = request.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        new StandardWebhook(fresh).Verify(request.Body, With(request, signatures[0]));
        new StandardWebhook(old).Verify(request.Body, With(request, signatures[1]));
        // The whole header, as the specification's receivers read it (the package checks only its first signature).
        Assert.True(SpecificationVerifies(old, request));
        Assert.True(SpecificationVerifies(fresh, request));
        Assert.False(SpecificationVerifies(WebhookSignature.NewSecret(), request));
        Assert.NotEqual(old, fresh);
        Assert.True(rotated.Json["previousSecretExpiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddHours(23));
        Assert.DoesNotContain("whsec_", listed.Body, StringComparison.Ordinal); // shown at creation and rotation only
    }

    [Fact]
    public async Task ATestEventAndARedeliveryReachTheReceiverAsOneMessage()
    {
        var (name, secret, webhookId) = await CreateAsync(ApiClient.GlobexId, "otp_email.removed");
        var queued = await _api.PostAsync($"/v3alpha/webhooks/{webhookId}/_test", "{}");
        await Eventually.TrueAsync(() => _receiver.To(name).Count == 1, "the test event");

        var again = await _api.PostAsync($"/v3alpha/webhooks/{webhookId}/deliveries/{queued.Json["deliveryId"]}/_redeliver", "{}");

        await Eventually.TrueAsync(() => _receiver.To(name).Count == 2, "the redelivery");
        var (first, second) = (_receiver.To(name)[0], _receiver.To(name)[1]);
        Assert.Equal("webhook.test", first.Json["type"]!.GetValue<string>());
        Assert.Equal(queued.Json["messageId"]!.GetValue<string>(), first.Headers["webhook-id"]);
        Assert.Equal(first.Headers["webhook-id"], second.Headers["webhook-id"]);
        Assert.Equal(first.Body, second.Body);
        new StandardWebhook(secret).Verify(second.Body, second.HeaderDictionary());
        Assert.Equal(200, again.Status);
    }

    [Fact]
    public async Task ANameThatResolvesToAPrivateAddressIsRefusedAtSaveAndAtDelivery()
    {
        fixture.Names.Addresses["private.example.test"] = [IPAddress.Parse("10.0.0.5")];
        fixture.Names.Addresses["rebinding.example.test"] = [IPAddress.Parse("93.184.215.14")];
        var atSave = await _api.PostAsync("/v3alpha/webhooks", Json.Of(new { organizationId = ApiClient.GlobexId, url = "https://private.example.test/hook" }));
        var saved = await _api.PostAsync("/v3alpha/webhooks", Json.Of(new { organizationId = ApiClient.GlobexId, url = "https://rebinding.example.test/hook", eventTypes = new[] { "user.created" } }));
        var webhookId = saved.Json["webhook"]!["id"]!.GetValue<string>();
        fixture.Names.Addresses["rebinding.example.test"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("192.168.1.20")];

        await _api.PostAsync($"/v3alpha/webhooks/{webhookId}/_test", "{}");

        JsonNode delivery = null!;
        await Eventually.TrueAsync(async () =>
        {
            delivery = (await _api.GetAsync($"/v3alpha/webhooks/{webhookId}/deliveries")).Json["deliveries"]!.AsArray().Single()!;
            return delivery["attempts"]!.GetValue<int>() > 0;
        }, "a try of the delivery");
        Assert.Equal(("WEBHOOK-URL-ADDRESS", 200), (atSave.Json["details"]![0]!["id"]!.GetValue<string>(), saved.Status));
        Assert.Contains("private.example.test' resolves to an address that is not public", atSave.Json["message"]!.GetValue<string>());
        Assert.DoesNotContain("10.0.0.5", atSave.Body, StringComparison.Ordinal); // callers do not learn internal addresses
        Assert.Contains("rebinding.example.test' resolves to an address that is not public", delivery["lastError"]!.GetValue<string>());
        Assert.Null(delivery["statusCode"]);
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook", "WEBHOOK-URL-ADDRESS")]
    [InlineData("https://10.0.0.5/hook", "WEBHOOK-URL-ADDRESS")]
    [InlineData("https://[::1]/hook", "WEBHOOK-URL-ADDRESS")]
    [InlineData("https://169.254.169.254/latest/meta-data", "WEBHOOK-URL-ADDRESS")]
    [InlineData("http://93.184.215.14/hook", "WEBHOOK-URL-HTTPS")]
    [InlineData("https://user:pass@93.184.215.14/hook", "WEBHOOK-URL")]
    public async Task OutsideDevelopmentOnlyHttpsToPublicAddressesIsAccepted(string url, string refusal)
    {
        await using var production = new AppFactory(25, ProductionTests.Settings(), environment: "Production");
        production.StartServer();
        var urls = production.Services.GetRequiredService<WebhookUrls>();

        var refused = await urls.CheckAsync(url, CancellationToken.None);
        var accepted = await urls.CheckAsync("https://93.184.215.14/hook", CancellationToken.None);
        var loopbackInDevelopment = await fixture.App.Services.GetRequiredService<WebhookUrls>().CheckAsync(_receiver.Url("dev"), CancellationToken.None);

        var plainHttpToAnotherHostInDevelopment = await fixture.App.Services.GetRequiredService<WebhookUrls>().CheckAsync("http://93.184.215.14/hook", CancellationToken.None);

        Assert.Equal(refusal, refused.Error?.Id);
        Assert.Equal("WEBHOOK-URL-HTTPS", plainHttpToAnotherHostInDevelopment.Error?.Id);
        Assert.True(accepted.IsSuccess);
        Assert.True(loopbackInDevelopment.IsSuccess);
    }

    [Fact]
    public async Task AnEndpointFailingForTheWholeSpanIsTurnedOffWithAnEventOfItsOrganization()
    {
        var (name, _, webhookId) = await CreateAsync(ApiClient.GlobexId, "user.created");
        _receiver.Answer(name, [.. Enumerable.Repeat(500, 10_000)]);

        await _api.CreateUserAsync(ApiClient.GlobexId);

        var pending = await Eventually.ValueAsync(async () =>
            (await _api.GetAsync($"/v3alpha/webhooks/{webhookId}/deliveries")).Json["deliveries"]!.AsArray().FirstOrDefault(d => d!["attempts"]!.GetValue<int>() > 0), "a failed try");
        var redeliverPending = await _api.PostAsync($"/v3alpha/webhooks/{webhookId}/deliveries/{pending!["id"]}/_redeliver", "{}");

        await Eventually.TrueAsync(async () => (await WebhookAsync(webhookId))["enabled"]!.GetValue<bool>() == false, "the endpoint turned off");
        Assert.Equal(ErrorCode.FailedPrecondition, redeliverPending.ErrorCode()); // it is still being tried
        Assert.StartsWith("Every delivery failed since", (await WebhookAsync(webhookId))["disabledReason"]!.GetValue<string>());
        await using var db = fixture.App.CreateDbContext();
        var turnedOff = await db.Set<UserEvent>().AsNoTracking()
            .Where(e => e.UserId == null && e.OrganizationId == long.Parse(ApiClient.GlobexId) && e.Type == Webhooks.Disabled).Select(e => e.Payload).ToListAsync();
        Assert.Contains(turnedOff, payload => payload.Contains(webhookId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyAdminsManageEndpointsAndScopedCallersSeeOnlyTheirOrganizations()
    {
        var (_, _, globexHook) = await CreateAsync(ApiClient.GlobexId);
        var body = Json.Of(new { organizationId = ApiClient.AcmeId, url = _receiver.Url("denied") });

        var byViewer = await _api.PostAsync("/v3alpha/webhooks", body, ApiClient.Viewer);
        var seenByAcme = await _api.GetAsync("/v3alpha/webhooks", ApiClient.Acme);
        var deletedByAcme = await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/webhooks/{globexHook}", null, ApiClient.Acme);
        var unknownType = await _api.PostAsync("/v3alpha/webhooks", Json.Of(new { organizationId = ApiClient.AcmeId, url = _receiver.Url("x"), eventTypes = new[] { "user.nope" } }));
        var deleted = await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/webhooks/{globexHook}", null);

        Assert.Equal(ErrorCode.PermissionDenied, byViewer.ErrorCode());
        Assert.DoesNotContain(globexHook, seenByAcme.Body, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.PermissionDenied, deletedByAcme.ErrorCode()); // demo-acme may not manage endpoints at all
        Assert.Equal(ErrorCode.InvalidArgument, unknownType.ErrorCode());
        Assert.Equal(200, deleted.Status);
        Assert.DoesNotContain(globexHook, (await _api.GetAsync("/v3alpha/webhooks")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APathAndQueryThatMayHoldTheReceiversTokenAreShownOnlyToThoseWhoMayChangeTheEndpoint()
    {
        var (name, token) = (Guid.NewGuid().ToString("N"), $"s3cret{Guid.NewGuid():N}");
        var created = await _api.PostAsync("/v3alpha/webhooks",
            Json.Of(new { organizationId = ApiClient.GlobexId, url = $"{_receiver.Url(name)}?token={token}", eventTypes = new[] { "user.created" } }));
        var webhookId = created.Json["webhook"]!["id"]!.GetValue<string>();
        await _api.CreateUserAsync(ApiClient.GlobexId);
        await Eventually.TrueAsync(() => _receiver.To(name).Count > 0, "a delivery to the URL with its query");
        var byAdmin = await _api.GetAsync("/v3alpha/webhooks");
        var byViewer = await _api.GetAsync("/v3alpha/webhooks", ApiClient.Viewer);
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/webhooks/{webhookId}", null)).Status);
        await using var db = fixture.App.CreateDbContext();
        var trail = await db.Set<UserEvent>().AsNoTracking().Where(e => e.UserId == null && e.Payload.Contains(webhookId)).Select(e => e.Payload).ToListAsync();

        string UrlIn(Reply listed) =>
            listed.Json["webhooks"]!.AsArray().Single(w => w!["id"]!.GetValue<string>() == webhookId)!["url"]!.GetValue<string>();
        Assert.Equal($"{_receiver.Url(name)}?token={token}", UrlIn(byAdmin));
        Assert.Equal($"http://127.0.0.1:{_receiver.Port}/…", UrlIn(byViewer)); // the path may hold a token too (as Slack's do)
        Assert.Equal(2, trail.Count); // created, deleted
        Assert.All(trail, payload => Assert.DoesNotContain(token, payload, StringComparison.Ordinal));
        Assert.All(trail, payload => Assert.DoesNotContain(name, payload, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHostNameLongerThanNamesMayBeIsRefusedAsBadInput()
    {
        var url = $"https://{string.Join('.', Enumerable.Repeat(new string('a', 60), 5))}/hook"; // 304 characters; DNS allows 253

        var refused = await fixture.App.Services.GetRequiredService<WebhookUrls>().CheckAsync(url, CancellationToken.None);

        Assert.Equal("WEBHOOK-URL-ADDRESS", refused.Error?.Id);
    }

    [Fact]
    public async Task AnUnderscoreInATypeMatchesOnlyItself()
    {
        var (_, _, exact) = await CreateAsync(ApiClient.GlobexId, "otp_email.added");
        var (_, _, lookalike) = await CreateAsync(ApiClient.GlobexId, "otp_email.added");
        await using var db = fixture.App.CreateDbContext();
        var (exactId, lookalikeId) = (long.Parse(exact, CultureInfo.InvariantCulture), long.Parse(lookalike, CultureInfo.InvariantCulture));
        // As if it wanted a type that differs from otp_email.added only where "_" stands (the API knows no such type).
        await db.WebhookEndpoints.Where(e => e.Id == lookalikeId).ExecuteUpdateAsync(set => set.SetProperty(e => e.EventTypes, ",otpXemail.added,"));
        var userId = await _api.CreateUserAsync(ApiClient.GlobexId);

        await _api.AddOtpEmailAsync(userId, Json.ReturnCode(ApiClient.NewAddress()));

        var queued = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == exactId || d.EndpointId == lookalikeId)
            .Select(d => d.EndpointId).ToListAsync();
        Assert.Equal([exactId], queued);
    }

    [Fact]
    public async Task AnAdminOfOneOrganizationCannotReachAnotherOrganizationsEndpoint()
    {
        var (name, _, globexHook) = await CreateAsync(ApiClient.GlobexId, "user.created");
        await _api.CreateUserAsync(ApiClient.GlobexId);
        var delivery = await Eventually.ValueAsync(async () =>
            (await _api.GetAsync($"/v3alpha/webhooks/{globexHook}/deliveries")).Json["deliveries"]!.AsArray().FirstOrDefault(d => d!["state"]!.GetValue<string>() == "delivered"), "a delivery");
        var acmeAdmin = new Caller("acme-admin", null, Permissions.ForRoles([Roles.Admin]), new HashSet<long> { long.Parse(ApiClient.AcmeId) });
        var webhooks = fixture.App.Services.GetRequiredService<Webhooks>();
        var deliveries = fixture.App.Services.GetRequiredService<WebhookDeliveries>();
        var received = _receiver.To(name).Count;

        var refusals = new[]
        {
            (await webhooks.DeleteAsync(acmeAdmin, globexHook, CancellationToken.None)).Error,
            (await webhooks.RotateSecretAsync(acmeAdmin, globexHook, CancellationToken.None)).Error,
            (await webhooks.SetEnabledAsync(acmeAdmin, globexHook, false, CancellationToken.None)).Error,
            (await deliveries.SendTestAsync(acmeAdmin, globexHook, CancellationToken.None)).Error,
            (await deliveries.RedeliverAsync(acmeAdmin, globexHook, delivery["id"]!.GetValue<string>(), CancellationToken.None)).Error,
            (await deliveries.ListAsync(acmeAdmin, globexHook, CancellationToken.None)).Error,
            (await webhooks.CreateAsync(acmeAdmin, new CreateWebhookRequest { OrganizationId = ApiClient.GlobexId, Url = _receiver.Url("x") }, CancellationToken.None)).Error,
        };
        var listed = await webhooks.ListAsync(acmeAdmin, null, CancellationToken.None);

        Assert.All(refusals[..6], refusal => Assert.Equal(ErrorCode.NotFound, refusal?.Code));
        Assert.Equal(ErrorCode.PermissionDenied, refusals[6]?.Code);
        Assert.DoesNotContain(listed.Value.Webhooks, w => w.Id == globexHook);
        Assert.True((await WebhookAsync(globexHook))["enabled"]!.GetValue<bool>());
        Assert.Equal(received, _receiver.To(name).Count);
    }

    private async Task<(string Name, string Secret, string WebhookId)> CreateAsync(string organizationId, params string[] eventTypes)
    {
        var name = Guid.NewGuid().ToString("N");
        var created = await _api.PostAsync("/v3alpha/webhooks", Json.Of(new { organizationId, url = _receiver.Url(name), eventTypes }));
        Assert.Equal(200, created.Status);
        return (name, created.Json["signingSecret"]!.GetValue<string>(), created.Json["webhook"]!["id"]!.GetValue<string>());
    }

    // The endpoint's one delivery of that type, once it is recorded as delivered.
    private async Task<JsonNode> DeliveredAsync(string webhookId, string eventType)
    {
        JsonNode delivery = null!;
        await Eventually.TrueAsync(async () =>
        {
            delivery = (await _api.GetAsync($"/v3alpha/webhooks/{webhookId}/deliveries")).Json["deliveries"]!.AsArray()
                .Single(d => d!["eventType"]!.GetValue<string>() == eventType)!;
            return delivery["state"]!.GetValue<string>() == "delivered";
        }, $"the {eventType} delivery recorded as delivered");
        return delivery;
    }

    private async Task<JsonNode> WebhookAsync(string webhookId) =>
        (await _api.GetAsync("/v3alpha/webhooks")).Json["webhooks"]!.AsArray().Single(w => w!["id"]!.GetValue<string>() == webhookId)!;

    // Deliveries go out side by side, so they may arrive in any order: a user's events are put in order by their sequence.
    private List<string> Types(string name, string userId) =>
        [.. _receiver.To(name).Select(r => r.Json).Where(e => e["userId"]?.GetValue<string>() == userId)
            .OrderBy(e => long.Parse(e["sequence"]!.GetValue<string>())).Select(e => e["type"]!.GetValue<string>())];

    private JsonNode? BulkFinished(string name, string jobId) =>
        _receiver.To(name).Select(r => r.Json).FirstOrDefault(e => e["type"]!.GetValue<string>() == "bulk.finished" && e["data"]!["jobId"]!.GetValue<string>() == jobId);

    private async Task<string> BulkAsync(string csv)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3alpha/users/otp_email/_bulk") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new("Bearer", await _api.TokenAsync(ApiClient.Admin));
        using var response = await _api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["jobId"]!.GetValue<string>();
    }

    // Standard Webhooks, "Verifying webhook authenticity": HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" under the
    // base64-decoded key after whsec_, compared in constant time with each space-separated "v1,{base64}" of the header.
    private static bool SpecificationVerifies(string secret, WebhookReceiver.Received request)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.{request.Body}");
        var expected = System.Security.Cryptography.HMACSHA256.HashData(key, signed);
        return request.Headers["webhook-signature"].Split(' ')
            .Where(signature => signature.StartsWith("v1,", StringComparison.Ordinal))
            .Any(signature => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(signature[3..]), expected));
    }

    private static Microsoft.AspNetCore.Http.HeaderDictionary With(WebhookReceiver.Received request, string signature)
    {
        var headers = request.HeaderDictionary();
        headers["webhook-signature"] = signature;
        return headers;
    }
}
