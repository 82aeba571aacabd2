using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Auth;

/// <summary>The staff cookie's server-side sessions, on a clock the tests move.</summary>
[Collection(HandlerCollection.Name)]
public sealed class StaffSessionStoreTests(HandlerFixture fixture)
{
    private StaffSessionStore Store => fixture.Get<StaffSessionStore>();

    [Fact]
    public async Task ASessionEndsEightHoursAfterSignInHoweverActiveItWas()
    {
        var key = await Store.StoreAsync(Ticket());

        fixture.Clock.Advance(TimeSpan.FromHours(7));
        var active = await Store.RetrieveAsync(key);
        await Store.RenewAsync(key, active!); // use does not move the end
        fixture.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        var lastSecond = await Store.RetrieveAsync(key);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var over = await Store.RetrieveAsync(key);

        Assert.NotNull(active);
        Assert.NotNull(lastSecond);
        Assert.Null(over);
    }

    [Fact]
    public async Task TheTicketAndItsTokensAreEncryptedAtRestAndThePrincipalNamesItsSession()
    {
        var ticket = Ticket();

        var key = await Store.StoreAsync(ticket);

        await using var db = fixture.Db();
        var everything = await DatabaseDump.AllCellsAsync(db);
        Assert.DoesNotContain("refresh-token-secret", everything);
        Assert.DoesNotContain("otp-support", everything); // the claims are inside the encrypted ticket
        Assert.Equal(key, ticket.Principal.FindFirst(StaffSessionStore.SessionClaim)?.Value);
        var retrieved = await Store.RetrieveAsync(key);
        Assert.Equal("refresh-token-secret", retrieved!.Properties.GetTokenValue("refresh_token"));
        Assert.Equal(key, retrieved.Principal.FindFirst(StaffSessionStore.SessionClaim)?.Value);
    }

    [Fact]
    public async Task ASignInOverALiveSessionKeepsThePrincipalNamingIt()
    {
        var key = await Store.StoreAsync(Ticket());

        await Store.RenewAsync(key, Ticket()); // what the cookie handler does when someone signs in again

        var renewed = await Store.RetrieveAsync(key);
        Assert.Equal(key, renewed!.Principal.FindFirst(StaffSessionStore.SessionClaim)?.Value);
    }

    [Fact]
    public async Task ARemovedSessionIsGone()
    {
        var key = await Store.StoreAsync(Ticket());

        await Store.RemoveAsync(key);

        Assert.Null(await Store.RetrieveAsync(key));
    }

    [Fact]
    public async Task TheProviderIsAskedAgainOnlyOnceTheIntervalHasPassed()
    {
        var guard = fixture.Get<StaffSessionGuard>();
        var confirmedAt = fixture.Clock.GetUtcNow();

        Assert.False(guard.Due(confirmedAt));
        fixture.Clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));
        Assert.False(guard.Due(confirmedAt));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(guard.Due(confirmedAt));
    }

    private static AuthenticationTicket Ticket()
    {
        var identity = new ClaimsIdentity([new Claim("sub", "staff@demo.test"), new Claim("role", "otp-support")], "test", "name", "role");
        var properties = new AuthenticationProperties();
        properties.StoreTokens([new AuthenticationToken { Name = "refresh_token", Value = "refresh-token-secret" }]);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, "Cookies");
    }
}
