using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>The one migration per provider, and what happens to a database made by another build.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"otpemail-migration-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task ANewDatabaseGetsTheSchemaWithTheUserSearchKeptInStep()
    {
        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Organizations (Id, Name) VALUES (300000000000000009, 'Search Org');
                INSERT INTO Users (Id, OrganizationId, Username, GivenName, FamilyName, DisplayName, Email, EmailVerified, State)
                VALUES (200000000000000009, 300000000000000009, 'wsearch', 'Wilhelmina', 'Search', 'Wilhelmina Search', 'w@example.com', 1, 1);
                UPDATE Users SET GivenName = 'Ottokar', DisplayName = 'Ottokar Search' WHERE Id = 200000000000000009;
                """);
            Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations()); // Initial (then, after 0.1.0, each schema change)
        }

        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        Assert.Null(await ScalarAsync(connection, """SELECT rowid FROM "UserSearch" WHERE "UserSearch" MATCH '"helmin"'"""));
        Assert.Equal(200000000000000009L, await ScalarAsync(connection, """SELECT rowid FROM "UserSearch" WHERE "UserSearch" MATCH '"ttoka"'"""));
    }

    [Fact]
    public async Task ADatabaseMadeByAnOlderBuildIsRefusedAtStartSayingWhatToDo()
    {
        await using var app = new AppFactory(25);
        var file = Path.Combine(app.DataDirectory, "app.db");
        await using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsHistory" VALUES ('20261125221331_Initial', '10.0.0'), ('20261125221353_AddUserSearch', '10.0.0');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var error = Record.Exception(() => app.StartServer());

        Assert.NotNull(error);
        Assert.Contains("20261125221353_AddUserSearch", error.ToString());
        Assert.Contains("delete the App_Data/ folder", error.ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private SqliteDbContext Context() => new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={_path}").Options);

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
