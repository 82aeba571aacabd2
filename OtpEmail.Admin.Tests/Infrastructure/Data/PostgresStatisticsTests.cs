using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>The app takes statistics of the tables that have none as it starts on PostgreSQL, so that its prepared statements are not planned blind.</summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class PostgresStatisticsTests(PostgresApiFixture fixture)
{
    [Fact]
    public async Task AfterTheStartEveryTableHasStatistics()
    {
        await using var db = fixture.App.CreateDbContext();

        var tables = await db.Database.SqlQueryRaw<string>("SELECT relname::text AS \"Value\" FROM pg_stat_user_tables").ToListAsync();
        var without = await db.Database.SqlQueryRaw<string>(
            "SELECT relname::text AS \"Value\" FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL").ToListAsync();

        Assert.Contains("OtpEmails", tables);
        Assert.Empty(without);
    }
}
