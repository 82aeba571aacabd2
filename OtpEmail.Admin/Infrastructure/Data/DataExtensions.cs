using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>Where the data lives: <c>Database:Provider</c>.</summary>
public enum DatabaseProvider
{
    /// <summary>One SQLite file, one instance: the embedded default.</summary>
    Sqlite,

    /// <summary>One PostgreSQL database shared by any number of instances.</summary>
    Postgres,
}

public static class DataExtensions
{
    /// <summary><c>Database:Provider</c>, checked: Sqlite unless set.</summary>
    public static DatabaseProvider GetDatabaseProvider(this IConfiguration configuration)
    {
        var value = configuration["Database:Provider"];
        return string.IsNullOrWhiteSpace(value) ? DatabaseProvider.Sqlite
            : Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider) ? provider
            : throw new InvalidOperationException($"Setting 'Database:Provider' must be 'Sqlite' or 'Postgres'; it is '{value}'.");
    }

    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetDatabaseProvider();
        var connectionString = builder.Configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(provider == DatabaseProvider.Postgres
                ? "Setting 'ConnectionStrings:Default' is missing: give a PostgreSQL connection string, e.g. 'Host=db;Database=otpemail;Username=otpemail;Password=…'."
                : "Setting 'ConnectionStrings:Default' is missing: give a SQLite connection string, e.g. 'Data Source=App_Data/otpemail.db'.");
        }

        if (provider == DatabaseProvider.Postgres)
        {
            connectionString = TunePostgres(connectionString);
            builder.Services.AddPooledDbContextFactory<PostgresDbContext>(options => DatabaseOutage.LogFailuresWhereAnswered(options).UseNpgsql(connectionString)
                .AddInterceptors(StatementWriteCounter.Instance, DeferredWrites.Interceptor.Instance));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ContextFactory<PostgresDbContext>>();
            builder.Services.AddHostedService<PostgresStatistics>();
        }
        else
        {
            connectionString = ResolveDataSource(connectionString, builder.Environment.ContentRootPath);
            builder.Services.AddPooledDbContextFactory<SqliteDbContext>(options => DatabaseOutage.LogFailuresWhereAnswered(options)
                .UseSqlite(connectionString)
                .AddInterceptors(new SqlitePragmas(), StatementWriteCounter.Instance));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ContextFactory<SqliteDbContext>>();
            builder.Services.AddSingleton(services => new SqliteWriterContexts(services.GetRequiredService<DbContextOptions<SqliteDbContext>>(), connectionString));
        }

        var maxWriteBatch = builder.Configuration.GetValue("Database:MaxWriteBatch", DbWriter.DefaultMaxBatch);
        if (maxWriteBatch is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"Setting 'Database:MaxWriteBatch' must be 1–10000 (1 turns group commit off); it is {maxWriteBatch}.");
        }

        var writeLanes = builder.Configuration.GetValue("Database:WriteLanes", DbWriter.DefaultPostgresLanes);
        if (writeLanes is < 1 or > 16)
        {
            throw new InvalidOperationException($"Setting 'Database:WriteLanes' must be 1–16 (groups committed at once on PostgreSQL); it is {writeLanes}.");
        }

        writeLanes = provider == DatabaseProvider.Postgres ? writeLanes : 1; // SQLite has one writer, whatever the setting says

        builder.Services.AddSingleton<DatabaseOutage>();
        builder.Services.AddSingleton(services => new DbWriter(
            services.GetService<SqliteWriterContexts>() ?? services.GetRequiredService<IDbContextFactory<AppDbContext>>(),
            services.GetRequiredService<DatabaseOutage>(),
            services.GetRequiredService<ILogger<DbWriter>>(),
            maxWriteBatch,
            writeLanes));
        builder.Services.AddSingleton<IdGenerator>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Applies pending migrations; every start, before the first request. On a shared database the
    /// instance then takes its number, so that its ids never meet another's.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await RefuseUnknownSchemaAsync(db);
        await db.Database.MigrateAsync();
        if (db is PostgresDbContext)
        {
            var number = await db.Database.SqlQueryRaw<long>(PostgresDbContext.NextInstanceNumber).SingleAsync();
            services.GetRequiredService<IdGenerator>().UseInstanceNumber(number);
            await PostgresStatistics.TakeAsync(db);
        }
    }

    /// <summary>
    /// A database whose schema history names migrations this build does not have was made by another
    /// build (before release 0.1.0 the history was rewritten once): refused rather than half-migrated.
    /// </summary>
    private static async Task RefuseUnknownSchemaAsync(AppDbContext db)
    {
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await db.Database.GetAppliedMigrationsAsync()).Where(applied => !known.Contains(applied)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database was made by a build of OtpEmail.Admin this one does not know (its migrations {string.Join(", ", unknown)} are not this build's): "
                + "it is not migrated. In Development delete the App_Data/ folder (or the file of 'ConnectionStrings:Default') and start again; "
                + "elsewhere restore the build that made it, or start from a new database.");
        }
    }

    /// <summary>
    /// The connection string as given, with one default where it says nothing of it: Npgsql prepares the
    /// statements it sees again and again (<c>Max Auto Prepare</c>), so that PostgreSQL parses and, once it
    /// finds a generic plan as good as the custom ones, plans each once per connection. (Planning every
    /// execution, <c>plan_cache_mode=force_custom_plan</c>, cost the database more CPU than running the
    /// statements: 831 return-code adds/s against 2,304/s without it, docs/operations.md.)
    /// </summary>
    internal static string TunePostgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Setting 'ConnectionStrings:Default' is not a valid PostgreSQL connection string: {e.Message}", e);
        }

        var named = connectionString.Replace(" ", "", StringComparison.Ordinal);
        if (!named.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }

        // The app keeps no state in a session (its SETs are LOCAL, its advisory locks a transaction's), so a
        // connection back in the pool need not be reset: seven statements before the next use of it, a group commit's each.
        if (!named.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
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

    /// <summary>The provider's context factory, seen by the app as one of <see cref="AppDbContext"/>.</summary>
    private sealed class ContextFactory<TContext>(IDbContextFactory<TContext> contexts) : IDbContextFactory<AppDbContext>
        where TContext : AppDbContext
    {
        public AppDbContext CreateDbContext() => contexts.CreateDbContext();

        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await contexts.CreateDbContextAsync(cancellationToken);
    }
}
