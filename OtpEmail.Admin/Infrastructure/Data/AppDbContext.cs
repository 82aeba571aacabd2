using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// The app's one database. It knows no feature: each feature maps its own entities with an
/// <see cref="IEntityTypeConfiguration{TEntity}"/> in its folder (found here by assembly scan) and
/// reaches its tables through extension properties of its own (<c>db.Users</c>, <c>db.OtpEmails</c>).
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

    // Times are stored as Unix milliseconds: SQLite can then compare and order them in SQL.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        value => DateTimeOffset.FromUnixTimeMilliseconds(value));
}
