using System.Security.Cryptography;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>The accounts the embedded development provider knows (see access-and-settings.md).</summary>
public static class DevAccounts
{
    /// <summary>The client id of this app's own staff sign-in.</summary>
    public const string AdminAppClientId = "otpemail-admin";

    /// <summary>The demo organizations' fixed ids; the demo seed creates them with these ids.</summary>
    public const long AcmeOrganizationId = 300_000_000_000_000_001;

    public const long GlobexOrganizationId = 300_000_000_000_000_002;

    public sealed record ApiClient(string ClientId, string Secret, string[] Roles, long? OrganizationId);

    public sealed record StaffMember(string Email, string Password, string Name, string[] Roles, long? OrganizationId);

    public static readonly IReadOnlyList<ApiClient> ApiClients =
    [
        new("demo-api", "demo-api-secret", ["otp-admin"], null),
        new("demo-viewer", "demo-viewer-secret", ["otp-viewer"], null),
        new("demo-acme", "demo-acme-secret", ["otp-support"], AcmeOrganizationId),
    ];

    public static readonly IReadOnlyList<StaffMember> Staff =
    [
        new("admin@demo.test", "demo", "Ada Admin", ["otp-admin"], null),
        new("support@demo.test", "demo", "Sam Support", ["otp-support"], null),
        new("viewer@demo.test", "demo", "Vic Viewer", ["otp-viewer"], null),
    ];

    /// <summary>
    /// The app's own client secret at the embedded provider: made afresh at each start and handed to
    /// both sides in process, so it is never written anywhere.
    /// </summary>
    public static string NewAdminAppSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static ApiClient? FindClient(string? clientId) =>
        ApiClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    /// <summary>The staff member with this email and password; the comparison takes constant time.</summary>
    public static StaffMember? FindStaff(string? email, string? password)
    {
        var member = Staff.FirstOrDefault(s => string.Equals(s.Email, email?.Trim(), StringComparison.OrdinalIgnoreCase));
        var expected = System.Text.Encoding.UTF8.GetBytes(member?.Password ?? "\0no-such-account");
        var given = System.Text.Encoding.UTF8.GetBytes(password ?? "");
        return CryptographicOperations.FixedTimeEquals(expected, given) && member is not null ? member : null;
    }

    public static StaffMember? FindStaff(string? email) =>
        Staff.FirstOrDefault(s => string.Equals(s.Email, email, StringComparison.OrdinalIgnoreCase));
}
