using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Infrastructure.Idempotency;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Idempotency;

/// <summary>The JSON door with an <c>Idempotency-Key</c>, on a clock the tests move.</summary>
public sealed class IdempotencyFixture : HandlerFixture
{
    private ApiClient? _api;

    public ApiClient Api => _api ??= new ApiClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{App.HttpPort}") });
}

[CollectionDefinition(Name)]
public sealed class IdempotencyCollection : ICollectionFixture<IdempotencyFixture>
{
    public const string Name = "idempotency";
}

[Collection(IdempotencyCollection.Name)]
public sealed class IdempotencyApiTests(IdempotencyFixture fixture)
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task AnAddRetriedWithItsKeyGetsTheSameBodyAndCodeAndAddsOnce()
    {
        var userId = await Api.CreateUserAsync();
        var body = Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) });
        var key = NewKey();

        var first = await Api.PostIdempotentAsync(AddPath(userId), body, key); // the client never sees this answer
        var retried = await Api.PostIdempotentAsync(AddPath(userId), body, key);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Status, retried.Status);
        Assert.Equal(first.Body, retried.Body);
        Assert.NotNull(retried.Json["verificationCode"]);
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues(IdempotencyKey.ReplayedHeader)));
        Assert.Equal(1, await AuthenticatorsAsync(userId));
        Assert.Equal(1, await EventsAsync(userId, except: UserEventLog.UserCreated));
    }

    [Fact]
    public async Task AnAddInSendModeRetriedWithItsKeySendsOneMail()
    {
        var userId = await Api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var body = Json.Of(new { email = Json.SendCode(address) });
        var key = NewKey();

        var first = await Api.PostIdempotentAsync(AddPath(userId), body, key);
        var retried = await Api.PostIdempotentAsync(AddPath(userId), body, key);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, retried.Body);
        Assert.Equal(1, await MailsToAsync(address));
        Assert.Equal(1, await AuthenticatorsAsync(userId));
    }

    [Fact]
    public async Task TheSameKeyWithAnotherRequestIsRefusedWith422()
    {
        var userId = await Api.CreateUserAsync();
        var key = NewKey();
        Assert.Equal(200, (await Api.PostIdempotentAsync(AddPath(userId), Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) }), key)).Status);

        var other = await Api.PostIdempotentAsync(AddPath(userId), Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) }), key);

        Assert.Equal(422, other.Status);
        Assert.Equal(ErrorCode.InvalidArgument, other.ErrorCode());
        Assert.Equal("IDEMPOTENCY-KEY-REUSED", other.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(1, await AuthenticatorsAsync(userId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("\"\"")]
    public async Task AMalformedKeyIsRefusedAndChangesNothing(string key)
    {
        var userId = await Api.CreateUserAsync();

        var refused = await Api.PostIdempotentAsync(AddPath(userId), Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) }), key);

        Assert.Equal(400, refused.Status);
        Assert.Equal("IDEMPOTENCY-KEY-INVALID", refused.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(0, await AuthenticatorsAsync(userId));
    }

    [Fact]
    public async Task AKeyTooLongIsRefused()
    {
        var userId = await Api.CreateUserAsync();

        var refused = await Api.PostIdempotentAsync(AddPath(userId), Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) }), new string('k', 256));
        var longest = await Api.PostIdempotentAsync(AddPath(userId), Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) }), new string('k', 255));

        Assert.Equal(400, refused.Status);
        Assert.Equal(200, longest.Status);
    }

    [Fact]
    public async Task TwentyConcurrentRequestsWithOneKeyAddOnceAndTheOthersReplayOrWait()
    {
        var userId = await Api.CreateUserAsync();
        var body = Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) });
        var key = NewKey();
        await Api.TokenAsync(ApiClient.Admin);

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Api.PostIdempotentAsync(AddPath(userId), body, key)));

        var answered = replies.Where(r => r.Status == 200).ToList();
        Assert.NotEmpty(answered);
        Assert.Single(answered.Select(r => r.Body).Distinct());
        foreach (var waiting in replies.Where(r => r.Status != 200))
        {
            Assert.Equal(409, waiting.Status);
            Assert.Equal(ErrorCode.Aborted, waiting.ErrorCode());
            Assert.Equal("1", Assert.Single(waiting.Headers.GetValues("Retry-After")));
        }

        Assert.Equal(1, await AuthenticatorsAsync(userId));
    }

    [Fact]
    public async Task AResendRetriedWithItsKeySendsOneMail()
    {
        var userId = await Api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var added = await Api.AddOtpEmailAsync(userId, Json.SendCode(address));
        var resendPath = $"{AddPath(userId)}/{added.Json["otpEmailId"]!.GetValue<string>()}/_resend";
        var key = NewKey();

        var first = await Api.PostIdempotentAsync(resendPath, Json.Of(new { sendCode = new { } }), key);
        var retried = await Api.PostIdempotentAsync(resendPath, Json.Of(new { sendCode = new { } }), key);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, retried.Body);
        Assert.Equal(2, await MailsToAsync(address)); // the add's and one resend's
    }

    [Fact]
    public async Task ACreateUserRetriedWithItsKeyCreatesOneUser()
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        var body = Json.Of(new
        {
            organization = new { orgId = ApiClient.AcmeId },
            user = new { username, givenName = "Test", familyName = "User", contact = new { email = new { address = username + "@example.com" } } },
        });
        var key = NewKey();

        var first = await Api.PostIdempotentAsync("/v3alpha/users", body, key);
        var retried = await Api.PostIdempotentAsync("/v3alpha/users", body, key);

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, retried.Body);
        await using var db = fixture.Db();
        Assert.Equal(1, await db.Users.CountAsync(u => u.Username == username));
    }

    [Fact]
    public async Task ABulkStartRetriedWithItsKeyStartsOneJob()
    {
        var userId = await Api.CreateUserAsync();
        var csv = $"user,address,mode\n{userId},{ApiClient.NewAddress()},return_code\n";
        var key = NewKey();
        var before = await JobsAsync();

        var first = await Api.PostIdempotentAsync("/v3alpha/users/otp_email/_bulk", csv, key, BulkCsv.MediaType);
        var retried = await Api.PostIdempotentAsync("/v3alpha/users/otp_email/_bulk", csv, key, BulkCsv.MediaType);

        Assert.Equal(202, first.Status);
        Assert.Equal(202, retried.Status);
        Assert.Equal(first.Json["jobId"]!.GetValue<string>(), retried.Json["jobId"]!.GetValue<string>());
        Assert.Equal(before + 1, await JobsAsync());
    }

    [Fact]
    public async Task ARefusalIsKeptForItsRetries()
    {
        var userId = await Api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var taken = await Api.AddOtpEmailAsync(userId, Json.ReturnCode(address));
        var body = Json.Of(new { email = Json.ReturnCode(address) });
        var key = NewKey();
        Assert.Equal(409, (await Api.PostIdempotentAsync(AddPath(userId), body, key)).Status);
        Assert.Equal(200, (await Api.RemoveAsync(userId, taken.Json["otpEmailId"]!.GetValue<string>())).Status);

        var retried = await Api.PostIdempotentAsync(AddPath(userId), body, key);

        Assert.Equal(409, retried.Status); // the first answer, though the address is free now
        Assert.Equal(ErrorCode.AlreadyExists, retried.ErrorCode());
    }

    [Fact]
    public async Task AReplayAfterTheCodeExpiredCarriesNoCodeAndTheStoredCodeIsErased()
    {
        var userId = await Api.CreateUserAsync();
        var body = Json.Of(new { email = Json.ReturnCode(ApiClient.NewAddress()) });
        var key = NewKey();
        var first = await Api.PostIdempotentAsync(AddPath(userId), body, key);
        Assert.NotNull(first.Json["verificationCode"]);
        Assert.NotNull((await RecordAsync(key)).ProtectedBody);
        Assert.DoesNotContain(first.Json["verificationCode"]!.GetValue<string>(), System.Text.Encoding.UTF8.GetString((await RecordAsync(key)).Body!));

        fixture.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var replayed = await Api.PostIdempotentAsync(AddPath(userId), body, key);

        Assert.Equal(200, replayed.Status);
        Assert.Null(replayed.Json["verificationCode"]);
        Assert.Equal(first.Json["otpEmailId"]!.GetValue<string>(), replayed.Json["otpEmailId"]!.GetValue<string>());
        Assert.Equal("code-expired", Assert.Single(replayed.Headers.GetValues(IdempotencyKey.ReplayedHeader)));
        Assert.Null((await RecordAsync(key)).ProtectedBody);
        Assert.Equal(1, await AuthenticatorsAsync(userId));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(202, true)]
    [InlineData(400, true)]
    [InlineData(409, true)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void WhichAnswersAreKept(int status, bool kept) => Assert.Equal(kept, IdempotencyStore.Keeps(status));

    private static string NewKey() => Guid.NewGuid().ToString();

    private static string AddPath(string userId) => $"/v3alpha/users/{userId}/otp_email";

    private async Task<int> AuthenticatorsAsync(string userId)
    {
        await using var db = fixture.Db();
        return await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(userId));
    }

    private async Task<int> EventsAsync(string userId, string except)
    {
        await using var db = fixture.Db();
        return await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId) && e.Type != except);
    }

    private async Task<int> MailsToAsync(string address)
    {
        await using var db = fixture.Db();
        return await db.OutboxMails.CountAsync(m => m.To == address);
    }

    private async Task<int> JobsAsync()
    {
        await using var db = fixture.Db();
        return await db.BulkJobs.CountAsync();
    }

    private async Task<IdempotencyRecord> RecordAsync(string key)
    {
        await using var db = fixture.Db();
        return await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Key == key);
    }
}
