using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

public sealed class MigrationTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"otpemail-migration-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task UpgradingADatabaseWhereUsersHeldTheirSequenceKeepsUsersEventsAndSearch()
    {
        await using (var db = Context())
        {
            await db.GetService<IMigrator>().MigrateAsync("20261126074049_SecurityLimits");
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Organizations (Id, Name) VALUES (300000000000000009, 'Upgrade Org');
                INSERT INTO Users (Id, OrganizationId, Username, GivenName, FamilyName, DisplayName, Email, EmailVerified, State, Sequence, ChangeDate)
                VALUES (200000000000000009, 300000000000000009, 'wilhelmina', 'Wilhelmina', 'Upgrade', 'Wilhelmina Upgrade', 'w@example.com', 1, 1, 1, 0);
                INSERT INTO UserEvents (ActorSubject, OccurredAt, OrganizationId, Payload, Sequence, Type, UserId)
                VALUES ('seed', 0, 300000000000000009, '[]', 1, 'user.created', 200000000000000009);
                """);
        }

        await using (var db = Context())
        {
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO Users (Id, OrganizationId, Username, GivenName, FamilyName, DisplayName, Email, EmailVerified, State)
                VALUES (200000000000000010, 300000000000000009, 'ottokar', 'Ottokar', 'After', 'Ottokar After', 'o@example.com', 1, 1);
                """);
        }

        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        Assert.Equal(200000000000000009L, await ScalarAsync(connection, """SELECT rowid FROM "UserSearch" WHERE "UserSearch" MATCH '"helmin"'"""));
        Assert.Equal(200000000000000010L, await ScalarAsync(connection, """SELECT rowid FROM "UserSearch" WHERE "UserSearch" MATCH '"ttoka"'"""));
        Assert.Equal(1L, await ScalarAsync(connection, """SELECT Sequence FROM UserEvents WHERE UserId = 200000000000000009"""));
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
