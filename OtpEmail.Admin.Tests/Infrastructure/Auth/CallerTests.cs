using System.Security.Claims;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Tests.Infrastructure.Auth;

/// <summary>Whose users a caller may act on: what its organization claim says, and nothing without one.</summary>
public sealed class CallerTests
{
    [Fact]
    public void WithoutAnOrganizationClaimACallerActsOnNoOrganization()
    {
        var caller = From(new Claim("role", Roles.Admin));

        Assert.NotNull(caller.Organizations);
        Assert.Empty(caller.Organizations);
        Assert.False(caller.CanActOn(300_000_000_000_000_001));
    }

    [Fact]
    public void AStarGrantsEveryOrganization()
    {
        var caller = From(new Claim("org_id", "*"));

        Assert.Null(caller.Organizations);
        Assert.True(caller.CanActOn(300_000_000_000_000_002));
    }

    [Fact]
    public void IdsGrantThoseOrganizationsAndWhatIsNoIdGrantsNothing()
    {
        var caller = From(new Claim("org_id", "300000000000000001"), new Claim("org_id", "Acme"), new Claim("org_id", "-1"));

        Assert.Equal([300_000_000_000_000_001L], caller.Organizations!);
    }

    [Fact]
    public void TheClaimNamesAreSettings()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "x"), new Claim("roles", Roles.Viewer), new Claim("tenants", "*")], "test"));

        var caller = Caller.FromPrincipal(principal, roleClaim: "roles", organizationClaim: "tenants");

        Assert.True(caller.Has(Permissions.UserRead));
        Assert.Null(caller.Organizations);
        Assert.Empty(Caller.FromPrincipal(principal, "roles", "org_id").Organizations!);
    }

    private static Caller From(params Claim[] claims) =>
        Caller.FromPrincipal(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "someone"), .. claims], "test")), "role", "org_id");
}
