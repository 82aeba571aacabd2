using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>
/// Works through running bulk jobs in the background, again after a restart, callers taking turns a
/// slice of rows at a time; a row's add and its outcome are one commit, so a resumed job adds nothing
/// twice. A job stays with the instance that started it (and keeps its codes) while that one renews
/// its lease (docs/design.md).
/// </summary>
public sealed partial class BulkRunner(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, AddOtpEmailHandler add, BulkCodes codes, BulkEvents events, TimeProvider time,
    DatabaseOutage outage, ILogger<BulkRunner> logger) : BackgroundService
{
    /// <summary>How long a runner holds a job without renewing it (it renews them all every round).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    /// <summary>Rows of one job per turn.</summary>
    private const int Slice = 512;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>This runner among the instances sharing the database.</summary>
    public long Token { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RoundAsync(stoppingToken))
                {
                }

                codes.ForgetExpired();
                await _wake.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!outage.TryReport(e)) // an outage is logged once, however many rounds it lasts
                {
                    LogFailed(logger, e);
                }

                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    // One round: each caller's oldest job this runner holds gets a slice, callers in the order of their oldest job. False when there was none.
    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        var jobs = await HoldAsync(cancellationToken);
        foreach (var turn in jobs.GroupBy(j => j.ActorSubject).Select(caller => caller.MinBy(j => j.Id)!).OrderBy(j => j.Id))
        {
            await SliceAsync(turn, cancellationToken);
            await RenewAsync(cancellationToken); // however many callers wait their turn, no held job's lease runs out meanwhile
        }

        return jobs.Count > 0;
    }

    // The running jobs this runner holds, their leases renewed, with those whose runner stopped renewing (it died) taken over.
    private async Task<List<BulkJob>> HoldAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (!await db.BulkJobs.AnyAsync(j => j.State == BulkJobState.Running && (j.Runner == Token || j.RunnerLeaseUntil == null || j.RunnerLeaseUntil <= now), cancellationToken))
        {
            return [];
        }

        var until = now + Lease;
        await writer.RunAsync(write => write.BulkJobs
            .Where(j => j.State == BulkJobState.Running && (j.Runner == Token || j.RunnerLeaseUntil == null || j.RunnerLeaseUntil <= now))
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.Runner, Token).SetProperty(j => j.RunnerLeaseUntil, until), cancellationToken), cancellationToken);
        return await db.BulkJobs.AsNoTracking().Where(j => j.State == BulkJobState.Running && j.Runner == Token).ToListAsync(cancellationToken);
    }

    private Task RenewAsync(CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + Lease;
        return writer.RunAsync(write => write.BulkJobs.Where(j => j.State == BulkJobState.Running && j.Runner == Token)
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.RunnerLeaseUntil, until), cancellationToken), cancellationToken);
    }

    // A slice of the job's pending rows; the last (empty) one finishes the job.
    private async Task SliceAsync(BulkJob job, CancellationToken cancellationToken)
    {
        var caller = JsonSerializer.Deserialize<CallerSnapshot>(job.Caller)!.ToCaller();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var current = await db.BulkJobs.Where(j => j.Id == job.Id).Select(j => new { j.State, j.Runner }).FirstAsync(cancellationToken);
        if (current.State != BulkJobState.Running || current.Runner != Token)
        {
            return; // cancelled, or taken over by another instance after this one stalled
        }

        var rows = await db.BulkJobRows.AsNoTracking().Where(r => r.JobId == job.Id && r.Outcome == BulkRowOutcome.Pending)
            .OrderBy(r => r.Row).Take(Slice).ToListAsync(cancellationToken);
        if (rows.Count > 0)
        {
            await Task.WhenAll(rows.Select(row => AddAsync(job.Id, caller, row, cancellationToken)));
        }

        var counts = await db.BulkJobRows.Where(r => r.JobId == job.Id).GroupBy(r => r.Outcome)
            .Select(g => new { Outcome = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(BulkRowOutcome outcome) => counts.FirstOrDefault(c => c.Outcome == outcome)?.Count ?? 0;
        int succeeded = Count(BulkRowOutcome.Ok), failed = Count(BulkRowOutcome.Failed), finished = rows.Count == 0 ? 1 : 0;
        var now = time.GetUtcNow();
        var ended = await writer.WriteAsync<bool>(async (write, ct) =>
        {
            var updated = await write.BulkJobs.Where(j => j.Id == job.Id && j.State == BulkJobState.Running && j.Runner == Token)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.RunnerLeaseUntil, now + Lease)
                    .SetProperty(j => j.Done, succeeded + failed)
                    .SetProperty(j => j.Succeeded, succeeded)
                    .SetProperty(j => j.Failed, failed)
                    .SetProperty(j => j.State, j => finished == 1 ? BulkJobState.Done : j.State)
                    .SetProperty(j => j.FinishedAt, j => finished == 1 ? now : j.FinishedAt), ct);
            if (finished == 1 && updated == 1)
            {
                await events.FinishedAsync(write, job.Id, BulkJobState.Done, caller, now, ct);
            }

            return finished == 1 && updated == 1;
        }, cancellationToken, Job(job.Id));
        if (ended.IsSuccess && ended.Value)
        {
            codes.Finished(job.Id);
            LogDone(logger, job.Id, succeeded, failed);
        }
    }

    // One row: the add's own checks and stage, with the row's outcome written in the same commit.
    private async Task AddAsync(long jobId, Caller caller, BulkJobRow row, CancellationToken cancellationToken)
    {
        var request = BulkRequests.Request(Describe(row));
        var prepared = request.IsSuccess ? add.Prepare(caller, DecimalId.Format(row.UserId ?? 0), request.Value) : request.Error;
        if (!prepared.IsSuccess)
        {
            await writer.WriteAsync<bool>(async (db, ct) =>
            {
                var toDo = await ToDo.AskAsync(db, [row.JobId, row.Row], ct);
                if (!await toDo.FoundAsync(db, ct))
                {
                    return NotToDo;
                }

                await RecordAsync(db, row, prepared.Error, null, ct);
                return Staged<bool>.Recorded(prepared.Error);
            }, new ReadAhead([], (ToDo, [row.JobId, row.Row])), cancellationToken); // no other write of a batch changes the row
            return;
        }

        var added = await writer.WriteAsync<AddOtpEmailResponse>(async (db, ct) =>
        {
            // Answered with the add's own read, in its round trip, before the add changes anything.
            var toDo = await ToDo.AskAsync(db, [row.JobId, row.Row], ct);
            var staged = await prepared.Value.StageAsync(db, () => toDo.Found ? null : NotToDo, ct);
            var result = staged.Result;
            if (!result.IsSuccess && ReferenceEquals(result.Error, NotToDo))
            {
                return staged;
            }

            await RecordAsync(db, row, result.IsSuccess ? null : result.Error, result.IsSuccess ? result.Value.OtpEmailId : null, ct);
            return result.IsSuccess ? staged : Staged<AddOtpEmailResponse>.Recorded(result.Error);
        }, prepared.Value.Reads.With(ToDo, [row.JobId, row.Row]), cancellationToken); // in the lane of its user, as any add
        add.Committed(caller, prepared.Value, added);
        if (added.IsSuccess && added.Value.VerificationCode is { } code)
        {
            codes.Keep(jobId, row.Row, code);
        }
    }

    /// <summary>What orders a job's own writes (its progress, its cancel: see <see cref="DbWriter"/>'s lanes) one after another.</summary>
    internal static InOrderWith Job(long jobId) => new(jobId);

    // Rows already handed to the writer when the job is cancelled find out there: once the cancel is committed, no
    // further row of the job is added. A row's stage reads the job as running (ToDo), which on PostgreSQL holds the
    // job's row until the row's commit: a cancel waits for the rows that read it running (in any lane), and a row whose
    // snapshot is older than the cancel fails that read and runs again, to find the job cancelled. (SQLite has one writer:
    // the rows handed over after the cancel come after it.) So do rows that another instance did meanwhile, having taken
    // the job over from a runner that outran its lease: each row is done once (on PostgreSQL a row done after this stage
    // read it fails the commit, and the stage runs again).
    private static readonly AppError NotToDo = AppError.Precondition("BULK-ROW-NOT-PENDING", "The bulk job was cancelled, or the row is done");

    // Kept prepared; on PostgreSQL asked with the add's read (or the next command), in its round trip (see DeferredWrites),
    // holding the row and its job's row as read (FOR SHARE) until the commit.
    internal static readonly PreparedQuery ToDo = new(
        (db, arguments) => db.BulkJobRows.AsNoTracking()
            .Join(db.Set<BulkJob>().AsNoTracking(), r => r.JobId, j => j.Id, (r, j) => new { r.JobId, r.Row, r.Outcome, j.State })
            .Where(r => r.JobId == (long)arguments[0] && r.Row == (int)arguments[1] && r.Outcome == BulkRowOutcome.Pending && r.State == BulkJobState.Running)
            .Select(r => r.Row)
            .Take(1),
        -1L, -2)
    {
        PostgresLock = "FOR SHARE",
    };

    private static BulkRow Describe(BulkJobRow row) => new(row.Row, row.User, row.Address, row.Mode, row.UrlTemplate);

    private static Task RecordAsync(AppDbContext db, BulkJobRow row, AppError? error, string? otpEmailId, CancellationToken cancellationToken) =>
        RecordOutcome.ExecuteAsync(db, [
            row.JobId, row.Row, (int)(error is null ? BulkRowOutcome.Ok : BulkRowOutcome.Failed),
            otpEmailId is null ? DBNull.Value : long.Parse(otpEmailId, System.Globalization.CultureInfo.InvariantCulture),
            error is null ? DBNull.Value : (int)error.Code, (object?)error?.Id ?? DBNull.Value, (object?)error?.Message ?? DBNull.Value,
        ], cancellationToken);

    // A statement kept prepared rather than a tracked row: on PostgreSQL the outcomes of a commit go with its next command (see DeferredWrites).
    private static readonly PreparedStatement RecordOutcome = new("""
        UPDATE "BulkJobRows" SET "Outcome" = @p2, "OtpEmailId" = @p3, "ErrorCode" = @p4, "ErrorId" = @p5, "ErrorMessage" = @p6
        WHERE "JobId" = @p0 AND "Row" = @p1
        """, 7);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk job {JobId} done: {Succeeded} added, {Failed} failed")]
    private static partial void LogDone(ILogger logger, long jobId, int succeeded, int failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk job round failed; trying again shortly")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
