using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>Verifying with the code, called directly on a clock the tests move.</summary>
[Collection(HandlerCollection.Name)]
public sealed class VerifyOtpEmailTests(HandlerFixture fixture)
{
    [Fact]
    public async Task TheReturnedCodeVerifiesOnceIgnoringCase()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        var verified = await VerifyAsync(userId, otpId, code.ToLowerInvariant());
        var again = await VerifyAsync(userId, otpId, code);

        Assert.Equal(3, verified.Value.Details.Sequence);
        Assert.Equal(OtpEmailErrors.AlreadyVerified, again.Error);
        await using var db = fixture.Db();
        var stored = await db.OtpEmails.SingleAsync(a => a.Id == long.Parse(otpId));
        Assert.Equal(OtpEmailState.Ready, stored.State);
        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds(), stored.VerifiedAt?.ToUnixTimeMilliseconds());
        Assert.Null(stored.CodeHash);
        Assert.Null(stored.CodeExpiresAt);
    }

    [Fact]
    public async Task AWrongCodeIsInvalidArgumentAndTheFifthInvalidatesIt()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var wrong = code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA";

        var misses = new List<Result<VerifyOtpEmailResponse>>();
        for (var i = 0; i < 5; i++)
        {
            misses.Add(await VerifyAsync(userId, otpId, wrong));
        }

        var rightButTooLate = await VerifyAsync(userId, otpId, code);

        Assert.All(misses, miss => Assert.Equal("OTPEMAIL-CODE-WRONG", miss.Error!.Id));
        Assert.Contains("now invalidated", misses[4].Error!.Message);
        Assert.Equal(OtpEmailErrors.CodeInvalidated, rightButTooLate.Error);
        var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, userId, otpId,
            ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode), CancellationToken.None);
        Assert.True((await VerifyAsync(userId, otpId, resent.Value.VerificationCode!)).IsSuccess);
    }

    [Fact]
    public async Task FourWrongTriesStillLeaveTheRightCodeWorking()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        for (var i = 0; i < 4; i++)
        {
            Assert.False((await VerifyAsync(userId, otpId, "WRONG000")).IsSuccess);
        }

        Assert.True((await VerifyAsync(userId, otpId, code)).IsSuccess);
    }

    [Fact]
    public async Task ACodeWorksForTenMinutesAndThenExpires()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var (laterUser, laterOtpId, laterCode) = await fixture.AddReturningCodeAsync();

        fixture.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var justInTime = await VerifyAsync(userId, otpId, code);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var tooLate = await VerifyAsync(laterUser, laterOtpId, laterCode);

        Assert.True(justInTime.IsSuccess);
        Assert.Equal(OtpEmailErrors.CodeExpired, tooLate.Error);
    }

    [Fact]
    public async Task ACodeHasExpiredAtTheExactMomentItsTenMinutesEnd()
    {
        // On a whole millisecond, as times are stored: the expiry read back is the one issued.
        fixture.Clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - fixture.Clock.GetUtcNow().Ticks % TimeSpan.TicksPerMillisecond));
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(OtpEmailErrors.CodeExpired, (await VerifyAsync(userId, otpId, code)).Error);
    }

    [Fact]
    public async Task ACodeOfTwoHundredCharactersIsTriedAndALongerOneIsRefusedUntried()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        var longest = await VerifyAsync(userId, otpId, new string('A', 200));
        var tooLong = await VerifyAsync(userId, otpId, new string('A', 201));

        Assert.Equal(OtpEmailErrors.CodeWrong(invalidated: false), longest.Error);
        Assert.Equal(ErrorCode.InvalidArgument, tooLong.Error?.Code);
        Assert.Equal("OTPEMAIL-CODE-LENGTH", tooLong.Error?.Id);
        Assert.Equal("code", tooLong.Error?.Field);
        Assert.Contains("1–200 characters", tooLong.Error?.Message);
        await using var db = fixture.Db();
        Assert.Equal(1, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId) && e.Type == OtpEmailEvents.VerificationFailed));
        Assert.True((await VerifyAsync(userId, otpId, code)).IsSuccess);
    }

    [Fact]
    public async Task ANewCodeStartsTheCountOfWrongTriesAgain()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.False((await VerifyAsync(userId, otpId, "WRONG000")).IsSuccess);
        }

        var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, userId, otpId,
            ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode), CancellationToken.None);
        var fifthWrongInAll = await VerifyAsync(userId, otpId, "WRONG000");

        Assert.Equal(OtpEmailErrors.CodeWrong(invalidated: false), fifthWrongInAll.Error);
        Assert.True((await VerifyAsync(userId, otpId, resent.Value.VerificationCode!)).IsSuccess);
    }

    [Fact]
    public async Task ConcurrentVerifiesWithTheRightCodeHaveExactlyOneWinner()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => VerifyAsync(userId, otpId, code))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ErrorCode.FailedPrecondition, r.Error!.Code));
        await using var db = fixture.Db();
        Assert.Equal(1, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId) && e.Type == OtpEmailEvents.Verified));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task AMissingCodeIsInvalidArgument(string? code)
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync();

        var refused = await VerifyAsync(userId, otpId, code);

        Assert.Equal("OTPEMAIL-CODE-LENGTH", refused.Error?.Id);
    }

    [Theory]
    [InlineData("999999999999999999")]
    [InlineData("abc")]
    public async Task UnknownAuthenticatorsAreNotFound(string otpId)
    {
        var userId = await fixture.CreateUserAsync();

        Assert.Equal(OtpEmailId.NotFound, (await VerifyAsync(userId, otpId, "ABCDEFGH")).Error);
    }

    [Fact]
    public async Task AnotherUsersAuthenticatorIsNotFound()
    {
        var (_, otpId, code) = await fixture.AddReturningCodeAsync();
        var stranger = await fixture.CreateUserAsync();

        Assert.Equal(OtpEmailId.NotFound, (await VerifyAsync(stranger, otpId, code)).Error);
    }

    [Fact]
    public async Task EachTryAppendsAnEventWithItsActorAndNoCode()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var actor = Callers.Support(Callers.Acme);

        await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(actor, userId, otpId, new VerifyOtpEmailRequest { Code = "WRONG222" }, CancellationToken.None);
        await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(actor, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);

        await using var db = fixture.Db();
        var events = await db.UserEvents.Where(e => e.UserId == long.Parse(userId)).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([UserEventLog.UserCreated, OtpEmailEvents.Added, OtpEmailEvents.VerificationFailed, OtpEmailEvents.Verified], events.Select(e => e.Type));
        Assert.Equal([actor.Subject, actor.Subject], events.Skip(2).Select(e => e.ActorSubject));
        Assert.All(events, e => Assert.DoesNotContain(code, e.Payload, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OnlyASuccessfulVerificationIsLoggedAsVerified()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        await VerifyAsync(userId, otpId, "WRONG000");
        var afterTheMiss = VerifiedLines(otpId);
        await VerifyAsync(userId, otpId, code);

        Assert.Equal(0, afterTheMiss);
        Assert.Equal(1, VerifiedLines(otpId));
    }

    private int VerifiedLines(string otpId) =>
        fixture.App.Logs.Lines.Count(line => line.Contains($"OTP email {otpId} verified by {Callers.Admin.Subject}", StringComparison.Ordinal));

    private Task<Result<VerifyOtpEmailResponse>> VerifyAsync(string userId, string otpId, string? code) =>
        fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);
}
