using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>Callers as the handlers see them, for tests that call operations directly.</summary>
public static class Callers
{
    public const long Acme = DevAccounts.AcmeOrganizationId;
    public const long Globex = DevAccounts.GlobexOrganizationId;

    public static Caller Admin { get; } = New(Roles.Admin, "test-admin");

    public static Caller Viewer { get; } = New(Roles.Viewer, "test-viewer");

    public static Caller Support(long organization) => New(Roles.Support, $"test-support-{organization}", organization);

    private static Caller New(string role, string subject, long? organization = null) =>
        new(subject, "test-client", Permissions.ForRoles([role]), organization is { } org ? new HashSet<long> { org } : null);
}
