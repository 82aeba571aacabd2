using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The rule behind the public verification page: anonymous, non-revealing, limited per client.</summary>
[Collection(HandlerCollection.Name)]
public sealed class VerifyLinkTests(HandlerFixture fixture)
{
    private static readonly string Acme = DecimalId.Format(Callers.Acme);
    private static readonly string Globex = DecimalId.Format(Callers.Globex);

    private VerifyLinkHandler Links => fixture.Get<VerifyLinkHandler>();

    [Fact]
    public async Task TheRightCodeVerifiesOnceAndRecordsTheLinkAsActor()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        var first = await Links.VerifyAsync(userId, Acme, code.ToLowerInvariant(), client, CancellationToken.None);
        var again = await Links.VerifyAsync(userId, Acme, code, client, CancellationToken.None);

        Assert.Equal(3, first.Value.Sequence);
        Assert.Equal(OtpEmailErrors.LinkFailed, again.Error);
        await using var db = fixture.Db();
        Assert.Equal(OtpEmailState.Ready, (await db.OtpEmails.SingleAsync(a => a.Id == long.Parse(otpId))).State);
        Assert.Equal(VerifyLinkHandler.LinkVisitor.Subject, db.UserEvents.Single(e => e.UserId == long.Parse(userId) && e.Type == OtpEmailEvents.Verified).ActorSubject);
    }

    [Fact]
    public async Task ThePreviewShowsTheMaskedAddressOnlyForAMatchingLink()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync("minnie@mouse.example");

        Assert.Equal("m•••@mouse.example", await Links.PreviewAsync(userId, Acme, code, NewClient(), CancellationToken.None));
        Assert.Null(await Links.PreviewAsync(userId, Globex, code, NewClient(), CancellationToken.None));
        Assert.Null(await Links.PreviewAsync(userId, Acme, "WRONG234", NewClient(), CancellationToken.None));
    }

    [Fact]
    public async Task EveryFailureLooksTheSame()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        var failures = new[]
        {
            await Links.VerifyAsync(userId, Acme, "WRONG234", client, CancellationToken.None),
            await Links.VerifyAsync(userId, Globex, code, client, CancellationToken.None),
            await Links.VerifyAsync("999999999999999999", Acme, code, client, CancellationToken.None),
            await Links.VerifyAsync("junk", null, null, client, CancellationToken.None),
        };

        Assert.All(failures, failure => Assert.Equal(OtpEmailErrors.LinkFailed, failure.Error));
    }

    [Fact]
    public async Task WrongLinkCodesCountTowardsInvalidation()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        for (var i = 0; i < 5; i++)
        {
            await Links.VerifyAsync(userId, Acme, "WRONG234", client, CancellationToken.None);
        }

        Assert.False((await Links.VerifyAsync(userId, Acme, code, client, CancellationToken.None)).IsSuccess);
        var viaApi = await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);
        Assert.Equal(OtpEmailErrors.CodeInvalidated, viaApi.Error);
    }

    [Fact]
    public async Task OneClientGetsTenAttemptsAMinute()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(OtpEmailErrors.LinkFailed, (await Links.VerifyAsync("1", "1", "x", client, CancellationToken.None)).Error);
        }

        var limited = await Links.VerifyAsync(userId, Acme, code, client, CancellationToken.None);
        var otherClient = await Links.VerifyAsync(userId, Acme, code, NewClient(), CancellationToken.None);

        Assert.Equal(ErrorCode.ResourceExhausted, limited.Error!.Code);
        Assert.NotNull(limited.Error.RetryAfter);
        Assert.True(otherClient.IsSuccess);
    }

    private static string NewClient() => $"198.51.100.{Random.Shared.Next(1, 255)}-{Guid.NewGuid():N}";
}
