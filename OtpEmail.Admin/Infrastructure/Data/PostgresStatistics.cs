using Microsoft.EntityFrameworkCore;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Keeps PostgreSQL's statistics up with tables that grow fast, on PostgreSQL only. The writer's
/// statements are prepared, and PostgreSQL keeps the plan it made for one until the statistics of its
/// tables change: a plan made while a table was empty (sequential scans) stays while the table fills,
/// and autovacuum looks at most once a minute. So at start-up and every few seconds after, a table the
/// app owns that holds at least twice the rows its last statistics counted (and 1,000 or more; a
/// restored dump without statistics too) gets new ones, which also makes PostgreSQL plan its
/// statements again. Growth, not changes: a small table updated all the time (a counter) keeps its
/// statistics and its plans. A table that fills is analyzed each time it doubles, a few times in all;
/// then autovacuum's own rule takes over. Smaller tables without statistics are left alone: PostgreSQL
/// then assumes a small table and uses the indexes. One instance at a time does it (an advisory lock).
/// </summary>
public sealed partial class PostgresStatistics(IDbContextFactory<AppDbContext> dbs, DatabaseOutage outage, ILogger<PostgresStatistics> logger)
    : BackgroundService
{
    /// <summary>How often the tables are looked at.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    // Rows below which a table keeps the statistics it has, or none.
    internal const int MinimumRows = 1000;

    /// <summary>The advisory lock one instance holds while it takes statistics.</summary>
    internal const long Lock = 7306851172;

    internal static readonly string AnalyzeTablesThatOutgrewTheirStatistics = $$"""
        DO $$DECLARE t regclass;
        BEGIN
          IF pg_try_advisory_xact_lock({{Lock}}) THEN
            FOR t IN SELECT s.relid FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                     WHERE s.n_live_tup >= GREATEST(2 * c.reltuples, {{MinimumRows}}) AND pg_has_role(c.relowner, 'USAGE') LOOP
              EXECUTE format('ANALYZE %s', t);
            END LOOP;
          END IF;
        END$$
        """;

    /// <summary>Once, as the app starts (before the first request).</summary>
    public static Task TakeAsync(AppDbContext db, CancellationToken cancellationToken = default) =>
        db.Database.ExecuteSqlRawAsync(AnalyzeTablesThatOutgrewTheirStatistics, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await dbs.CreateDbContextAsync(stoppingToken);
                await TakeAsync(db, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (outage.TryReport(e))
            {
                // an outage is logged once, by whoever meets it first
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking PostgreSQL statistics failed; trying again shortly")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
