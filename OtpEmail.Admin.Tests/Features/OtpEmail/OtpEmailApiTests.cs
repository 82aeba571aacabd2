using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.TestSupport;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>
/// The JSON door of the OTP Email operations over real HTTP: each route reaches its handler, the
/// contract's JSON names in and out, and a rule's failure becomes the contract's error body. The
/// rules themselves are tested as tables and on the handlers.
/// </summary>
/// <summary>The contract, run on both providers (<see cref="OtpEmailApiTestsOnSqlite"/>, <see cref="OtpEmailApiTestsOnPostgres"/>).</summary>
public abstract class OtpEmailApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task EachModeAnswersInTheContractsShape()
    {
        var userId = await _api.CreateUserAsync();
        var mailed = ApiClient.NewAddress();

        // Send code last: its mail's delivery is an event of the user too, and may come at any time after it.
        var returned = await _api.AddOtpEmailAsync(userId, Json.ReturnCode(ApiClient.NewAddress()));
        var verified = await _api.AddOtpEmailAsync(userId, Json.Verified(ApiClient.NewAddress()));
        var sent = await _api.AddOtpEmailAsync(userId, Json.SendCode(mailed, "https://example.com/v?c={{.Code}}"));

        Assert.Equal([200, 200, 200], new[] { sent.Status, returned.Status, verified.Status });
        Assert.Null(sent.Json["verificationCode"]);
        Assert.Matches("^[A-Z2-9]{8}$", returned.Json["verificationCode"]!.GetValue<string>());
        Assert.Null(verified.Json["verificationCode"]);
        var details = verified.Json["details"]!;
        Assert.Equal("3", details["sequence"]!.GetValue<string>()); // a string, as proto3 JSON writes uint64
        Assert.Equal(ApiClient.AcmeId, details["resourceOwner"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", details["changeDate"]!.GetValue<string>());
        Assert.Matches("^[1-9][0-9]{17}$", verified.Json["otpEmailId"]!.GetValue<string>());
        Assert.Contains("https://example.com/v?c=", (await fixture.Smtp.WaitForMailToAsync(mailed)).TextBody);
        Assert.True(await _api.IsVerifiedAsync(userId, verified.Json["otpEmailId"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"address":"Mini <mini@mouse.com>","isVerified":true}""", "EMAIL-LOCAL-INVALID")]
    [InlineData("""{"address":"a@example.com","sendCode":{"urlTemplate":"http://example.com/{{.Code}}"}}""", "URLTEMPLATE-SCHEME")]
    [InlineData("""{"address":"a@example.com","sendCode":{},"returnCode":{}}""", "OTPEMAIL-VERIFICATION-ONEOF")]
    public async Task ARuleFailureIsTheContractsErrorBody(string email, string id)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email", $$"""{"email":{{email}}}""");

        Assert.Equal(400, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
        Assert.Equal(id, reply.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("no-store", reply.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task TheSameAddressTwiceIsConflict()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        await _api.AddOtpEmailAsync(userId, Json.ReturnCode(address));

        var again = await _api.AddOtpEmailAsync(userId, Json.Verified(address));

        Assert.Equal(409, again.Status);
        Assert.Equal(ErrorCode.AlreadyExists, again.ErrorCode());
    }

    [Fact]
    public async Task SnakeCaseNamesAreAccepted()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var sent = await _api.AddOtpEmailAsync(userId, new { address, send_code = new { url_template = "https://snake.example/{{.Code}}" } });
        var returned = await _api.AddOtpEmailAsync(userId, new { address = ApiClient.NewAddress(), return_code = new { } });
        var verified = await _api.AddOtpEmailAsync(userId, new { address = ApiClient.NewAddress(), is_verified = true });

        Assert.Equal(200, sent.Status);
        Assert.Contains("https://snake.example/", (await fixture.Smtp.WaitForMailToAsync(address)).TextBody);
        Assert.NotNull(returned.Json["verificationCode"]);
        Assert.True(await _api.IsVerifiedAsync(userId, verified.Json["otpEmailId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnknownFieldsAreIgnored()
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email",
            Json.Of(new { userId = "ignored", extra = new[] { 1, 2 }, email = new { address = ApiClient.NewAddress(), isVerified = true, future = new { x = 1 } } }));

        Assert.Equal(200, reply.Status);
    }

    [Theory]
    [InlineData("""{"email":{"address":"a@example.com","isVerified":"yes"}}""")]
    [InlineData("""{"email":{"address":42,"isVerified":true}}""")]
    [InlineData("""{"email":"a@example.com"}""")]
    [InlineData("""{"email":{"address":"a@example.com","returnCode":true}}""")]
    [InlineData("{\"email\":{\"address\":\"a@example.com\"")]
    [InlineData("""[]""")]
    [InlineData("")]
    public async Task MalformedOrWronglyTypedBodiesAreInvalidArgumentAndWriteNothing(string body)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
        await using var db = fixture.App.CreateDbContext();
        Assert.False(await db.OtpEmails.AnyAsync(a => a.UserId == long.Parse(userId)));
    }

    [Fact]
    public async Task VerifyResendAndRemoveReachTheirHandlers()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        var wrong = await _api.VerifyAsync(userId, otpId, "WRONG234");
        var resent = await _api.ResendAsync(userId, otpId, new { return_code = new { } });
        var old = await _api.VerifyAsync(userId, otpId, code);
        var verified = await _api.VerifyAsync(userId, otpId, resent.Json["verificationCode"]!.GetValue<string>());
        var again = await _api.VerifyAsync(userId, otpId, resent.Json["verificationCode"]!.GetValue<string>());
        var removed = await _api.RemoveAsync(userId, otpId);
        var gone = await _api.RemoveAsync(userId, otpId);

        Assert.Equal((400, ErrorCode.InvalidArgument), (wrong.Status, wrong.ErrorCode()));
        Assert.Equal(200, resent.Status);
        Assert.Equal(400, old.Status);
        Assert.Equal("6", verified.Json["details"]!["sequence"]!.GetValue<string>()); // created, added, failed try, code issued, failed try, verified
        Assert.Equal((400, ErrorCode.FailedPrecondition), (again.Status, again.ErrorCode()));
        Assert.Equal("7", removed.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.Equal((404, ErrorCode.NotFound), (gone.Status, gone.ErrorCode()));
    }

    [Fact]
    public async Task TheSendLimitIsTooManyRequestsWithRetryAfter()
    {
        var (userId, otpId, _) = await _api.AddReturningCodeAsync(); // code 1
        for (var i = 2; i <= 5; i++)
        {
            Assert.Equal(200, (await _api.ResendAsync(userId, otpId)).Status);
        }

        var sixth = await _api.ResendAsync(userId, otpId);

        Assert.Equal((429, ErrorCode.ResourceExhausted), (sixth.Status, sixth.ErrorCode()));
        Assert.InRange(int.Parse(sixth.Headers.GetValues("Retry-After").Single()), 3000, 3600);
    }

    [Fact]
    public async Task TheRecipientLimitIsTooManyRequestsWithRetryAfterOnEveryDoor()
    {
        var victim = ApiClient.NewAddress();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await _api.AddOtpEmailAsync(await _api.CreateUserAsync(), Json.SendCode(victim))).Status);
        }

        var overJson = await _api.AddOtpEmailAsync(await _api.CreateUserAsync(), Json.SendCode(victim));
        var overGrpc = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () =>
            await GrpcClients.Create(fixture.App, _api.Http, GrpcTransport.Native).AddOTPEmailAuthenticatorAsync(
                new Proto.AddOTPEmailAuthenticatorRequest
                {
                    UserId = await _api.CreateUserAsync(),
                    Email = new Proto.SetEmail { Address = victim, SendCode = new() },
                },
                await _api.AuthAsync()));

        Assert.Equal((429, ErrorCode.ResourceExhausted), (overJson.Status, overJson.ErrorCode()));
        Assert.InRange(int.Parse(overJson.Headers.GetValues("Retry-After").Single()), 3500, 3600);
        Assert.Equal(global::Grpc.Core.StatusCode.ResourceExhausted, overGrpc.StatusCode);
        Assert.InRange(int.Parse(overGrpc.Trailers.GetValue("retry-after")!), 3500, 3600);
    }

    [Fact]
    public async Task TheTwentyFirstAuthenticatorIsAFailedPrecondition()
    {
        var userId = await _api.CreateUserAsync();
        for (var i = 0; i < 20; i++)
        {
            await _api.AddOtpEmailAsync(userId, Json.Verified(ApiClient.NewAddress()));
        }

        var reply = await _api.AddOtpEmailAsync(userId, Json.Verified(ApiClient.NewAddress()));

        Assert.Equal((400, ErrorCode.FailedPrecondition), (reply.Status, reply.ErrorCode()));
        Assert.Equal("OTPEMAIL-TOO-MANY", reply.Json["details"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryOperationChecksPermissionAndOrganization()
    {
        var globex = await _api.CreateUserAsync(ApiClient.GlobexId);
        var added = await _api.AddOtpEmailAsync(globex, Json.ReturnCode(ApiClient.NewAddress()));
        var otpId = added.Json["otpEmailId"]!.GetValue<string>();
        var code = added.Json["verificationCode"]!.GetValue<string>();

        foreach (var caller in new[] { ApiClient.Viewer, ApiClient.Acme })
        {
            Assert.Equal(ErrorCode.PermissionDenied, (await _api.AddOtpEmailAsync(globex, Json.Verified(ApiClient.NewAddress()), caller)).ErrorCode());
            Assert.Equal(ErrorCode.PermissionDenied, (await _api.VerifyAsync(globex, otpId, code, caller)).ErrorCode());
            Assert.Equal(ErrorCode.PermissionDenied, (await _api.ResendAsync(globex, otpId, as_: caller)).ErrorCode());
            Assert.Equal(ErrorCode.PermissionDenied, (await _api.RemoveAsync(globex, otpId, caller)).ErrorCode());
        }

        Assert.Equal(401, (await _api.RemoveAsync(globex, otpId, as_: null)).Status);
        Assert.False(await _api.IsVerifiedAsync(globex, otpId));
    }
}

[Collection(ApiCollection.Name)]
public sealed class OtpEmailApiTestsOnSqlite(ApiFixture fixture) : OtpEmailApiTests(fixture);

[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class OtpEmailApiTestsOnPostgres(PostgresApiFixture fixture) : OtpEmailApiTests(fixture);
