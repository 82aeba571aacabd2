using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// What the app does on PostgreSQL to keep statistics up with its tables (<see cref="PostgresStatistics"/>):
/// a table that has doubled since its statistics, or holds rows and never had any, gets new ones within
/// seconds, without anyone asking; small or barely changed tables are left as they are.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class PostgresStatisticsTests(PostgresApiFixture fixture)
{
    [Fact]
    public async Task TablesThatOutgrewTheirStatisticsGetNewOnesAndOthersAreLeftAlone()
    {
        await using var db = fixture.App.CreateDbContext();
        var growth = PostgresStatistics.MinimumGrowth;
        var (filledAfterAnalyzedEmpty, emptyAnalyzedAt) = await TableAsync(db, analyzedAfter: 0, rows: growth + 200);
        var (restoredWithRows, _) = await TableAsync(db, analyzedAfter: null, rows: growth + 500);
        var (small, _) = await TableAsync(db, analyzedAfter: null, rows: growth / 2);
        var (grewByLessThanItHad, analyzedAt) = await TableAsync(db, analyzedAfter: 5 * growth, rows: 7 * growth);

        // The app's own round, every two seconds, with nobody asking.
        await Eventually.TrueAsync(async () => await LastAnalyzeAsync(db, filledAfterAnalyzedEmpty) > emptyAnalyzedAt,
            "statistics for the table that filled after it was analyzed empty");
        await Eventually.TrueAsync(async () => await LastAnalyzeAsync(db, restoredWithRows) is not null,
            "statistics for the table that holds rows and never had any");

        // One more round now that PostgreSQL has counted every change: the others still keep theirs.
        await PostgresStatistics.TakeAsync(db);
        Assert.Null(await LastAnalyzeAsync(db, small));
        Assert.Equal(analyzedAt, await LastAnalyzeAsync(db, grewByLessThanItHad));
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
