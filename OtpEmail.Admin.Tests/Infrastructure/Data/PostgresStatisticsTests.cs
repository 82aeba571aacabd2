using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// What the app runs as it starts on PostgreSQL: statistics for the tables that hold rows but have
/// none (a restored dump), none for empty tables (their statistics would plan them as empty while they fill).
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class PostgresStatisticsTests(PostgresApiFixture fixture)
{
    [Fact]
    public async Task ATableWithRowsGetsStatisticsAndAnEmptyOneDoesNot()
    {
        var (full, empty) = ($"StatsFull{Guid.NewGuid():N}", $"StatsEmpty{Guid.NewGuid():N}");
        await using var db = fixture.App.CreateDbContext();
        var tables = $"""
            CREATE TABLE "{full}" (id int PRIMARY KEY); INSERT INTO "{full}" SELECT generate_series(1, 500);
            CREATE TABLE "{empty}" (id int PRIMARY KEY);
            """; // names of the test's own making
        await db.Database.ExecuteSqlRawAsync(tables);
        await Eventually.TrueAsync(async () => await LiveRowsAsync(db, full) > 0, "PostgreSQL counted the rows stored");

        await db.Database.ExecuteSqlRawAsync(PostgresDbContext.AnalyzeTablesWithoutStatistics);

        Assert.True(await AnalyzedAsync(db, full));
        Assert.False(await AnalyzedAsync(db, empty));
    }

    private static async Task<long> LiveRowsAsync(AppDbContext db, string table) =>
        await db.Database.SqlQueryRaw<long>("SELECT n_live_tup AS \"Value\" FROM pg_stat_user_tables WHERE relname = {0}", table).SingleAsync();

    private static async Task<bool> AnalyzedAsync(AppDbContext db, string table) =>
        await db.Database.SqlQueryRaw<bool>("SELECT last_analyze IS NOT NULL AS \"Value\" FROM pg_stat_user_tables WHERE relname = {0}", table).SingleAsync();
}
