using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>Limits against using the app to flood an inbox or to pile up authenticators.</summary>
[Collection(HandlerCollection.Name)]
public sealed class MailAbuseTests(HandlerFixture fixture)
{
    private AddOtpEmailHandler Adder => fixture.Get<AddOtpEmailHandler>();

    [Fact]
    public async Task AtMostTenVerificationMailsAnHourGoToOneAddressAcrossAllUsers()
    {
        var victim = ApiClient.NewAddress();
        for (var i = 0; i < 10; i++)
        {
            var user = await fixture.CreateUserAsync(i % 2 == 0 ? Callers.Acme : Callers.Globex);
            Assert.True((await AddAsync(user, SetEmail.For(victim, VerificationMode.SendCode))).IsSuccess);
        }

        var eleventh = await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(victim.ToUpperInvariant(), VerificationMode.SendCode));
        var returned = await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(victim, VerificationMode.ReturnCode));

        Assert.Equal(ErrorCode.ResourceExhausted, eleventh.Error?.Code);
        Assert.Equal("OTPEMAIL-RECIPIENT-LIMIT", eleventh.Error?.Id);
        Assert.Equal(OtpEmailErrors.AddressField, eleventh.Error?.Field);
        Assert.Contains("At most 10 verification mails an hour", eleventh.Error?.Message);
        Assert.InRange(eleventh.Error!.RetryAfter!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.True(returned.IsSuccess); // no mail, no limit
    }

    [Fact]
    public async Task TaggedAddressesOfOneMailboxShareItsLimit()
    {
        var victim = ApiClient.NewAddress();
        var at = victim.IndexOf('@');
        var results = new List<Result<AddOtpEmailResponse>>();
        for (var i = 0; i < 14; i++)
        {
            var tagged = $"{victim[..at]}+{i}{victim[at..]}";
            results.Add(await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(i % 2 == 0 ? tagged : tagged.ToUpperInvariant(), VerificationMode.SendCode)));
        }

        Assert.Equal(10, results.Count(r => r.IsSuccess));
        Assert.All(results.Skip(10), r => Assert.Equal("OTPEMAIL-RECIPIENT-LIMIT", r.Error?.Id));
        await using var db = fixture.Db();
        Assert.Equal(10, (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == victim)).Count);
    }

    [Fact]
    public async Task AddsToOneAddressAtOnceAreCountedOneByOne()
    {
        // Together they share the writer's batches: counts stored, staged and updated in one unit of work.
        var victim = ApiClient.NewAddress();
        var users = new List<string>();
        for (var i = 0; i < 14; i++)
        {
            users.Add(await fixture.CreateUserAsync());
        }

        var results = await Task.WhenAll(users.Select(user => Task.Run(() => AddAsync(user, SetEmail.For(victim, VerificationMode.SendCode)))));

        Assert.Equal(10, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal("OTPEMAIL-RECIPIENT-LIMIT", r.Error?.Id));
        await using var db = fixture.Db();
        Assert.Equal(10, (await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == victim)).Count);
        Assert.Equal(10, await db.OutboxMails.CountAsync(m => m.To == victim));
    }

    [Fact]
    public async Task ResentMailsCountTowardsTheAddressesLimitToo()
    {
        var victim = ApiClient.NewAddress();
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync(victim);
        var resender = fixture.Get<ResendOtpEmailCodeHandler>();
        for (var i = 0; i < 4; i++)
        {
            await resender.HandleAsync(Callers.Admin, userId, otpId, ResendOtpEmailCodeRequest.For(VerificationMode.SendCode), CancellationToken.None);
        }

        for (var i = 0; i < 6; i++)
        {
            Assert.True((await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(victim, VerificationMode.SendCode))).IsSuccess);
        }

        var over = await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(victim, VerificationMode.SendCode));
        Assert.Equal("OTPEMAIL-RECIPIENT-LIMIT", over.Error?.Id);
    }

    [Fact]
    public async Task AUserHasAtMostTwentyLiveAuthenticators()
    {
        var userId = await fixture.CreateUserAsync();
        var added = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            added.Add((await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified))).Value.OtpEmailId);
        }

        var twentyFirst = await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified));
        await fixture.Get<RemoveOtpEmailHandler>().HandleAsync(Callers.Admin, userId, added[0], CancellationToken.None);
        var afterRemoving = await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified));

        Assert.Equal(ErrorCode.FailedPrecondition, twentyFirst.Error?.Code);
        Assert.Equal("OTPEMAIL-TOO-MANY", twentyFirst.Error?.Id);
        Assert.Contains("at most 20 OTP Email authenticators", twentyFirst.Error?.Message);
        Assert.True(afterRemoving.IsSuccess);
    }

    private Task<Result<AddOtpEmailResponse>> AddAsync(string userId, SetEmail email) =>
        Adder.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = email }, CancellationToken.None);
}
