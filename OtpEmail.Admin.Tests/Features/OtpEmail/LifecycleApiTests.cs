using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

[Collection(ApiCollection.Name)]
public sealed class LifecycleApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task TheReturnedCodeVerifiesOnceIgnoringCase()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        var verified = await _api.VerifyAsync(userId, otpId, code.ToLowerInvariant());
        var again = await _api.VerifyAsync(userId, otpId, code);

        Assert.Equal(200, verified.Status);
        Assert.Equal("3", verified.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.True(await _api.IsVerifiedAsync(userId, otpId));
        Assert.Equal(400, again.Status);
        Assert.Equal(9, again.ErrorCode());
    }

    [Fact]
    public async Task AWrongCodeIsInvalidArgumentAndTheFifthInvalidatesTheCode()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();
        var wrong = code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA";

        var misses = new List<Reply>();
        for (var i = 0; i < 5; i++)
        {
            misses.Add(await _api.VerifyAsync(userId, otpId, wrong));
        }

        var rightButTooLate = await _api.VerifyAsync(userId, otpId, code);

        Assert.All(misses, miss => Assert.Equal(3, miss.ErrorCode()));
        Assert.Equal(400, rightButTooLate.Status);
        Assert.Equal(9, rightButTooLate.ErrorCode());
        Assert.False(await _api.IsVerifiedAsync(userId, otpId));

        var resent = await _api.ResendAsync(userId, otpId, """{"returnCode":{}}""");
        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, resent.Json["verificationCode"]!.GetValue<string>())).Status);
    }

    [Fact]
    public async Task FourWrongTriesStillLeaveTheRightCodeWorking()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(400, (await _api.VerifyAsync(userId, otpId, "WRONG000")).Status);
        }

        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, code)).Status);
    }

    [Fact]
    public async Task ConcurrentVerifiesWithTheRightCodeHaveExactlyOneWinner()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _api.VerifyAsync(userId, otpId, code)));

        Assert.Single(replies, r => r.Status == 200);
        Assert.All(replies.Where(r => r.Status != 200), r => Assert.Equal(9, r.ErrorCode()));
        await using var db = fixture.App.CreateDbContext();
        Assert.Equal(1, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId) && e.Type == "otp_email.verified"));
    }

    [Fact]
    public async Task ResendIssuesANewCodeAndTheOldOneStopsWorking()
    {
        var (userId, otpId, oldCode) = await _api.AddReturningCodeAsync();

        var resent = await _api.ResendAsync(userId, otpId, """{"return_code":{}}""");
        var newCode = resent.Json["verificationCode"]!.GetValue<string>();

        Assert.Equal(200, resent.Status);
        Assert.NotEqual(oldCode, newCode);
        Assert.Equal(400, (await _api.VerifyAsync(userId, otpId, oldCode)).Status);
        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, newCode)).Status);
    }

    [Fact]
    public async Task ResendBySendCodeMailsTheNewCodeAndReturnsNone()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, _) = await _api.AddReturningCodeAsync(address);

        var resent = await _api.ResendAsync(userId, otpId, """{"sendCode":{"urlTemplate":"https://example.com/v?c={{.Code}}"}}""");

        Assert.Equal(200, resent.Status);
        Assert.Null(resent.Json["verificationCode"]);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        var mailedCode = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, "c=([A-Z2-9]{8})").Groups[1].Value;
        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, mailedCode)).Status);
    }

    [Fact]
    public async Task AtMostFiveCodesAnHourThenResourceExhaustedWithRetryAfter()
    {
        var (userId, otpId, _) = await _api.AddReturningCodeAsync(); // code 1

        for (var i = 2; i <= 5; i++)
        {
            Assert.Equal(200, (await _api.ResendAsync(userId, otpId, """{"returnCode":{}}""")).Status);
        }

        var sixth = await _api.ResendAsync(userId, otpId, """{"returnCode":{}}""");

        Assert.Equal(429, sixth.Status);
        Assert.Equal(8, sixth.ErrorCode());
        var retryAfter = int.Parse(sixth.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 3000, 3600);
    }

    [Fact]
    public async Task ResendOnAReadyAuthenticatorIsFailedPrecondition()
    {
        var userId = await _api.CreateUserAsync();
        var added = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{ApiClient.NewAddress()}}","isVerified":true}""");

        var resent = await _api.ResendAsync(userId, added.Json["otpEmailId"]!.GetValue<string>(), """{"returnCode":{}}""");

        Assert.Equal(9, resent.ErrorCode());
    }

    [Theory]
    [InlineData("""{"sendCode":{},"returnCode":{}}""")]
    [InlineData("""{"sendCode":{"urlTemplate":"http://example.com/{{.Code}}"}}""")]
    public async Task BadResendRequestsAreInvalidArgument(string body)
    {
        var (userId, otpId, _) = await _api.AddReturningCodeAsync();

        var reply = await _api.ResendAsync(userId, otpId, body);

        Assert.Equal(400, reply.Status);
        Assert.Equal(3, reply.ErrorCode());
    }

    [Fact]
    public async Task RemovedAuthenticatorsAreNotListedAndTheAddressCanBeAddedAgain()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, code) = await _api.AddReturningCodeAsync(address);

        var removed = await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{userId}/otp_email/{otpId}", null);
        var user = await _api.GetAsync($"/v3alpha/users/{userId}");
        var verifyRemoved = await _api.VerifyAsync(userId, otpId, code);
        var removeAgain = await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{userId}/otp_email/{otpId}", null);
        var readded = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{address}}","isVerified":true}""");

        Assert.Equal(200, removed.Status);
        Assert.Equal("3", removed.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.Empty(user.Json["user"]!["authenticators"]!["otpEmail"]!.AsArray());
        Assert.Equal(5, verifyRemoved.ErrorCode());
        Assert.Equal(5, removeAgain.ErrorCode());
        Assert.Equal(200, readded.Status);
    }

    [Theory]
    [InlineData("999999999999999999")]
    [InlineData("abc")]
    public async Task UnknownAuthenticatorsAreNotFound(string otpId)
    {
        var userId = await _api.CreateUserAsync();

        Assert.Equal(5, (await _api.VerifyAsync(userId, otpId, "ABCDEFGH")).ErrorCode());
        Assert.Equal(5, (await _api.ResendAsync(userId, otpId, """{"returnCode":{}}""")).ErrorCode());
        Assert.Equal(5, (await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{userId}/otp_email/{otpId}", null)).ErrorCode());
    }

    [Fact]
    public async Task AnotherUsersAuthenticatorIsNotFound()
    {
        var (_, otpId, code) = await _api.AddReturningCodeAsync();
        var stranger = await _api.CreateUserAsync();

        Assert.Equal(5, (await _api.VerifyAsync(stranger, otpId, code)).ErrorCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task AMissingCodeIsInvalidArgument(string? code)
    {
        var (userId, otpId, _) = await _api.AddReturningCodeAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/verify", JsonSerializer.Serialize(new { code }));

        Assert.Equal(3, reply.ErrorCode());
    }

    [Fact]
    public async Task EveryLifecycleOperationChecksPermissionAndOrganization()
    {
        var globex = await _api.CreateUserAsync(ApiClient.GlobexId);
        var added = await _api.AddOtpEmailAsync(globex, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","returnCode":{}}""");
        var otpId = added.Json["otpEmailId"]!.GetValue<string>();
        var code = added.Json["verificationCode"]!.GetValue<string>();

        foreach (var caller in new[] { ApiClient.Viewer, ApiClient.Acme })
        {
            Assert.Equal(7, (await _api.PostAsync($"/v3alpha/users/{globex}/otp_email/{otpId}/verify", $$"""{"code":"{{code}}"}""", caller)).ErrorCode());
            Assert.Equal(7, (await _api.PostAsync($"/v3alpha/users/{globex}/otp_email/{otpId}/_resend", """{"returnCode":{}}""", caller)).ErrorCode());
            Assert.Equal(7, (await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{globex}/otp_email/{otpId}", null, caller)).ErrorCode());
        }

        Assert.Equal(401, (await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{globex}/otp_email/{otpId}", null, as_: null)).Status);
        Assert.False(await _api.IsVerifiedAsync(globex, otpId));
    }

    [Fact]
    public async Task EachOperationAppendsAnEventWithItsActorAndNoCode()
    {
        var acmeUser = await _api.CreateUserAsync(ApiClient.AcmeId);
        var added = await _api.AddOtpEmailAsync(acmeUser, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","returnCode":{}}""", ApiClient.Acme);
        var otpId = added.Json["otpEmailId"]!.GetValue<string>();
        var codes = new List<string> { added.Json["verificationCode"]!.GetValue<string>() };

        await _api.PostAsync($"/v3alpha/users/{acmeUser}/otp_email/{otpId}/verify", """{"code":"WRONG222"}""", ApiClient.Acme);
        var resent = await _api.PostAsync($"/v3alpha/users/{acmeUser}/otp_email/{otpId}/_resend", """{"returnCode":{}}""", ApiClient.Acme);
        codes.Add(resent.Json["verificationCode"]!.GetValue<string>());
        await _api.PostAsync($"/v3alpha/users/{acmeUser}/otp_email/{otpId}/verify", $$"""{"code":"{{codes[1]}}"}""", ApiClient.Acme);
        await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/{acmeUser}/otp_email/{otpId}", null, ApiClient.Admin);

        await using var db = fixture.App.CreateDbContext();
        var events = await db.UserEvents.Where(e => e.UserId == long.Parse(acmeUser)).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(
            ["user.created", "otp_email.added", "otp_email.verification_failed", "otp_email.code_issued", "otp_email.verified", "otp_email.removed"],
            events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal([ApiClient.Admin, ApiClient.Acme, ApiClient.Acme, ApiClient.Acme, ApiClient.Acme, ApiClient.Admin], events.Select(e => e.ActorSubject));
        Assert.All(events, e => Assert.All(codes, code => Assert.DoesNotContain(code, e.Payload, StringComparison.OrdinalIgnoreCase)));
    }
}
