using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Email;

[Collection(HandlerCollection.Name)]
public sealed class MailOutboxTests(HandlerFixture fixture)
{
    [Fact]
    public async Task AQueuedMailsBodyIsEncryptedAtRest()
    {
        await using var db = fixture.Db();
        var outbox = fixture.Get<MailOutbox>();
        var body = new MailBody("code ZZZZ9999 here", "<p>ZZZZ9999</p>");

        var mail = await outbox.EnqueueAsync(db, ApiClient.NewAddress(), "subject", body, DateTimeOffset.UtcNow.AddMinutes(-1), "test:1", CancellationToken.None);

        Assert.DoesNotContain("ZZZZ9999", mail.ProtectedBody);
        Assert.Equal(body, outbox.Unprotect(mail.ProtectedBody!));
    }
}
