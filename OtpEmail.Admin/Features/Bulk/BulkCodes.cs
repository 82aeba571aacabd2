using System.Collections.Concurrent;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>
/// The codes of a job's return-code rows, kept in memory only (codes are never stored in plain text)
/// until the finished job's results are first read, and never longer than <see cref="Lifetime"/>
/// after it finished. A restart forgets them: those rows then need a resend.
/// </summary>
public sealed class BulkCodes(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<long, Job> _jobs = new();

    public void Keep(long jobId, int row, string code) => _jobs.GetOrAdd(jobId, _ => new Job()).Codes[row] = code;

    public void Finished(long jobId)
    {
        if (_jobs.TryGetValue(jobId, out var job))
        {
            job.FinishedAt = time.GetUtcNow();
        }

        ForgetExpired();
    }

    /// <summary>The job's codes, once, and only within <see cref="Lifetime"/> of its end: they are gone afterwards.</summary>
    public IReadOnlyDictionary<int, string> Take(long jobId)
    {
        ForgetExpired();
        return _jobs.TryRemove(jobId, out var job) ? job.Codes : new Dictionary<int, string>();
    }

    /// <summary>Drops the codes of jobs that ended more than <see cref="Lifetime"/> ago (the runner calls it while idle).</summary>
    public void ForgetExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, job) in _jobs)
        {
            if (job.FinishedAt + Lifetime < now)
            {
                _jobs.TryRemove(id, out _);
            }
        }
    }

    private sealed class Job
    {
        public ConcurrentDictionary<int, string> Codes { get; } = new();

        public DateTimeOffset? FinishedAt { get; set; }
    }
}
