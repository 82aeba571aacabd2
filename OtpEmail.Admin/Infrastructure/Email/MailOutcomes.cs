using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>What became of one mail: sent (with the relay's answer) or given up (with the reason).</summary>
public sealed record MailOutcome(
    long MailId, string? Reference, string To, bool Sent, int Attempts, string? RelayResponse, string? Reason, DateTimeOffset At);

/// <summary>
/// Told of each mail's outcome in the same unit of work as the outbox row's new state, so that what
/// the sender keeps of it (an audit event, a count) is committed with it or not at all. Implemented by
/// the features that send mail; stages only, never saves.
/// </summary>
public interface IMailOutcomeRecorder
{
    Task RecordAsync(AppDbContext db, IReadOnlyList<MailOutcome> outcomes, CancellationToken cancellationToken);
}
