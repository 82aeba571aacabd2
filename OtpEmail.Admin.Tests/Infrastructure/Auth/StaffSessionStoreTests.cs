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
    public async Task TheDatabaseHoldsOnlyTheKeysHash()
    {
        var key = await Store.StoreAsync(Ticket());

        await using var db = fixture.Db();
        var everything = await DatabaseDump.AllCellsAsync(db);
        Assert.DoesNotContain(key, everything);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        Assert.Contains(hash, everything);
        Assert.Null(await Store.RetrieveAsync(hash)); // the hash itself opens nothing
    }

    [Fact]
    public async Task ASignInOverALiveSessionEndsItInsteadOfTakingItsKey()
    {
        var key = await Store.StoreAsync(Ticket());

        // What the cookie handler does when someone signs in while the browser carries a live cookie.
        await Store.RenewAsync(key, Ticket("admin@demo.test", "otp-admin"));

        Assert.Null(await Store.RetrieveAsync(key));
    }

    [Fact]
    public async Task ARenewalOfTheSameSessionKeepsItsKey()
    {
        var key = await Store.StoreAsync(Ticket());
        var live = await Store.RetrieveAsync(key);

        await Store.RenewAsync(key, live!);

        var renewed = await Store.RetrieveAsync(key);
        Assert.Equal(key, renewed!.Principal.FindFirst(StaffSessionStore.SessionClaim)?.Value);
        Assert.Equal("staff@demo.test", renewed.Principal.FindFirst("sub")?.Value);
    }

    [Fact]
    public async Task ARenewalNamingTheSessionButAnotherSubjectEndsIt()
    {
        var key = await Store.StoreAsync(Ticket());
        var live = await Store.RetrieveAsync(key);
        var other = Ticket("admin@demo.test", "otp-admin");
        ((ClaimsIdentity)other.Principal.Identity!).AddClaim(new Claim(StaffSessionStore.SessionClaim, key));
        foreach (var (name, value) in live!.Properties.Items)
        {
            other.Properties.Items[name] = value;
        }

        await Store.RenewAsync(key, other);

        Assert.Null(await Store.RetrieveAsync(key));
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

        Assert.False(guard.Due("some-session", confirmedAt));
        fixture.Clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));
        Assert.False(guard.Due("some-session", confirmedAt));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(guard.Due("some-session", confirmedAt));
    }

    internal static AuthenticationTicket Ticket(string subject = "staff@demo.test", string role = "otp-support")
    {
        var identity = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", role)], "test", "name", "role");
        var properties = new AuthenticationProperties();
        properties.StoreTokens([new AuthenticationToken { Name = "refresh_token", Value = "refresh-token-secret" }]);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, "Cookies");
    }
}
