using OtpEmail.Admin.Features.Bulk;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>Bulk jobs put straight into an app's database as a stopped app, or another instance, leaves them.</summary>
public static class BulkJobsLeftRunning
{
    /// <summary>
    /// A running job of <paramref name="rows"/>, started by the admin API client (<see cref="ApiClient.Admin"/>), held by
    /// <paramref name="runner"/> until <paramref name="leaseUntil"/> (another runner than the app's: the app leaves it alone
    /// until then), or by none.
    /// </summary>
    public static async Task AddAsync(
        AppFactory app, long jobId, IReadOnlyCollection<BulkJobRow> rows, long? runner = null, DateTimeOffset? leaseUntil = null)
    {
        await using var db = app.CreateDbContext();
        db.BulkJobs.Add(new BulkJob
        {
            Id = jobId,
            ActorSubject = ApiClient.Admin,
            ActorClient = ApiClient.Admin,
            FileName = "left.csv",
            Total = rows.Count,
            CreatedAt = DateTimeOffset.UtcNow,
            Caller = $$"""{"Subject":"{{ApiClient.Admin}}","ClientId":"{{ApiClient.Admin}}","Granted":["user.read","user.write","user.credential.write"],"Organizations":null}""",
            Runner = runner,
            RunnerLeaseUntil = leaseUntil,
        });
        db.BulkJobRows.AddRange(rows);
        await db.SaveChangesAsync();
    }
}
