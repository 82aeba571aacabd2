using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Network;

/// <summary>
/// The client address the public page's limit counts: a trusted proxy's X-Forwarded-For, and only
/// that; a forged header from anyone else changes nothing.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string Page = "/otp-email/verify?userID=1&code=ABCDEFGH&orgID=1";

    [Fact]
    public async Task BehindATrustedProxyEachForwardedClientHasItsOwnLimit()
    {
        await using var app = new AppFactory(25, new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" });
        var http = app.StartClient();

        var first = await VisitAsync(http, "203.0.113.10", times: 11);
        var other = await VisitAsync(http, "203.0.113.11", times: 1);

        Assert.Equal(429, first);
        Assert.Equal(200, other);
    }

    [Fact]
    public async Task WithoutTrustedProxiesAForgedHeaderDoesNotEscapeTheLimit()
    {
        await using var app = new AppFactory(25);
        var http = app.StartClient();

        await VisitAsync(http, "203.0.113.10", times: 10);
        var forged = await VisitAsync(http, "203.0.113.99", times: 1);

        Assert.Equal(429, forged);
    }

    [Fact]
    public async Task AProxyThatIsNoAddressStopsStartUpNamingTheSetting()
    {
        await using var app = new AppFactory(25, new Dictionary<string, string?> { ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/99" });

        var error = Record.Exception(() => app.StartServer());

        Assert.Contains("ForwardedHeaders:KnownNetworks", error?.ToString());
    }

    // The verification page's GET counts against the client's per-minute allowance; the last answer's status.
    private static async Task<int> VisitAsync(HttpClient http, string forwardedFor, int times)
    {
        var status = 0;
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Page);
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await http.SendAsync(request);
            status = (int)response.StatusCode;
        }

        return status;
    }
}
