using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// A signed-in staff member's session, kept server-side: the cookie holds its key, the database only
/// the key's SHA-256, so a copy of the database cannot ride a live session.
/// </summary>
public sealed class StaffSession
{
    public required string KeyHash { get; set; }

    public required string Subject { get; set; }

    /// <summary>The authentication ticket (principal and the provider's tokens, not the key), protected with Data Protection.</summary>
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
        builder.HasKey(s => s.KeyHash);
        builder.Property(s => s.KeyHash).HasMaxLength(64);
        builder.Property(s => s.Subject).HasMaxLength(200);
        builder.HasIndex(s => s.ExpiresAt);
    }
}

/// <summary>
/// The staff cookie's server-side store: a session ends at <c>Authentication:SessionLifetime</c> after
/// sign-in whatever happens meanwhile, and can be ended from here (the provider refused the account,
/// sign-out). A sign-in always gets a new session (<see cref="EndSessionSignedInOver"/>); the session's
/// key is also a claim of its principal, so an open page can find it.
/// </summary>
public sealed class StaffSessionStore(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, IDataProtectionProvider protection, IOptions<AuthenticationSettings> settings, TimeProvider time)
    : ITicketStore
{
    /// <summary>The claim that carries the session's key.</summary>
    public const string SessionClaim = "staff_session";

    // The claim the cookie handler puts in the cookie to name the session (its SessionIdClaim).
    private const string CookieSessionClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    private const string CheckedAtItem = ".checked_at";
    private const string StartedAtItem = ".session_started_at";

    private readonly IDataProtector _protector = protection.CreateProtector("OtpEmail.Admin.StaffSessions.v1");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var session = new StaffSession
        {
            KeyHash = Hash(key),
            Subject = Subject(ticket),
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
        NameSession(ticket, key, now);
        return key;
    }

    /// <summary>
    /// What the cookie handler calls to write a ticket back under a live key. It keeps the key only for
    /// the same session (its subject and start); any other ticket, such as a sign-in over a planted
    /// cookie that <see cref="EndSessionSignedInOver"/> did not see, ends the session instead.
    /// </summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        var hash = Hash(key);
        await using (var db = await dbs.CreateDbContextAsync())
        {
            var stored = await db.StaffSessions.AsNoTracking()
                .Where(s => s.KeyHash == hash)
                .Select(s => new { s.Subject, s.CreatedAt })
                .FirstOrDefaultAsync();
            if (stored is not null && ticket.Principal.FindFirst(SessionClaim)?.Value == key && Subject(ticket) == stored.Subject
                && StartedAt(ticket.Properties) == stored.CreatedAt)
            {
                await SaveAsync(key, ticket, checkedAt: null);
                return;
            }
        }

        await RemoveAsync(key);
    }

    /// <summary>Replaces the session's ticket (new tokens, new principal), recording the provider's confirmation.</summary>
    public Task SaveAsync(string key, AuthenticationTicket ticket, DateTimeOffset? checkedAt)
    {
        var hash = Hash(key);
        var protectedTicket = Protect(ticket);
        return writer.RunAsync(db => checkedAt is { } at
            ? db.StaffSessions.Where(s => s.KeyHash == hash).ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, protectedTicket).SetProperty(s => s.CheckedAt, at))
            : db.StaffSessions.Where(s => s.KeyHash == hash).ExecuteUpdateAsync(set => set.SetProperty(s => s.Ticket, protectedTicket)), CancellationToken.None);
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key) => (await FindAsync(key, CancellationToken.None))?.Ticket;

    /// <summary>When the provider last confirmed the session, as <see cref="FindAsync"/> notes it on the ticket.</summary>
    public static DateTimeOffset? CheckedAt(AuthenticationProperties properties) => Time(properties, CheckedAtItem);

    /// <summary>A live session's ticket (expiring when the session does) and when the provider last confirmed it.</summary>
    public async Task<(AuthenticationTicket Ticket, DateTimeOffset CheckedAt)?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = Hash(key);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var session = await db.StaffSessions.AsNoTracking().FirstOrDefaultAsync(s => s.KeyHash == hash && s.ExpiresAt > now, cancellationToken);
        if (session is null || Unprotect(session.Ticket) is not { } ticket)
        {
            return null;
        }

        NameSession(ticket, key, session.CreatedAt);
        ticket.Properties.ExpiresUtc = session.ExpiresAt;
        ticket.Properties.Items[CheckedAtItem] = session.CheckedAt.ToString("O", CultureInfo.InvariantCulture);
        return (ticket, session.CheckedAt);
    }

    public Task RemoveAsync(string key)
    {
        var hash = Hash(key);
        return writer.RunAsync(db => db.StaffSessions.Where(s => s.KeyHash == hash).ExecuteDeleteAsync(), CancellationToken.None);
    }

    /// <summary>
    /// At sign-in, before the cookie handler looks at the request's cookie: ends the session that cookie
    /// names, whoever it belongs to, so that the handler stores a new session under a new key instead
    /// of renewing the old one (a cookie planted in the browser would otherwise ride the new sign-in).
    /// </summary>
    public async Task EndSessionSignedInOver(HttpContext context, CookieAuthenticationOptions cookie)
    {
        var value = cookie.CookieManager.GetRequestCookie(context, cookie.Cookie.Name!);
        if (!string.IsNullOrEmpty(value) && cookie.TicketDataFormat.Unprotect(value)?.Principal.FindFirst(CookieSessionClaim)?.Value is { } key)
        {
            await RemoveAsync(key);
        }
    }

    /// <summary>What the database holds of a key: its SHA-256, in hex.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Subject(AuthenticationTicket ticket) => ticket.Principal.FindFirst("sub")?.Value ?? "";

    private static DateTimeOffset? StartedAt(AuthenticationProperties properties) => Time(properties, StartedAtItem);

    private static DateTimeOffset? Time(AuthenticationProperties properties, string item) =>
        properties.Items.TryGetValue(item, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;

    // The key and the session's start live on the ticket in memory and in the cookie, never in the stored ticket.
    private static void NameSession(AuthenticationTicket ticket, string key, DateTimeOffset startedAt)
    {
        if (ticket.Principal.Identity is ClaimsIdentity identity)
        {
            RemoveSessionClaims(identity);
            identity.AddClaim(new Claim(SessionClaim, key));
        }

        ticket.Properties.Items[StartedAtItem] = startedAt.ToString("O", CultureInfo.InvariantCulture);
    }

    private static void RemoveSessionClaims(ClaimsIdentity identity)
    {
        foreach (var claim in identity.FindAll(SessionClaim).ToList())
        {
            identity.RemoveClaim(claim);
        }
    }

    private byte[] Protect(AuthenticationTicket ticket)
    {
        var principal = ticket.Principal.Clone();
        foreach (var identity in principal.Identities)
        {
            RemoveSessionClaims(identity);
        }

        var properties = ticket.Properties.Clone();
        properties.Items.Remove(StartedAtItem);
        properties.Items.Remove(CheckedAtItem);
        return _protector.Protect(TicketSerializer.Default.Serialize(new AuthenticationTicket(principal, properties, ticket.AuthenticationScheme)));
    }

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
