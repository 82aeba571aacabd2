using System.Text.RegularExpressions;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>
/// Where each verification mail is, as the user page and the <c>_delivery</c> read tell it, against a
/// real SMTP server on loopback that takes, refuses (550) or is not there.
/// </summary>
public sealed partial class MailDeliveryStateTests(MailDeliveryStateTests.App app) : MudTestContext, IClassFixture<MailDeliveryStateTests.App>
{
    private readonly ApiClient _api = app.Api;

    [Fact]
    public async Task ARelayThatAnswers550FailsTheMailAfterOneTryAndThePageAndTheReadSaySo()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        app.Smtp.Refuse(address);
        var otpId = (await _api.AddOtpEmailAsync(userId, Json.SendCode(address))).Json["otpEmailId"]!.GetValue<string>();

        var delivery = await DeliveryWhenAsync(userId, otpId, "DELIVERY_STATE_FAILED");

        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.StartsWith("550 ", delivery["relayResponse"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("mailbox unavailable", delivery["relayResponse"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(delivery["lastAttemptDate"]);
        Assert.Null(delivery["nextAttemptDate"]);
        Assert.Empty(app.Smtp.To(address));

        // The user page's table, from what its handler reads: failed, with the relay's line, without opening anything.
        var listed = await app.Factory.Services.GetRequiredService<ListOtpEmailsHandler>().HandleAsync(Callers.Admin, userId, CancellationToken.None);
        var table = Context.Render<OtpEmailTable>(p => p.Add(t => t.Items, listed.Value).Add(t => t.CanManage, true));
        var cell = table.Find("[data-testid=delivery]").TextContent;
        Assert.Contains("failed", cell, StringComparison.Ordinal);
        Assert.Contains(delivery["relayResponse"]!.GetValue<string>(), cell, StringComparison.Ordinal);
        Assert.Contains(table.FindAll("button"), b => b.TextContent.Contains("Resend code", StringComparison.Ordinal));

        var failed = await EventsAsync(userId, OtpEmailEvents.MailFailed);
        Assert.Contains("550", Assert.Single(failed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARelayThatIsDownLeavesTheMailRetryingWithTheNextAttemptsTime()
    {
        await using var down = new SmtpSink();
        await down.StartAsync();
        var port = down.Port;
        await down.StopAsync(); // a closed port: nothing answers
        await using var factory = new AppFactory(port, new Dictionary<string, string?> { ["Mail:RetryBaseDelay"] = "00:10:00", ["Mail:RetryMaxDelay"] = "00:10:00" });
        var api = new ApiClient(factory.StartClient());
        var userId = await api.CreateUserAsync();
        var otpId = (await api.AddOtpEmailAsync(userId, Json.SendCode(ApiClient.NewAddress()))).Json["otpEmailId"]!.GetValue<string>();

        var delivery = await DeliveryWhenAsync(userId, otpId, "DELIVERY_STATE_RETRYING", api);

        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        var last = delivery["lastAttemptDate"]!.GetValue<DateTimeOffset>();
        var next = delivery["nextAttemptDate"]!.GetValue<DateTimeOffset>();
        Assert.InRange(next - last, TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(13)); // the backoff, ±20%
        Assert.Null(delivery["relayResponse"]); // nobody answered
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), delivery["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        var listed = await factory.Services.GetRequiredService<ListOtpEmailsHandler>().HandleAsync(Callers.Admin, userId, CancellationToken.None);
        Assert.Equal(DeliveryState.Retrying, Assert.Single(listed.Value).Delivery!.State);
    }

    [Fact]
    public async Task ASentMailShowsTheRelaysAnswerAndIsAnEventThatHoldsNoCode()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var otpId = (await _api.AddOtpEmailAsync(userId, Json.SendCode(address))).Json["otpEmailId"]!.GetValue<string>();

        var delivery = await DeliveryWhenAsync(userId, otpId, "DELIVERY_STATE_SENT");

        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.StartsWith("250 ", delivery["relayResponse"]!.GetValue<string>(), StringComparison.Ordinal);
        var code = Code().Match((await app.Smtp.WaitForMailToAsync(address)).TextBody ?? "").Groups[1].Value;
        var sent = Assert.Single(await EventsAsync(userId, OtpEmailEvents.MailSent));
        Assert.Contains(otpId, sent, StringComparison.Ordinal);
        Assert.DoesNotContain(code, sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReadKeepsTheOtherReadsPermissionsAndErrors()
    {
        var (userId, returned, _) = await _api.AddReturningCodeAsync();
        var globexUser = await _api.CreateUserAsync(ApiClient.GlobexId);
        var mailed = (await _api.AddOtpEmailAsync(globexUser, Json.SendCode(ApiClient.NewAddress()))).Json["otpEmailId"]!.GetValue<string>();

        Assert.Equal(200, (await _api.GetAsync(Path(globexUser, mailed), ApiClient.Viewer)).Status); // a read: viewers may
        Assert.Equal((403, ErrorCode.PermissionDenied), Error(await _api.GetAsync(Path(globexUser, mailed), ApiClient.Acme)));
        Assert.Equal((404, ErrorCode.NotFound), Error(await _api.GetAsync(Path(userId, returned)))); // no mail in return-code mode
        Assert.Equal((404, ErrorCode.NotFound), Error(await _api.GetAsync(Path(userId, mailed)))); // another user's authenticator
        Assert.Equal((401, ErrorCode.Unauthenticated), Error(await _api.GetAsync(Path(globexUser, mailed), as_: null)));
    }

    [Fact]
    public async Task TheReadIsInTheOpenApiDocumentWithItsStates()
    {
        var document = await _api.GetAsync("/openapi/v1.json", as_: null);

        Assert.Equal(200, document.Status);
        var read = document.Json["paths"]!["/v3alpha/users/{userId}/otp_email/{otpEmailId}/_delivery"]!["get"]!;
        Assert.NotNull(read["responses"]!["200"]);
        var state = document.Json["components"]!["schemas"]!["OtpEmailDeliveryResponse"]!["properties"]!["state"]!;
        Assert.Equal(OtpEmailDeliveryResponse.States, state["enum"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["DELIVERY_STATE_QUEUED", "DELIVERY_STATE_SENT", "DELIVERY_STATE_RETRYING", "DELIVERY_STATE_FAILED"], OtpEmailDeliveryResponse.States);
    }

    private static (int, ErrorCode) Error(Reply reply) => (reply.Status, reply.ErrorCode());

    private static string Path(string userId, string otpId) => $"/v3alpha/users/{userId}/otp_email/{otpId}/_delivery";

    private async Task<System.Text.Json.Nodes.JsonNode> DeliveryWhenAsync(string userId, string otpId, string state, ApiClient? api = null)
    {
        Reply? reply = null;
        await Eventually.TrueAsync(async () =>
        {
            reply = await (api ?? _api).GetAsync(Path(userId, otpId));
            return reply.Status == 200 && reply.Json["state"]!.GetValue<string>() == state;
        }, $"the mail to be {state}");
        return reply!.Json;
    }

    private async Task<List<string>> EventsAsync(string userId, string type)
    {
        await using var db = app.Factory.CreateDbContext();
        return await db.UserEvents.Where(e => e.UserId == long.Parse(userId) && e.Type == type).Select(e => e.Payload).ToListAsync();
    }

    [GeneratedRegex("code: ([A-Z2-9]{8})")]
    private static partial Regex Code();

    /// <summary>One app and SMTP server for the class.</summary>
    public sealed class App : IAsyncLifetime
    {
        public SmtpSink Smtp { get; } = new();

        public AppFactory Factory { get; private set; } = null!;

        public ApiClient Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Smtp.StartAsync();
            Factory = new AppFactory(Smtp.Port);
            Api = new ApiClient(Factory.StartClient());
        }

        public async Task DisposeAsync()
        {
            await Factory.DisposeAsync();
            await Smtp.DisposeAsync();
        }
    }
}
