using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>The accounts the embedded development provider knows (see access-and-settings.md).</summary>
public static class DevAccounts
{
    /// <summary>The client id of this app's own staff sign-in.</summary>
    public const string AdminAppClientId = "otpemail-admin";

    /// <summary>The demo organizations' fixed ids; the demo seed creates them with these ids.</summary>
    public const long AcmeOrganizationId = 300_000_000_000_000_001;

    public const long GlobexOrganizationId = 300_000_000_000_000_002;

    /// <summary>An API client; <paramref name="Organizations"/> is its organization claim (<c>*</c> for all).</summary>
    public sealed record ApiClient(string ClientId, string Secret, string[] Roles, string Organizations);

    /// <summary>A staff account; a disabled one cannot sign in, and its sessions end at their next check.</summary>
    public sealed record StaffMember(string Email, string Password, string Name, string[] Roles, string Organizations = Caller.AllOrganizations, bool Disabled = false);

    public static readonly IReadOnlyList<ApiClient> ApiClients =
    [
        new("demo-api", "demo-api-secret", ["otp-admin"], Caller.AllOrganizations),
        new("demo-viewer", "demo-viewer-secret", ["otp-viewer"], Caller.AllOrganizations),
        new("demo-acme", "demo-acme-secret", ["otp-support"], DecimalId.Format(AcmeOrganizationId)),
    ];

    /// <summary>
    /// The app's own client secret at the embedded provider: made afresh at each start and handed to
    /// both sides in process, so it is never written anywhere.
    /// </summary>
    public static string NewAdminAppSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static ApiClient? FindClient(string? clientId) =>
        ApiClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
}

/// <summary>
/// The staff accounts the embedded provider knows: the demo ones at start. As at a real provider, an
/// account can be added, disabled or given other roles while the app runs (the tests do).
/// </summary>
public sealed class DevStaffDirectory
{
    private readonly ConcurrentDictionary<string, DevAccounts.StaffMember> _members = new(StringComparer.OrdinalIgnoreCase);

    public DevStaffDirectory()
    {
        Save(new("admin@demo.test", "demo", "Ada Admin", ["otp-admin"]));
        Save(new("support@demo.test", "demo", "Sam Support", ["otp-support"]));
        Save(new("viewer@demo.test", "demo", "Vic Viewer", ["otp-viewer"]));
    }

    public IReadOnlyList<DevAccounts.StaffMember> All => _members.Values.OrderBy(m => m.Email, StringComparer.Ordinal).ToList();

    /// <summary>Adds the account, or replaces the one with its email.</summary>
    public void Save(DevAccounts.StaffMember member) => _members[member.Email] = member;

    /// <summary>The enabled account with this email.</summary>
    public DevAccounts.StaffMember? Find(string? email) =>
        email is not null && _members.TryGetValue(email.Trim(), out var member) && !member.Disabled ? member : null;

    /// <summary>The enabled account with this email and password; the comparison takes constant time.</summary>
    public DevAccounts.StaffMember? SignIn(string? email, string? password)
    {
        var member = Find(email);
        var expected = Encoding.UTF8.GetBytes(member?.Password ?? "\0no-such-account");
        var given = Encoding.UTF8.GetBytes(password ?? "");
        return CryptographicOperations.FixedTimeEquals(expected, given) && member is not null ? member : null;
    }
}
