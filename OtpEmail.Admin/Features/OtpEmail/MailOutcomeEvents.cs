using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Appends each verification mail's outcome (<c>otp_email.mail_sent</c>, <c>otp_email.mail_failed</c>)
/// to its user's audit trail, in the commit that records it on the outbox row: the address, the tries
/// and the relay's answer, never the code; and counts it for the organization's overview.
/// </summary>
public sealed class MailOutcomeEvents(UserEventLog events, OrganizationTally tally) : IMailOutcomeRecorder
{
    /// <summary>The actor of delivery events: the app's own mail dispatcher.</summary>
    public static Caller Dispatcher { get; } = new("system:mail", null, new HashSet<string>(), null);

    public async Task RecordAsync(AppDbContext db, IReadOnlyList<MailOutcome> outcomes, CancellationToken cancellationToken)
    {
        var ours = outcomes.Select(o => (Outcome: o, Id: MailDelivery.AuthenticatorOf(o.Reference))).Where(o => o.Id is not null).ToList();
        if (ours.Count == 0)
        {
            return;
        }

        var ids = ours.Select(o => o.Id!.Value).Distinct().ToList();
        // One read for the round: each authenticator's user and the sequence of that user's last event.
        var targets = await db.OtpEmails.AsNoTracking()
            .Where(a => ids.Contains(a.Id))
            .Join(db.Users.AsNoTracking(), a => a.UserId, u => u.Id, (a, u) => new
            {
                a.Id,
                a.Address,
                User = u,
                LastEvent = db.Set<UserEvent>().Where(e => e.UserId == u.Id).Max(e => (long?)e.Sequence) ?? 0,
            })
            .ToDictionaryAsync(t => t.Id, cancellationToken);
        var lastEvents = new Dictionary<long, long>(); // a user with two mails in the round: the second event follows the first
        var tallies = new Dictionary<(long Organization, long Hour), (DateTimeOffset At, int Sent, int Failed)>(); // one count a group, not one a mail
        foreach (var (outcome, id) in ours)
        {
            if (targets.TryGetValue(id!.Value, out var target))
            {
                var appended = await events.AppendAsync(db, target.User, outcome.Sent ? OtpEmailEvents.MailSent : OtpEmailEvents.MailFailed, Dispatcher,
                    new { otpEmailId = DecimalId.Format(target.Id), target.Address, outcome.Attempts, outcome.RelayResponse, outcome.Reason },
                    outcome.At, cancellationToken, lastEvents.GetValueOrDefault(target.User.Id, target.LastEvent));
                lastEvents[target.User.Id] = appended.Sequence;
                var group = (target.User.OrganizationId, OrganizationTally.HourOf(outcome.At));
                var (at, sent, failed) = tallies.GetValueOrDefault(group, (outcome.At, 0, 0));
                tallies[group] = outcome.Sent ? (at, sent + 1, failed) : (at, sent, failed + 1);
            }
        }

        foreach (var ((organization, _), (at, sent, failed)) in tallies)
        {
            await tally.CountAsync(db, organization, at, new TallyChange(MailsSent: sent, MailsFailed: failed), cancellationToken);
        }
    }
}
