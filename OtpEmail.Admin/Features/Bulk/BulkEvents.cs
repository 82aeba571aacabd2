using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>
/// <c>bulk.finished</c>: when a job ends (done or cancelled), an event of each organization whose
/// users its rows named, with that organization's counts, in the commit that ends the job.
/// </summary>
public sealed class BulkEvents(UserEventLog events)
{
    public const string Finished = "bulk.finished";

    /// <summary>Stages the events of <paramref name="jobId"/>'s end; its state is <paramref name="state"/> now.</summary>
    public async Task FinishedAsync(AppDbContext db, long jobId, BulkJobState state, Caller actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organizations = await (
            from row in db.BulkJobRows
            where row.JobId == jobId
            join user in db.Users on row.UserId equals user.Id
            group row by user.OrganizationId into rows
            select new
            {
                Organization = rows.Key,
                Rows = rows.Count(),
                Succeeded = rows.Count(r => r.Outcome == BulkRowOutcome.Ok),
                Failed = rows.Count(r => r.Outcome == BulkRowOutcome.Failed),
            }).ToListAsync(cancellationToken);
        var name = state == BulkJobState.Done ? "done" : "cancelled";
        foreach (var organization in organizations.OrderBy(o => o.Organization))
        {
            await events.AppendForOrganizationAsync(db, organization.Organization, Finished, actor,
                new { jobId, state = name, rows = organization.Rows, organization.Succeeded, organization.Failed }, now, cancellationToken);
        }
    }
}
