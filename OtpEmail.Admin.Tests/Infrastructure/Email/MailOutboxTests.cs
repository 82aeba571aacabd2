using OtpEmail.Admin.Features.MailTexts;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Email;

[Collection(HandlerCollection.Name)]
public sealed class MailOutboxTests(HandlerFixture fixture)
{
    private static readonly Uri Link = new("https://verify.example/otp?code=ZZZZ9999");

    private static readonly VerificationMessage English = new("en", "Acme", null, null);

    [Fact]
    public async Task AQueuedMailsBodyIsEncryptedAtRestAndRenderedFromItsTemplate()
    {
        await using var db = fixture.Db();
        var outbox = fixture.Get<MailOutbox>();

        var mail = await outbox.EnqueueAsync(
            db, ApiClient.NewAddress(), "subject", English.Content(MailPreview.SampleUser, "ZZZZ9999", Link, TimeSpan.FromMinutes(15)), DateTimeOffset.UtcNow.AddMinutes(-1), "test:1", CancellationToken.None);

        Assert.DoesNotContain("ZZZZ9999", mail.ProtectedBody);
        Assert.DoesNotContain("verify.example", mail.ProtectedBody);
        var body = outbox.Render(mail.ProtectedBody!);
        Assert.Contains("Your code: ZZZZ9999", body.Text);
        Assert.Contains("within 15 minutes", body.Text);
        Assert.Contains($"Verify email address: {Link.AbsoluteUri}\n", body.Text.ReplaceLineEndings("\n"));
        Assert.Contains("<a href=\"https://verify.example/otp?code=ZZZZ9999\" style=", body.Html);
    }

    [Fact]
    public async Task AMailWithATemplateNoOneKnowsIsRefusedWhenQueued()
    {
        await using var db = fixture.Db();
        var content = new MailContent("no-such-template", new Dictionary<string, string>());

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Get<MailOutbox>().EnqueueAsync(
            db, ApiClient.NewAddress(), "subject", content, DateTimeOffset.UtcNow.AddMinutes(10), "test:2", CancellationToken.None));

        Assert.Contains("no-such-template", refused.Message);
    }
}
