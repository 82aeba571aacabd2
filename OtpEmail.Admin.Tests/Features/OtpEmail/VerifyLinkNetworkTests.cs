using System.Net;
using System.Text.RegularExpressions;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Network;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>
/// The public verification page as visitors on different networks meet it: wrong codes rest the
/// links of one user on one network only, and the page's GET never looks at the code. The app here
/// allows many attempts a minute, so that the hourly count, not the per-minute one, is what answers.
/// </summary>
public sealed partial class VerifyLinkNetworkTests(VerifyLinkNetworkTests.Fixture fixture) : IClassFixture<VerifyLinkNetworkTests.Fixture>
{
    private static readonly string Acme = DecimalId.Format(Callers.Acme);
    private static readonly string Globex = DecimalId.Format(Callers.Globex);
    private static readonly IPAddress NetworkA = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress NetworkB = IPAddress.Parse("198.51.100.7");

    private VerifyLinkHandler Links => fixture.Get<VerifyLinkHandler>();

    [Fact]
    public async Task TenWrongCodesFromOneNetworkDoNotStopTheRightCodeFromAnother()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        await TryWrongCodesAsync(userId, NetworkA, times: 10);

        var eleventhFromA = await Links.VerifyAsync(userId, Acme, code, NetworkA, CancellationToken.None);
        var fromB = await Links.VerifyAsync(userId, Acme, code, NetworkB, CancellationToken.None);

        Assert.Equal(OtpEmailErrors.LinkFailed, eleventhFromA.Error); // refused, and answered alike: nothing tells the limit apart
        Assert.True(fromB.IsSuccess);
    }

    [Fact]
    public async Task TenWrongCodesAnHourRestTheLinksOfThatNetworkButNotStaff()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        await TryWrongCodesAsync(userId, NetworkA, times: 10);

        var rightButResting = await Links.VerifyAsync(userId, Acme, code, NetworkA, CancellationToken.None);
        var viaStaff = await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);

        Assert.Equal(OtpEmailErrors.LinkFailed, rightButResting.Error);
        Assert.True(viaStaff.IsSuccess);
    }

    [Fact]
    public async Task AnIpv6NeighbourInTheSameSlash64SharesTheCount()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        await TryWrongCodesAsync(userId, IPAddress.Parse("2001:db8:1:2::1"), times: 5);
        await TryWrongCodesAsync(userId, IPAddress.Parse("2001:db8:1:2::2"), times: 5);

        var neighbour = await Links.VerifyAsync(userId, Acme, code, IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff"), CancellationToken.None);
        var nextSlash64 = await Links.VerifyAsync(userId, Acme, code, IPAddress.Parse("2001:db8:1:3::1"), CancellationToken.None);

        Assert.Equal(OtpEmailErrors.LinkFailed, neighbour.Error);
        Assert.True(nextSlash64.IsSuccess);
    }

    [Fact]
    public async Task AfterTheHourTheNetworkMayTryAgain()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync();
        await TryWrongCodesAsync(userId, NetworkA, times: 10);

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, userId, otpId,
            ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode), CancellationToken.None);

        Assert.True((await Links.VerifyAsync(userId, Acme, resent.Value.VerificationCode, NetworkA, CancellationToken.None)).IsSuccess);
    }

    [Fact]
    public async Task ANetworksCountIsDeletedOnceItsHourIsOverAndAnotherNetworkFails()
    {
        var (userId, _, _) = await fixture.AddReturningCodeAsync();
        await TryWrongCodesAsync(userId, NetworkA, times: 1);
        fixture.Clock.Advance(TimeSpan.FromHours(1));

        await TryWrongCodesAsync(userId, NetworkB, times: 1);

        await using var db = fixture.Db();
        var user = UserId.Parse(userId).Value.Value;
        Assert.Equal([ClientAddress.Partition(NetworkB)], db.LinkFailureCounts.Where(f => f.UserId == user).Select(f => f.Network).ToList());
    }

    [Fact]
    public async Task TheGetRendersTheSamePageForAWrongCodeAndTheRightOne()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync("minnie@mouse.example");
        using var http = fixture.App.StartClient();

        var wrong = await GetPageAsync(http, userId, Acme, "WRONG234");
        var right = await GetPageAsync(http, userId, Acme, code);

        Assert.Equal("m•••@mouse.example", MaskedAddress(wrong));
        Assert.Equal(Normalized(wrong, "WRONG234"), Normalized(right, code));
        Assert.True((await Links.VerifyAsync(userId, Acme, code, NetworkB, CancellationToken.None)).IsSuccess); // the GETs spent nothing
    }

    [Fact]
    public async Task TheGetOfALinkThatMatchesNothingPendingIsTheNeutralPage()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync("minnie@mouse.example");
        var idle = await fixture.CreateUserAsync(); // nothing pending
        using var http = fixture.App.StartClient();

        var unknownUser = await GetPageAsync(http, "999999999999999999", Acme, code);
        var otherOrganization = await GetPageAsync(http, userId, Globex, code);
        var nothingPending = await GetPageAsync(http, idle, Acme, code);
        var wrongCode = await GetPageAsync(http, userId, Acme, "WRONG234");

        Assert.Equal("", MaskedAddress(unknownUser));
        Assert.Contains("Someone added this email address", Text(unknownUser));
        Assert.Equal(Normalized(unknownUser, "999999999999999999"), Normalized(otherOrganization, userId).Replace(Globex, Acme, StringComparison.Ordinal));
        Assert.Equal(Normalized(unknownUser, "999999999999999999"), Normalized(nothingPending, idle));
        Assert.Equal("m•••@mouse.example", MaskedAddress(wrongCode)); // only a matching user and organization show an address
    }

    /// <summary>Wrong codes on the page for the user from <paramref name="client"/>; each answered as a failure.</summary>
    private async Task TryWrongCodesAsync(string userId, IPAddress client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(OtpEmailErrors.LinkFailed, (await Links.VerifyAsync(userId, Acme, "WRONG234", client, CancellationToken.None)).Error);
        }
    }

    private static async Task<string> GetPageAsync(HttpClient http, string userId, string orgId, string code)
    {
        using var response = await http.GetAsync($"/otp-email/verify?userID={userId}&code={code}&orgID={orgId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string MaskedAddress(string html) => WebUtility.HtmlDecode(MaskedElement().Match(html).Groups[1].Value);

    private static string Text(string html) => WebUtility.HtmlDecode(Whitespace().Replace(html, " "));

    /// <summary>
    /// The page with what differs by request alone taken out: the link's own parts, the antiforgery
    /// token and the components' state (encrypted afresh for every response).
    /// </summary>
    private static string Normalized(string html, string linkPart) =>
        PerResponse().Replace(html, "").Replace(linkPart, "LINK-PART", StringComparison.Ordinal);

    [GeneratedRegex("""<strong data-testid="masked-address">([^<]*)</strong>""")]
    private static partial Regex MaskedElement();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("""name="__RequestVerificationToken" value="[^"]*"|<!--Blazor-Server-Component-State:[^>]*-->""")]
    private static partial Regex PerResponse();

    /// <summary>The handlers' app with a per-minute allowance high enough never to answer first.</summary>
    public sealed class Fixture() : HandlerFixture(new Dictionary<string, string?> { ["Otp:LinkAttemptsPerMinute"] = "1000" });
}
