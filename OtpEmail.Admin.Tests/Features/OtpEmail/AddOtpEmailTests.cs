using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The add operation, called directly: what each mode does, the duplicate rule, events and secrets.</summary>
[Collection(HandlerCollection.Name)]
public sealed partial class AddOtpEmailTests(HandlerFixture fixture)
{
    private AddOtpEmailHandler Handler => fixture.Get<AddOtpEmailHandler>();

    [Fact]
    public async Task SendCodeMailsTheRenderedTemplateLink()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var added = await AddAsync(userId, SetEmail.For(address, VerificationMode.SendCode, "https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}"));

        Assert.Null(added.Value.VerificationCode);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Equal("Acme: verify your email address", mail.Subject);
        var link = Regex.Match(mail.TextBody!, @"https://example\.com/verify\?\S+").Value;
        Assert.Matches($"^https://example.com/verify\\?userID={userId}&code=[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{{8}}&orgID={Callers.Acme}$", link);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(link), mail.HtmlBody);
        Assert.Equal(OtpEmailState.Pending, await StateAsync(added.Value.OtpEmailId));
    }

    [Fact]
    public async Task SendCodeWithoutTemplateLinksToTheAppsOwnVerificationPage()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        await AddAsync(userId, SetEmail.For(address, VerificationMode.SendCode));

        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Matches($@"{fixture.App.PublicBaseUrl.AbsoluteUri}otp-email/verify\?userID={userId}&code=[A-Z2-9]{{8}}&orgID={Callers.Acme}", mail.TextBody);
    }

    [Fact]
    public async Task NoVerificationMemberBehavesAsSendCode()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var added = await AddAsync(userId, new SetEmail { Address = address });

        Assert.Null(added.Value.VerificationCode);
        Assert.Contains("/otp-email/verify?userID=", (await fixture.Smtp.WaitForMailToAsync(address)).TextBody);
    }

    [Fact]
    public async Task ReturnCodeReturnsTheCodeOnceAndQueuesNoMail()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var added = await AddAsync(userId, SetEmail.For(address, VerificationMode.ReturnCode));

        Assert.Matches("^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$", added.Value.VerificationCode);
        Assert.Equal(OtpEmailState.Pending, await StateAsync(added.Value.OtpEmailId));
        await using var db = fixture.Db();
        Assert.Null((await db.OtpEmails.SingleAsync(a => a.Id == long.Parse(added.Value.OtpEmailId))).VerifiedAt);
        Assert.False(await db.OutboxMails.AnyAsync(m => m.To == address));
    }

    [Fact]
    public async Task AlreadyVerifiedIsReadyAtOnceWithoutCodeOrMail()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var added = await AddAsync(userId, SetEmail.For(address, VerificationMode.AlreadyVerified));

        Assert.Null(added.Value.VerificationCode);
        await using var db = fixture.Db();
        var stored = await db.OtpEmails.SingleAsync(a => a.UserId == long.Parse(userId));
        Assert.Equal(OtpEmailState.Ready, stored.State);
        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds(), stored.VerifiedAt?.ToUnixTimeMilliseconds());
        Assert.Null(stored.CodeHash);
        Assert.False(await db.OutboxMails.AnyAsync(m => m.To == address));
    }

    [Fact]
    public async Task DetailsAreTheLastEventsAndIdsHaveEighteenDigitsInTimeOrder()
    {
        var userId = await fixture.CreateUserAsync();

        var first = await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(5));
        var second = await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.ReturnCode));

        Assert.Equal(2, first.Value.Details.Sequence); // creating the user was event 1
        Assert.Equal(3, second.Value.Details.Sequence);
        Assert.Equal(DecimalId.Format(Callers.Acme), second.Value.Details.ResourceOwner);
        Assert.Equal(fixture.Clock.GetUtcNow(), second.Value.Details.ChangeDate);
        Assert.Matches("^[1-9][0-9]{17}$", first.Value.OtpEmailId);
        Assert.True(string.CompareOrdinal(first.Value.OtpEmailId, second.Value.OtpEmailId) < 0, "ids grow with time");
    }

    [Fact]
    public async Task TheEventNamesTheActorAndModeAndNeverTheCode()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var actor = Callers.Support(Callers.Acme);

        var added = await Handler.HandleAsync(actor, userId, new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.ReturnCode) }, CancellationToken.None);

        await using var db = fixture.Db();
        var recorded = await db.UserEvents.SingleAsync(e => e.UserId == long.Parse(userId) && e.Sequence == 2);
        Assert.Equal(OtpEmailEvents.Added, recorded.Type);
        Assert.Equal(actor.Subject, recorded.ActorSubject);
        Assert.Equal(actor.ClientId, recorded.ActorClient);
        Assert.Contains(address, recorded.Payload);
        Assert.Contains("return_code", recorded.Payload);
        Assert.DoesNotContain(added.Value.VerificationCode!, recorded.Payload, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<SetEmail?, string> Refused => new()
    {
        { null, "OTPEMAIL-EMAIL-REQUIRED" },
        { new SetEmail { Address = "a@example.com", SendCode = new(), ReturnCode = new() }, "OTPEMAIL-VERIFICATION-ONEOF" },
        { new SetEmail { Address = "a@example.com", IsVerified = false }, "OTPEMAIL-ISVERIFIED-FALSE" },
        { new SetEmail { ReturnCode = new() }, "EMAIL-REQUIRED" },
        { new SetEmail { Address = "Mini <mini@mouse.com>", ReturnCode = new() }, "EMAIL-LOCAL-INVALID" },
        { SetEmail.For("a@example.com", VerificationMode.SendCode, "https://example.com/{{.Email}}"), "URLTEMPLATE-PLACEHOLDER" },
        { SetEmail.For("a@example.com", VerificationMode.SendCode, "http://example.com/{{.Code}}"), "URLTEMPLATE-SCHEME" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task ARefusedRequestWritesNothing(SetEmail? email, string id)
    {
        var userId = await fixture.CreateUserAsync();

        var refused = await Handler.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = email }, CancellationToken.None);

        Assert.Equal(ErrorCode.InvalidArgument, refused.Error?.Code);
        Assert.Equal(id, refused.Error?.Id);
        await using var db = fixture.Db();
        Assert.False(await db.OtpEmails.AnyAsync(a => a.UserId == long.Parse(userId)));
        Assert.False(await db.OutboxMails.AnyAsync(m => m.To == "a@example.com"));
        Assert.Equal(1, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId)));
    }

    [Fact]
    public async Task AMissingEmailIsRefusedWithAMessageThatNamesIt()
    {
        var refused = await Handler.HandleAsync(Callers.Admin, await fixture.CreateUserAsync(), new AddOtpEmailRequest(), CancellationToken.None);

        Assert.Equal("email", refused.Error?.Field);
        Assert.Equal("email is required", refused.Error?.Message);
    }

    [Fact]
    public async Task TheSameAddressTwiceIsAlreadyExistsWhateverItsCaseAndNamesTheAddress()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();
        await AddAsync(userId, SetEmail.For(address, VerificationMode.ReturnCode));

        var again = await Handler.HandleAsync(Callers.Admin, userId,
            new AddOtpEmailRequest { Email = SetEmail.For(address.ToUpperInvariant(), VerificationMode.AlreadyVerified) }, CancellationToken.None);

        Assert.Equal(ErrorCode.AlreadyExists, again.Error?.Code);
        Assert.Equal(OtpEmailErrors.AddressField, again.Error?.Field);
    }

    [Fact]
    public async Task TheSameAddressOnAnotherUserIsAllowed()
    {
        var address = ApiClient.NewAddress();

        await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(address, VerificationMode.AlreadyVerified));
        await AddAsync(await fixture.CreateUserAsync(), SetEmail.For(address, VerificationMode.AlreadyVerified));
    }

    [Fact]
    public async Task ConcurrentAddsOfOneAddressHaveExactlyOneWinner()
    {
        var userId = await fixture.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() =>
            Handler.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.ReturnCode) }, CancellationToken.None))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ErrorCode.AlreadyExists, r.Error!.Code));
        await using var db = fixture.Db();
        Assert.Equal(1, await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(userId)));
        Assert.Equal(2, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId)));
    }

    [Fact]
    public async Task ConcurrentAddsOfDifferentAddressesGetConsecutiveSequences()
    {
        var userId = await fixture.CreateUserAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            Handler.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified) }, CancellationToken.None))));

        Assert.Equal(Enumerable.Range(2, 16).Select(i => (long)i), results.Select(r => r.Value.Details.Sequence).Order());
    }

    [Fact]
    public async Task ConcurrentAddsAndRemovesOfOneUserAllSucceedWithConsecutiveSequences()
    {
        // A remove stages its event for the batch's save; an add stores its own at once: in one batch
        // each must number its event after the other's.
        var userId = await fixture.CreateUserAsync();
        var existing = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            existing.Add((await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.AlreadyVerified))).Value.OtpEmailId);
        }

        var remove = fixture.Get<RemoveOtpEmailHandler>();
        var removes = existing.Select(otpEmailId => Task.Run(async () =>
            (await remove.HandleAsync(Callers.Admin, userId, otpEmailId, CancellationToken.None)).Match<Result<Details>>(r => r.Details, e => e)));
        var adds = existing.Select(_ => Task.Run(async () =>
            (await Handler.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = SetEmail.For(ApiClient.NewAddress(), VerificationMode.ReturnCode) }, CancellationToken.None))
                .Match<Result<Details>>(r => r.Details, e => e)));
        var results = await Task.WhenAll(removes.Zip(adds).SelectMany(pair => new[] { pair.First, pair.Second }));

        Assert.All(results, r => Assert.True(r.IsSuccess, r.Error?.FullMessage));
        Assert.Equal(Enumerable.Range(10, 16).Select(i => (long)i), results.Select(r => r.Value.Sequence).Order());
        await using var db = fixture.Db();
        Assert.Equal(8, await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(userId) && a.State != OtpEmailState.Removed));
    }

    [Fact]
    public async Task CodesAreStoredOnlyAsKeyedHashesAndNeverLogged()
    {
        var userId = await fixture.CreateUserAsync();
        var mailed = ApiClient.NewAddress();

        var returned = await AddAsync(userId, SetEmail.For(ApiClient.NewAddress(), VerificationMode.ReturnCode));
        await AddAsync(userId, SetEmail.For(mailed, VerificationMode.SendCode));
        var mail = await fixture.Smtp.WaitForMailToAsync(mailed);
        var codes = new[] { returned.Value.VerificationCode!, CodeIn(mail.TextBody!) };

        await using var db = fixture.Db();
        var stored = await db.OtpEmails.Where(a => a.UserId == long.Parse(userId)).ToListAsync();
        Assert.All(stored, a => Assert.Equal(32, a.CodeHash!.Length));
        await Eventually.TrueAsync(async () =>
            await db.OutboxMails.AnyAsync(m => m.To == mailed && m.Status == OutboxMailStatus.Sent && m.ProtectedBody == null),
            "the sent mail's body to be cleared");

        var everything = await DatabaseDump.AllCellsAsync(db);
        var logs = string.Join('\n', fixture.App.Logs.Lines);
        foreach (var code in codes)
        {
            Assert.Matches("^[A-Z2-9]{8}$", code);
            Assert.DoesNotContain(code, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code, logs, StringComparison.OrdinalIgnoreCase);
        }

        var hasher = fixture.Get<VerificationCodes>();
        Assert.Contains(stored, a => hasher.Matches(codes[0].ToLowerInvariant(), a.CodeHash));
        Assert.Contains(stored, a => hasher.Matches(codes[1], a.CodeHash));
    }

    private async Task<Result<AddOtpEmailResponse>> AddAsync(string userId, SetEmail email)
    {
        var added = await Handler.HandleAsync(Callers.Admin, userId, new AddOtpEmailRequest { Email = email }, CancellationToken.None);
        Assert.True(added.IsSuccess, added.Error?.FullMessage);
        return added;
    }

    private async Task<OtpEmailState> StateAsync(string otpEmailId)
    {
        await using var db = fixture.Db();
        return await db.OtpEmails.Where(a => a.Id == long.Parse(otpEmailId)).Select(a => a.State).SingleAsync();
    }

    private static string CodeIn(string mailText) => MailedCode().Match(mailText).Groups[1].Value;

    [GeneratedRegex("code=([A-Z2-9]{8})")]
    private static partial Regex MailedCode();
}
