using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>
/// Accepts mail into the outbox as part of the caller's unit of work, with its body encrypted, and
/// takes back mail that is no longer wanted; wakes the dispatcher once that work is committed, and
/// renders each mail for it. Only the outbox (this and <see cref="MailDispatcher"/>) changes outbox rows.
/// </summary>
public sealed class MailOutbox(
    IEnumerable<IMailTemplate> templates, IDataProtectionProvider dataProtection, IdGenerator ids, DbWriter writer, TimeProvider time)
{
    internal const string Purpose = "OtpEmail.Admin.Outbox.v1";
    private static readonly PreparedInsert<OutboxMail> Insert = new();
    private readonly Dictionary<string, IMailTemplate> _templates = templates.ToDictionary(t => t.Name, StringComparer.Ordinal);
    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    /// <summary>
    /// Stores the mail in the caller's transaction, at once (see <see cref="PreparedInsert{TEntity}"/>);
    /// nothing is sent before that transaction commits. Its template must be known here, not found
    /// missing at delivery. <paramref name="organizationId"/>: the organization it is sent for, if any.
    /// </summary>
    public async Task<OutboxMail> EnqueueAsync(
        AppDbContext db, string to, string subject, MailContent content, DateTimeOffset expiresAt, string? reference, CancellationToken cancellationToken,
        long? organizationId = null)
    {
        if (!_templates.ContainsKey(content.Template))
        {
            throw new ArgumentException($"No mail template is named '{content.Template}'.", nameof(content));
        }

        var now = time.GetUtcNow();
        var mail = new OutboxMail
        {
            Id = ids.Next(),
            To = to,
            Subject = subject,
            ProtectedBody = _protector.Protect(JsonSerializer.Serialize(new StoredMailBody(content.Template, content.Values), OutboxJson.Default.StoredMailBody)),
            CreatedAt = now,
            NextAttemptAt = now,
            ExpiresAt = expiresAt,
            Reference = reference,
            OrganizationId = organizationId,
        };
        await Insert.ExecuteAsync(db, mail, cancellationToken);
        return mail;
    }

    /// <summary>
    /// Stages giving up every pending mail about <paramref name="reference"/> in the caller's unit of
    /// work: their bodies are cleared and they are never sent.
    /// </summary>
    public async Task CancelPendingAsync(AppDbContext db, string reference, string reason, CancellationToken cancellationToken)
    {
        var pending = await db.OutboxMails
            .Where(m => m.Reference == reference && m.Status == OutboxMailStatus.Pending)
            .ToListAsync(cancellationToken);
        foreach (var mail in pending)
        {
            mail.Status = OutboxMailStatus.GivenUp;
            mail.ProtectedBody = null;
            mail.LastError = reason;
        }
    }

    /// <summary>The outbox as a queue: claims, leases and the dispatcher's wake-up (see <see cref="WorkQueue{T}"/>).</summary>
    internal WorkQueue<OutboxMail> Queue { get; } = new(writer, ids, m => m.Status == OutboxMailStatus.Pending);

    /// <summary>Tells the dispatcher that new mail was committed.</summary>
    public void Notify() => Queue.Notify();

    /// <summary>The message to send: rendered from its template, from <paramref name="sender"/> (<c>Mail:From</c>) under the template's display name.</summary>
    internal MimeMessage Compose(OutboxMail mail, string sender)
    {
        var body = Render(mail.ProtectedBody!);
        var from = MailboxAddress.Parse(sender);
        from.Name = body.SenderName ?? from.Name; // the display name only: the address stays Mail:From
        var message = new MimeMessage
        {
            Subject = body.Subject ?? mail.Subject,
            MessageId = $"{mail.Id}@{from.Domain}",
            Body = new BodyBuilder { TextBody = body.Text, HtmlBody = body.Html }.ToMessageBody(),
        };
        if (body.Language is { } language)
        {
            message.Body.Headers.Add(HeaderId.ContentLanguage, language); // a Content-* header: MIME keeps it on the body
        }

        message.From.Add(from);
        message.To.Add(new MailboxAddress("", mail.To));
        return message;
    }

    /// <summary>The mail's text and HTML, rendered from its template.</summary>
    internal MailBody Render(string protectedBody)
    {
        var stored = JsonSerializer.Deserialize(_protector.Unprotect(protectedBody), OutboxJson.Default.StoredMailBody)!;
        return _templates.TryGetValue(stored.Template, out var template)
            ? template.Render(stored.Values)
            : throw new InvalidOperationException($"No mail template is named '{stored.Template}'.");
    }
}
