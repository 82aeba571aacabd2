using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Which receiver URLs an endpoint may have: absolute <c>https</c> (plain <c>http</c> only where loopback
/// is allowed, in Development), no user name or password in it, and a host that resolves only to
/// public addresses, checked at save here and again at each delivery by <see cref="OutboundAddresses"/>.
/// </summary>
public sealed class WebhookUrls(OutboundAddresses addresses)
{
    public const int MaxLength = 2000;

    public async Task<Result<Uri>> CheckAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxLength || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return Invalid("WEBHOOK-URL", $"url must be an absolute https URL of at most {MaxLength} characters");
        }

        // Plain http only to this machine, in Development, for trying webhooks out.
        if (uri.Scheme == Uri.UriSchemeHttp && !(addresses.AllowLoopback && await addresses.IsLoopbackAsync(uri.IdnHost, cancellationToken)))
        {
            return Invalid("WEBHOOK-URL-HTTPS", "url must use https");
        }

        if (uri.AbsoluteUri.Length > MaxLength)
        {
            return Invalid("WEBHOOK-URL", $"url must be an absolute https URL of at most {MaxLength} characters");
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return Invalid("WEBHOOK-URL", "url must not carry a user name, a password or a fragment");
        }

        return await addresses.RefusalAsync(uri.IdnHost, cancellationToken) is { } refusal
            ? Invalid("WEBHOOK-URL-ADDRESS", $"url is refused: {refusal}")
            : uri;
    }

    /// <summary>
    /// The URL as those who may not change it see it and as the audit trail keeps it: its scheme and host
    /// only, for the path and the query may carry the receiver's own token (e.g. <c>https://hooks.example.com/…</c>).
    /// </summary>
    public static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) + (uri.PathAndQuery is "/" ? "/" : "/…") : "…";

    private static AppError Invalid(string id, string message) => AppError.Invalid(id, message, "url");
}
