using Microsoft.AspNetCore.Http;
using OtpEmail.Admin.Features.Events;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace OtpEmail.Admin.Tests.Features.Events;

/// <summary>Our signatures, checked by an independent implementation of Standard Webhooks (the StandardWebhooks package).</summary>
public sealed class WebhookSignatureTests
{
    private const string Body = """{"id":"163840776835432710","type":"otp_email.verified","data":{"address":"mini@mouse.com"}}""";

    [Fact]
    public void AReceiverWithTheSecretAcceptsTheSignature()
    {
        var (secret, now) = (WebhookSignature.NewSecret(), DateTimeOffset.UtcNow); // one time: two could fall in two seconds

        var headers = Headers(WebhookSignature.Sign([secret], "msg_1", now, Body), now);

        new StandardWebhook(secret).Verify(Body, headers); // throws when it does not verify
        Assert.StartsWith("whsec_", secret);
    }

    // The header carries one "v1,…" per secret, space-separated, as the specification says; the package
    // refused the two-signature header in our try ("No matching signature found"), so each is checked alone.
    [Fact]
    public void AfterARotationOneSignaturePerSecretVerifies()
    {
        var (old, fresh) = (WebhookSignature.NewSecret(), WebhookSignature.NewSecret());
        var now = DateTimeOffset.UtcNow;

        var signatures = WebhookSignature.Sign([fresh, old], "msg_1", now, Body).Split(' ');

        Assert.Equal(2, signatures.Length);
        new StandardWebhook(fresh).Verify(Body, Headers(signatures[0], now));
        new StandardWebhook(old).Verify(Body, Headers(signatures[1], now));
    }

    [Fact]
    public void AnotherSecretOrAChangedBodyIsRefused()
    {
        var now = DateTimeOffset.UtcNow;
        var headers = Headers(WebhookSignature.Sign([WebhookSignature.NewSecret()], "msg_1", now, Body), now);

        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSignature.NewSecret()).Verify(Body, headers));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSignature.NewSecret()).Verify(Body + " ", headers));
    }

    private static HeaderDictionary Headers(string signature, DateTimeOffset timestamp) => new()
    {
        [WebhookSignature.IdHeader] = "msg_1",
        [WebhookSignature.TimestampHeader] = timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        [WebhookSignature.SignatureHeader] = signature,
    };
}
