using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>The mail still waiting in the outbox: how many, and how long the oldest has waited.</summary>
public sealed record OutboxBacklog(int Depth, TimeSpan OldestAge)
{
    public static async Task<OutboxBacklog> ReadAsync(AppDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = db.OutboxMails.AsNoTracking().Where(m => m.Status == OutboxMailStatus.Pending);
        var depth = await waiting.CountAsync(cancellationToken);
        // By age on the pending index, not in key order past every mail ever sent.
        var oldest = await waiting.OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return new OutboxBacklog(depth, oldest is { } createdAt && now > createdAt ? now - createdAt : TimeSpan.Zero);
    }

    /// <summary>
    /// The waiting mail sent for some organizations: how many have failed a try and wait for the next,
    /// and how long the oldest has waited. Reads pending mail only (its own index), never the history.
    /// </summary>
    public static async Task<(int Retrying, TimeSpan OldestAge)> ForOrganizationsAsync(
        AppDbContext db, IReadOnlyCollection<long> organizationIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = db.OutboxMails.AsNoTracking()
            .Where(m => m.Status == OutboxMailStatus.Pending && m.OrganizationId != null && organizationIds.Contains(m.OrganizationId.Value));
        var retrying = await waiting.CountAsync(m => m.Attempts > 0, cancellationToken);
        var oldest = await waiting.OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return (retrying, oldest is { } createdAt && now > createdAt ? now - createdAt : TimeSpan.Zero);
    }
}
