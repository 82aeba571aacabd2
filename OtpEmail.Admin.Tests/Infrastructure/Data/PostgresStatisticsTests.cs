using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// What the app does on PostgreSQL to keep statistics up with its tables (<see cref="PostgresStatistics"/>):
/// a table that has doubled since its statistics, or holds 1,000 rows and never had any, gets new ones
/// within seconds, without anyone asking; small tables and tables that grew less are left as they are.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class PostgresStatisticsTests(PostgresApiFixture fixture)
{
    [Fact]
    public async Task TablesThatOutgrewTheirStatisticsGetNewOnesAndOthersAreLeftAlone()
    {
        await using var db = fixture.App.CreateDbContext();
        var rows = PostgresStatistics.MinimumRows;
        await db.Database.OpenConnectionAsync(); // one session, so that the lock below is held until let go
        await RunAsync(db, $"SELECT pg_advisory_lock({PostgresStatistics.Lock})"); // no round of the app's while the tables are made
        var (filledAfterAnalyzedEmpty, emptyAnalyzedAt) = await TableAsync(db, analyzedAfter: 0, rows: rows + 200);
        var (restoredWithRows, _) = await TableAsync(db, analyzedAfter: null, rows: rows + 500);
        var (small, _) = await TableAsync(db, analyzedAfter: null, rows: rows / 2);
        var (grewByLessThanItHad, analyzedAt) = await TableAsync(db, analyzedAfter: 5 * rows, rows: 7 * rows);
        var (updatedNotGrown, updatedAnalyzedAt) = await TableAsync(db, analyzedAfter: 2 * rows, rows: 2 * rows);
        var before = await ChangedAsync(db, updatedNotGrown);
        await RunAsync(db, $"UPDATE \"{updatedNotGrown}\" SET id = -id; UPDATE \"{updatedNotGrown}\" SET id = -id"); // a counter's life: changed, not grown
        await Eventually.TrueAsync(async () => await ChangedAsync(db, updatedNotGrown) >= before + 4 * rows, "PostgreSQL counted the rows changed");
        await RunAsync(db, $"SELECT pg_advisory_unlock({PostgresStatistics.Lock})");

        // The app's own rounds, every two seconds, with nobody asking; the round that takes the first two
        // has seen all four tables as they are.
        await Eventually.TrueAsync(async () => await LastAnalyzeAsync(db, filledAfterAnalyzedEmpty) > emptyAnalyzedAt,
            "statistics for the table that filled after it was analyzed empty");
        await Eventually.TrueAsync(async () => await LastAnalyzeAsync(db, restoredWithRows) is not null,
            "statistics for the table that holds rows and never had any");

        Assert.Null(await LastAnalyzeAsync(db, small));
        Assert.Equal(analyzedAt, await LastAnalyzeAsync(db, grewByLessThanItHad)); // grew, but did not double
        Assert.Equal(updatedAnalyzedAt, await LastAnalyzeAsync(db, updatedNotGrown)); // its plans stay
    }

    // A table of the test's own (its name too) with rows PostgreSQL has counted (its count of changes lags a
    // little), analyzed by the test after the first few when asked, and when that was.
    private static async Task<(string Table, DateTimeOffset? AnalyzedAt)> TableAsync(AppDbContext db, int? analyzedAfter, int rows)
    {
        var table = $"Stats{Guid.NewGuid():N}";
        // Autovacuum off for it, so that only the app takes its statistics during the test.
        await RunAsync(db, $"CREATE TABLE \"{table}\" (id int PRIMARY KEY) WITH (autovacuum_enabled = false)");
        DateTimeOffset? analyzedAt = null;
        if (analyzedAfter is { } first)
        {
            await InsertAsync(db, table, 1, first);
            await RunAsync(db, $"ANALYZE \"{table}\"");
            analyzedAt = await LastAnalyzeAsync(db, table);
        }

        await InsertAsync(db, table, (analyzedAfter ?? 0) + 1, rows - (analyzedAfter ?? 0));
        return (table, analyzedAt);
    }

    private static async Task InsertAsync(AppDbContext db, string table, int from, int count)
    {
        if (count == 0)
        {
            return;
        }

        var before = await ChangedAsync(db, table);
        await RunAsync(db, $"INSERT INTO \"{table}\" SELECT generate_series({from}, {from + count - 1})");
        await Eventually.TrueAsync(async () => await ChangedAsync(db, table) >= before + count, "PostgreSQL counted the rows stored");
    }

    // Statements with the names of the test's own tables in them.
    private static Task RunAsync(AppDbContext db, string sql) => db.Database.ExecuteSqlRawAsync(sql);

    private static async Task<long> ChangedAsync(AppDbContext db, string table) =>
        await db.Database.SqlQueryRaw<long>("SELECT n_mod_since_analyze AS \"Value\" FROM pg_stat_user_tables WHERE relname = {0}", table).SingleAsync();

    private static async Task<DateTimeOffset?> LastAnalyzeAsync(AppDbContext db, string table) =>
        await db.Database.SqlQueryRaw<DateTimeOffset?>("SELECT GREATEST(last_analyze, last_autoanalyze) AS \"Value\" FROM pg_stat_user_tables WHERE relname = {0}", table).SingleAsync();
}
