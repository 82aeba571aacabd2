using Microsoft.EntityFrameworkCore;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>
/// OpenIddict's store for the embedded development provider: an in-memory SQLite database that
/// lives as long as the app. Nothing in it outlives a restart (clients are seeded at each start),
/// so it is created, not migrated.
/// </summary>
public sealed class DevIdentityDbContext(DbContextOptions<DevIdentityDbContext> options) : DbContext(options);
