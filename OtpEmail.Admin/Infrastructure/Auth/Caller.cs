using System.Security.Claims;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Auth;

public static class Roles
{
    public const string Admin = "otp-admin";
    public const string Support = "otp-support";
    public const string Viewer = "otp-viewer";

    public static readonly string[] All = [Admin, Support, Viewer];
}

public static class Permissions
{
    public const string UserRead = "user.read";
    public const string UserWrite = "user.write";
    public const string UserCredentialWrite = "user.credential.write";

    /// <summary>Changing an organization's own settings: its mail texts, sender name and default language.</summary>
    public const string OrgWrite = "org.write";

    private static readonly Dictionary<string, string[]> ByRole = new(StringComparer.Ordinal)
    {
        [Roles.Admin] = [UserRead, UserWrite, UserCredentialWrite, OrgWrite],
        [Roles.Support] = [UserRead, UserCredentialWrite],
        [Roles.Viewer] = [UserRead],
    };

    public static IReadOnlySet<string> ForRoles(IEnumerable<string> roles) =>
        roles.SelectMany(role => ByRole.GetValueOrDefault(role) ?? []).ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// Who is calling, as the handlers see it: the permissions their roles grant (<see cref="Granted"/>)
/// and the organizations they may act on (<see cref="Organizations"/>: null means all of them, an
/// empty set none).
/// </summary>
public sealed record Caller(string Subject, string? ClientId, IReadOnlySet<string> Granted, IReadOnlySet<long>? Organizations)
{
    /// <summary>The organization claim's value that grants every organization.</summary>
    public const string AllOrganizations = "*";

    public bool Has(string permission) => Granted.Contains(permission);

    public bool CanActOn(long organizationId) => Organizations is null || Organizations.Contains(organizationId);

    /// <summary>
    /// Builds a caller from a validated principal: roles from <paramref name="roleClaim"/>, organizations
    /// from <paramref name="organizationClaim"/>. It fails closed: <c>*</c> grants every organization, ids
    /// grant those, and a principal without the claim (or with values that are no ids) may act on none.
    /// </summary>
    public static Caller FromPrincipal(ClaimsPrincipal principal, string roleClaim, string organizationClaim)
    {
        var subject = principal.FindFirst("sub")?.Value
            ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? throw new InvalidOperationException("The principal has no subject.");
        var client = principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value;
        var roles = principal.FindAll(roleClaim).Select(c => c.Value);
        var claimed = principal.FindAll(organizationClaim).Select(c => c.Value.Trim()).ToList();
        IReadOnlySet<long>? organizations = claimed.Contains(AllOrganizations)
            ? null
            : claimed.Select(value => DecimalId.TryParse(value, out var id) ? id : 0).Where(id => id > 0).ToHashSet();
        return new Caller(subject, client, Permissions.ForRoles(roles), organizations);
    }
}
