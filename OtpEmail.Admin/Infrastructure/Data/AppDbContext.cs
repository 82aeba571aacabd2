using System.Data.Common;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// The app's one database. It knows no feature: each feature maps its own entities with an
/// <see cref="IEntityTypeConfiguration{TEntity}"/> in its folder (found here by assembly scan) and
/// reaches its tables through extension properties of its own (<c>db.Users</c>, <c>db.OtpEmails</c>).
/// Each provider has a context type of its own (<see cref="SqliteDbContext"/>,
/// <see cref="PostgresDbContext"/>) so that each has its own migrations; the rest of the app sees this one.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The Data Protection key ring, when it is kept in the database (PostgreSQL).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// How many statements that changed rows ran on this context outside <c>SaveChanges</c>' tracking
    /// (<see cref="PreparedInsert{TEntity}"/>, <see cref="StatementWriteCounter"/>); only ever compared, before and after a stage.
    /// </summary>
    internal long StatementWrites { get; set; }

    /// <summary>Statements waiting to go with the next command (PostgreSQL, see <see cref="DeferredWrites"/>).</summary>
    internal DeferredWrites? Deferred { get; set; }

    /// <summary>The reads fetched ahead for the stage running on the context, if any (see <see cref="Data.ReadAhead"/>).</summary>
    internal ReadAhead? ReadAhead { get; set; }

    /// <summary>
    /// Which of <see cref="DbWriter"/>'s lanes writes on the context (0: the first, or no writer; back
    /// to 0 when the context is disposed): what one lane counts goes to rows of its own
    /// (<see cref="Features.Users.OrganizationTally"/>), so that two lanes committing at once never update one row.
    /// </summary>
    internal int WriterLane { get; set; }

    // A pooled context goes back to the pool here: whoever takes it next is no lane of the writer's until told.
    public override void Dispose()
    {
        WriterLane = 0;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        WriterLane = 0;
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

    // Times are stored as Unix milliseconds: each database can then compare and order them in SQL.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();

    /// <summary>Reads a time from a row of a query run by hand (see <see cref="PreparedQuery"/>), as stored above.</summary>
    public static DateTimeOffset StoredTime(DbDataReader row, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(ordinal));

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        value => DateTimeOffset.FromUnixTimeMilliseconds(value));
}

/// <summary>The embedded default: one SQLite file (migrations in <c>Migrations/Sqlite</c>).</summary>
public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : AppDbContext(options);

/// <summary>
/// PostgreSQL, for several instances on one database (migrations in <c>Migrations/Postgres</c>).
/// Text the SQLite model compares with <c>NOCASE</c> (usernames, emails) gets a case-insensitive ICU
/// collation here, so that uniqueness and lookups ignore case on both.
/// </summary>
public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : AppDbContext(options)
{
    public const string CaseInsensitive = "case_insensitive";

    /// <summary>Numbers handed to instances as they start (see <see cref="IdGenerator.UseInstanceNumber"/>).</summary>
    public const string InstanceNumbers = "InstanceNumbers";

    internal const string NextInstanceNumber = $"SELECT nextval('\"{InstanceNumbers}\"') AS \"Value\"";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.HasSequence<long>(InstanceNumbers);
        modelBuilder.HasCollation(CaseInsensitive, locale: "und-u-ks-level2", provider: "icu", deterministic: false);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(entity => entity.GetProperties()))
        {
            if (property.GetCollation() == "NOCASE")
            {
                property.SetCollation(CaseInsensitive);
            }
        }
    }
}
