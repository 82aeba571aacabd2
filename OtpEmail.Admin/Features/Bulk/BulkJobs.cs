using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.Bulk;

public sealed record BulkJobStarted(string JobId);

public sealed record BulkRowResult(
    int Row,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OtpEmailId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorBody? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VerificationCode);

public sealed record BulkJobView(
    string JobId, BulkJobState State, string FileName, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int Total, int Done, int Succeeded, int Failed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<BulkRowResult>? Results)
{
    [JsonIgnore]
    public bool Finished => State != BulkJobState.Running;
}

/// <summary>Starts, reads and cancels bulk jobs; <see cref="BulkRunner"/> does the rows.</summary>
public sealed class BulkJobs(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, IdGenerator ids, BulkCodes codes, BulkEvents events, BulkRunner runner, TimeProvider time,
    IOptions<BulkSettings> settings)
{
    /// <summary>When a caller refused for having too many jobs running is told to try again.</summary>
    public static readonly TimeSpan TooManyJobsRetryAfter = TimeSpan.FromSeconds(30);

    public static AppError NotFound { get; } = AppError.NotFound("BULK-JOB-NOTFOUND", "Bulk job could not be found");

    public AppError TooManyJobs => AppError.Exhausted("BULK-TOO-MANY-JOBS",
        $"At most {settings.Value.MaxRunningJobsPerCaller} of your bulk jobs may run at once; start this one when one of them has finished", TooManyJobsRetryAfter);

    /// <summary>Starts a job from a file, read as it arrives (the API's upload).</summary>
    public async Task<Result<BulkJobStarted>> StartAsync(Caller caller, string fileName, Stream file, CancellationToken cancellationToken)
    {
        if (await RefusedAsync(caller, cancellationToken) is { } refused)
        {
            return refused; // before the file is read
        }

        var parsed = await BulkCsv.ParseAsync(file, cancellationToken);
        return parsed.IsSuccess ? await StartAsync(caller, fileName, parsed.Value, cancellationToken) : parsed.Error;
    }

    /// <summary>Starts a job from rows already read (the page's preview); each row's user is found again, as it is now.</summary>
    public async Task<Result<BulkJobStarted>> StartAsync(Caller caller, string fileName, IReadOnlyList<BulkRow> fileRows, CancellationToken cancellationToken)
    {
        if (await RefusedAsync(caller, cancellationToken) is { } refused)
        {
            return refused;
        }

        await using var read = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await BulkRequests.ResolveUsersAsync(read, caller, fileRows, cancellationToken);
        var now = time.GetUtcNow();
        var job = new BulkJob
        {
            Id = ids.Next(),
            ActorSubject = caller.Subject,
            ActorClient = caller.ClientId,
            Caller = JsonSerializer.Serialize(CallerSnapshot.Of(caller)),
            FileName = Truncate(Path.GetFileName(fileName), 260),
            CreatedAt = now,
            Total = rows.Count,
            Runner = runner.Token,
            RunnerLeaseUntil = now + BulkRunner.Lease,
        };
        var full = false;
        await writer.RunAsync(async db =>
        {
            await using var transaction = await DbWriter.BeginAsync(db); // the job and all its rows, or nothing
            // Counted again where the job is added: statements that run by themselves go through the writer's first lane one
            // at a time, so two starts in this instance cannot both pass.
            full = await RunningAsync(db, caller, CancellationToken.None) >= settings.Value.MaxRunningJobsPerCaller;
            if (full)
            {
                return;
            }

            db.BulkJobs.Add(job);
            await db.SaveChangesAsync(CancellationToken.None);
            await Rows.InsertManyAsync(db, rows.Select(row => Stored(job.Id, row)), CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }, cancellationToken);
        if (full)
        {
            return TooManyJobs;
        }

        runner.Wake();
        return new BulkJobStarted(DecimalId.Format(job.Id));
    }

    /// <summary>The job's state and counts, without results: for watching it.</summary>
    public async Task<Result<BulkJobView>> StatusAsync(Caller caller, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await FindAsync(db, caller, jobId, cancellationToken) is { } job ? View(job, null) : NotFound;
    }

    /// <summary>The job's state; once it is finished, its results, with codes in the first read only.</summary>
    public async Task<Result<BulkJobView>> ReadAsync(Caller caller, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var job = await FindAsync(db, caller, jobId, cancellationToken);
        if (job is null)
        {
            return NotFound;
        }

        if (job.State == BulkJobState.Running)
        {
            return View(job, null);
        }

        var now = time.GetUtcNow();
        var first = false; // whether this read is the one that marks the results read, through the writer as every write
        if (job.ResultsReadAt is null)
        {
            await writer.RunAsync(async write => first = await write.BulkJobs
                .Where(j => j.Id == job.Id && j.ResultsReadAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(j => j.ResultsReadAt, now), cancellationToken) == 1, cancellationToken);
        }

        var shown = first && job.FinishedAt + BulkCodes.Lifetime >= now ? codes.Take(job.Id) : new Dictionary<int, string>();
        var rows = await db.BulkJobRows.AsNoTracking().Where(r => r.JobId == job.Id && r.Outcome != BulkRowOutcome.Pending)
            .OrderBy(r => r.Row).ToListAsync(cancellationToken);
        return View(job, rows.Select(row => Result(row, shown.GetValueOrDefault(row.Row))).ToList());
    }

    public async Task<Result<BulkJobView>> CancelAsync(Caller caller, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var job = await FindAsync(db, caller, jobId, cancellationToken);
        if (job is null)
        {
            return NotFound;
        }

        var now = time.GetUtcNow();
        // By itself, each statement seeing what was committed before it: the update waits for the rows that read the
        // job as running (BulkRunner.ToDo), and the event then counts what they added.
        var cancelled = await writer.WriteAloneAsync<bool>(async (write, ct) =>
        {
            var cancelled = await write.BulkJobs.Where(j => j.Id == job.Id && j.State == BulkJobState.Running)
                .ExecuteUpdateAsync(set => set.SetProperty(j => j.State, BulkJobState.Cancelled).SetProperty(j => j.FinishedAt, now), ct);
            if (cancelled == 1)
            {
                await events.FinishedAsync(write, job.Id, BulkJobState.Cancelled, caller, now, ct);
            }

            return cancelled == 1;
        }, cancellationToken, BulkRunner.Job(job.Id));
        if (!cancelled.IsSuccess)
        {
            return cancelled.Error;
        }

        codes.Finished(job.Id);
        return await ReadAsync(caller, jobId, cancellationToken);
    }

    /// <summary>The caller's own jobs, newest first.</summary>
    public async Task<IReadOnlyList<BulkJobView>> ListAsync(Caller caller, int count, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var jobs = await db.BulkJobs.AsNoTracking().Where(j => j.ActorSubject == caller.Subject)
            .OrderByDescending(j => j.Id).Take(count).ToListAsync(cancellationToken);
        return jobs.Select(job => View(job, null)).ToList();
    }

    /// <summary>
    /// Every staff member's and client's jobs, newest first, for the audit: those whose starter acted
    /// within organizations the caller may see (all of them for a caller with every organization).
    /// </summary>
    public async Task<IReadOnlyList<BulkJobRecord>> AuditAsync(Caller caller, int count, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is not null)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var jobs = await db.BulkJobs.AsNoTracking().OrderByDescending(j => j.Id).Take(count * 4).ToListAsync(cancellationToken);
        return jobs
            .Where(job => JsonSerializer.Deserialize<CallerSnapshot>(job.Caller)!.Organizations is { } theirs
                ? theirs.All(caller.CanActOn)
                : caller.Organizations is null)
            .Take(count)
            .Select(job => new BulkJobRecord(job.ActorClient is { } client && client != job.ActorSubject ? $"{job.ActorSubject} ({client})" : job.ActorSubject,
                job.CreatedAt, job.FileName, job.State, job.Total, job.Succeeded, job.Failed, job.Done))
            .ToList();
    }

    // The caller may not enrol in bulk, or has as many jobs running as they may.
    private async Task<AppError?> RefusedAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (BulkRequests.Denied(caller) is { } denied)
        {
            return denied;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await RunningAsync(db, caller, cancellationToken) >= settings.Value.MaxRunningJobsPerCaller ? TooManyJobs : null;
    }

    private static Task<int> RunningAsync(AppDbContext db, Caller caller, CancellationToken cancellationToken) =>
        db.BulkJobs.CountAsync(j => j.ActorSubject == caller.Subject && j.State == BulkJobState.Running, cancellationToken);

    private static async Task<BulkJob?> FindAsync(AppDbContext db, Caller caller, string jobId, CancellationToken cancellationToken) =>
        DecimalId.TryParse(jobId, out var id)
            ? await db.BulkJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.ActorSubject == caller.Subject, cancellationToken)
            : null;

    private static readonly PreparedInsert<BulkJobRow> Rows = new();

    private static BulkJobRow Stored(long jobId, BulkCheckedRow row) => new()
    {
        JobId = jobId,
        Row = row.Row.Row,
        User = Truncate(row.Row.User, 320),
        UserId = row.UserId,
        Address = Truncate(row.Row.Address, 320),
        Mode = Truncate(row.Row.Mode, 40),
        UrlTemplate = row.Row.UrlTemplate is { } template ? Truncate(template, 2048) : null,
        Outcome = row.Problem is null ? BulkRowOutcome.Pending : BulkRowOutcome.Failed,
        ErrorCode = (int?)row.Problem?.Code,
        ErrorId = row.Problem?.Id,
        ErrorMessage = row.Problem?.Message,
    };

    private static BulkJobView View(BulkJob job, IReadOnlyList<BulkRowResult>? results) => new(
        DecimalId.Format(job.Id), job.State, job.FileName, job.CreatedAt, job.FinishedAt,
        job.Total, job.Done, job.Succeeded, job.Failed, results);

    private static BulkRowResult Result(BulkJobRow row, string? code) => row.Outcome == BulkRowOutcome.Ok
        ? new BulkRowResult(row.Row, "OK", row.OtpEmailId is { } id ? DecimalId.Format(id) : null, null, code)
        : new BulkRowResult(row.Row, "FAILED", null, ErrorBody.From(new AppError((ErrorCode)row.ErrorCode!.Value, row.ErrorId!, row.ErrorMessage!)), null);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>A job as the audit shows it: who, when, which file, how it went.</summary>
public sealed record BulkJobRecord(string Actor, DateTimeOffset CreatedAt, string FileName, BulkJobState State, int Total, int Succeeded, int Failed, int Done = 0);

/// <summary>What a job keeps of its starter, to act as them after a restart.</summary>
internal sealed record CallerSnapshot(string Subject, string? ClientId, string[] Granted, long[]? Organizations)
{
    public static CallerSnapshot Of(Caller caller) => new(caller.Subject, caller.ClientId, [.. caller.Granted], caller.Organizations?.ToArray());

    public Caller ToCaller() => new(Subject, ClientId, Granted.ToHashSet(StringComparer.Ordinal), Organizations?.ToHashSet());
}
