using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>A signed-in staff member's session, kept server-side; the cookie holds only its key.</summary>
public sealed class StaffSession
{
    public required string Key { get; set; }

    public required string Subject { get; set; }

    /// <summary>The authentication ticket (principal and the provider's tokens), protected with Data Protection.</summary>
    public required byte[] Ticket { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The absolute end of the session: set at sign-in, never moved.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the provider last confirmed the account (see <see cref="StaffSessionCheck"/>).</summary>
    public DateTimeOffset CheckedAt { get; set; }
}

internal sealed class StaffSessionConfiguration : IEntityTypeConfiguration<StaffSession>
{
    public void Configure(EntityTypeBuilder<StaffSession> builder)
    {
        builder.ToTable("StaffSessions");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(64);
        builder.Property(s => s.Subject).HasMaxLength(200);
        builder.HasIndex(s => s.ExpiresAt);
    }
}

/// <summary>
/// The staff cookie's server-side store: a session ends at <c>Authentication:SessionLifetime</c> after
/// sign-in whatever happens meanwhile, and can be ended from here (the provider refused the account,
/// sign-out). The session's key is also a claim of its principal, so an open page can find it.
/// </summary>
public sealed class StaffSessionStore(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, IDataProtectionProvider protection, IOptions<AuthenticationSettings> settings, TimeProvider time)
    : ITicketStore
{
    /// <summary>The claim that carries the session's key.</summary>
    public const string SessionClaim = "staff_session";

    private const string CheckedAtItem = ".checked_at";

    private readonly IDataProtector _protector = protection.CreateProtector("OtpEmail.Admin.StaffSessions.v1");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        NameSession(ticket, key);

        var now = time.GetUtcNow();
        var session = new StaffSession
        {
            Key = key,
            Subject = ticket.Principal.FindFirst("sub")?.Value ?? "",
            Ticket = Protect(ticket),
            CreatedAt = now,
            ExpiresAt = now + settings.Value.SessionLifetime,
            CheckedAt = now,
        };
        await writer.RunAsync(async db =>
        {
            await db.StaffSessions.Where(s => s.ExpiresAt <= now).ExecuteDeleteAsync();
            db.StaffSessions.Add(session);
            await db.SaveChangesAsync();
        }, CancellationToken.None);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => SaveAsync(key, ticket, checkedAt: null);

    /// <summary>Replaces the session's ticket (new tokens, new principal), recording the provider's confirmation.</summary>
    public Task SaveAsync(string key, AuthenticationTicket ticket, DateTimeOffset? checkedAt)
    {
        NameSession(ticket, key); // a sign-in over a live session renews it with a principal that does not know it
        var protectedTicket = Protect(ticket);
        return writer.RunAsync(db => checkedAt is { } at
            ? db.StaffSessions.Where(s => s.Key == key).ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, protectedTicket).SetProperty(s => s.CheckedAt, at))
            : db.StaffSessions.Where(s => s.Key == key).ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, protectedTicket)), CancellationToken.None);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key) => (await FindAsync(key, CancellationToken.None))?.Ticket;

    /// <summary>When the provider last confirmed the session, as <see cref="FindAsync"/> notes it on the ticket.</summary>
    public static DateTimeOffset? CheckedAt(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(CheckedAtItem, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;

    /// <summary>A live session's ticket (expiring when the session does) and when the provider last confirmed it.</summary>
    public async Task<(AuthenticationTicket Ticket, DateTimeOffset CheckedAt)?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var session = await db.StaffSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key && s.ExpiresAt > now, cancellationToken);
        if (session is null || Unprotect(session.Ticket) is not { } ticket)
        {
            return null;
        }

        ticket.Properties.ExpiresUtc = session.ExpiresAt;
        ticket.Properties.Items[CheckedAtItem] = session.CheckedAt.ToString("O", CultureInfo.InvariantCulture);
        return (ticket, session.CheckedAt);
    }

    public Task RemoveAsync(string key) =>
        writer.RunAsync(db => db.StaffSessions.Where(s => s.Key == key).ExecuteDeleteAsync(), CancellationToken.None);

    private static void NameSession(AuthenticationTicket ticket, string key)
    {
        if (ticket.Principal.Identity is ClaimsIdentity identity && identity.FindFirst(SessionClaim)?.Value != key)
        {
            foreach (var stale in identity.FindAll(SessionClaim).ToList())
            {
                identity.RemoveClaim(stale);
            }

            identity.AddClaim(new Claim(SessionClaim, key));
        }
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private AuthenticationTicket? Unprotect(byte[] data)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(data));
        }
        catch (CryptographicException)
        {
            return null; // keys rotated away or data tampered with: the session is gone
        }
    }
}

public static class StaffSessionTables
{
    extension(AppDbContext db)
    {
        public DbSet<StaffSession> StaffSessions => db.Set<StaffSession>();
    }
}

/// <summary>Points the staff cookie at <see cref="StaffSessionStore"/>.</summary>
internal sealed class UseStaffSessionStore(StaffSessionStore store) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name == CookieAuthenticationDefaults.AuthenticationScheme)
        {
            options.SessionStore = store;
        }
    }
}
