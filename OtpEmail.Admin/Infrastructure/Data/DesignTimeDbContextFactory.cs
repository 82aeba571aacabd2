using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>Lets <c>dotnet ef … --context SqliteDbContext</c> build the model without starting the app.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDbContext>
{
    public SqliteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// Lets <c>dotnet ef … --context PostgresDbContext</c> build the model; adding a migration needs no
/// server, applying one (<c>database update</c>) takes the connection string from <c>--connection</c>.
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql("Host=localhost;Database=otpemail").Options);
}
