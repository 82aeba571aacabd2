using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Signs a delivery as the Standard Webhooks specification says: <c>webhook-signature</c> is
/// <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c> under the secret (<c>whsec_</c> +
/// base64 key); with several secrets (after a rotation) one signature per secret, space-separated.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>A new signing secret: 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> header's value for the message under each of <paramref name="secrets"/>.</summary>
    public static string Sign(IEnumerable<string> secrets, string messageId, DateTimeOffset timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), signed))));
    }

    private static byte[] Key(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : throw new ArgumentException($"A webhook secret starts with {SecretPrefix}.", nameof(secret));
}
