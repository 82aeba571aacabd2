using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

public enum DeliveryState
{
    /// <summary>Waiting for its first try.</summary>
    Queued,

    /// <summary>Taken by the relay.</summary>
    Sent,

    /// <summary>Tried and failed for now; tried again at <see cref="MailDelivery.NextAttemptAt"/>.</summary>
    Retrying,

    /// <summary>Never going: refused for good by the relay, or expired before it could go.</summary>
    Failed,
}

/// <summary>Where an authenticator's latest verification mail is, as the outbox row says.</summary>
public sealed record MailDelivery(
    DeliveryState State, int Attempts, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, string? RelayResponse, string? LastError)
{
    /// <summary>The state as the wire writes it (<c>DELIVERY_STATE_SENT</c>).</summary>
    public string WireState => $"DELIVERY_STATE_{State.ToString().ToUpperInvariant()}";

    /// <summary>The latest mail of each of these authenticators that has one, by authenticator id.</summary>
    public static async Task<Dictionary<long, MailDelivery>> LatestAsync(AppDbContext db, IReadOnlyCollection<long> authenticatorIds, CancellationToken cancellationToken)
    {
        var references = authenticatorIds.Select(Reference).ToList();
        var mails = await db.OutboxMails.AsNoTracking()
            .Where(m => references.Contains(m.Reference!))
            .Select(m => new { m.Id, m.Reference, m.Status, m.Attempts, m.LastAttemptAt, m.NextAttemptAt, m.SentAt, m.RelayResponse, m.LastError })
            .ToListAsync(cancellationToken);
        return mails
            .GroupBy(m => m.Reference!)
            .Select(group => group.MaxBy(m => m.Id)!) // ids follow time: the latest mail
            .ToDictionary(
                m => long.Parse(m.Reference!.AsSpan(Prefix.Length), System.Globalization.CultureInfo.InvariantCulture),
                m => m.Status switch
                {
                    OutboxMailStatus.Sent => new MailDelivery(DeliveryState.Sent, m.Attempts, m.SentAt, null, m.RelayResponse, null),
                    OutboxMailStatus.GivenUp => new MailDelivery(DeliveryState.Failed, m.Attempts, m.LastAttemptAt, null, m.RelayResponse, m.LastError),
                    _ when m.Attempts == 0 => new MailDelivery(DeliveryState.Queued, 0, null, m.NextAttemptAt, null, null),
                    _ => new MailDelivery(DeliveryState.Retrying, m.Attempts, m.LastAttemptAt, m.NextAttemptAt, m.RelayResponse, m.LastError),
                });
    }

    private const string Prefix = "otp_email:";

    /// <summary>How the outbox refers to an authenticator's mail (see <see cref="OtpEmailAuthenticator.MailReference"/>).</summary>
    public static string Reference(long authenticatorId) => Prefix + DecimalId.Format(authenticatorId);

    /// <summary>The authenticator a mail is about, if it is one's.</summary>
    public static long? AuthenticatorOf(string? reference) =>
        reference is not null && reference.StartsWith(Prefix, StringComparison.Ordinal) && DecimalId.TryParse(reference[Prefix.Length..], out var id) ? id : null;
}
