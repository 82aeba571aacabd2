using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace OtpEmail.Admin.Infrastructure.Data;

public static class DataExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("Setting 'ConnectionStrings:Default' is missing: give a SQLite connection string, e.g. 'Data Source=App_Data/otpemail.db'.");
        }

        connectionString = ResolveDataSource(connectionString, builder.Environment.ContentRootPath);
        builder.Services.AddPooledDbContextFactory<AppDbContext>(options => options
            .UseSqlite(connectionString)
            .AddInterceptors(new SqlitePragmas()));
        var maxWriteBatch = builder.Configuration.GetValue("Database:MaxWriteBatch", DbWriter.DefaultMaxBatch);
        if (maxWriteBatch is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"Setting 'Database:MaxWriteBatch' must be 1–10000 (1 turns group commit off); it is {maxWriteBatch}.");
        }

        builder.Services.AddSingleton(services => new DbWriter(
            services.GetRequiredService<IDbContextFactory<AppDbContext>>(), services.GetRequiredService<ILogger<DbWriter>>(), maxWriteBatch));
        builder.Services.AddSingleton<IdGenerator>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Applies pending migrations; every start, before the first request.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    // A relative file path is taken from the content root, and its folder is created.
    private static string ResolveDataSource(string connectionString, string contentRoot)
    {
        SqliteConnectionStringBuilder csb;
        try
        {
            csb = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Setting 'ConnectionStrings:Default' is not a valid SQLite connection string: {e.Message}", e);
        }

        if (csb.Mode == SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:")
        {
            return connectionString;
        }

        var path = Path.GetFullPath(csb.DataSource, contentRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        csb.DataSource = path;
        return csb.ToString();
    }
}
