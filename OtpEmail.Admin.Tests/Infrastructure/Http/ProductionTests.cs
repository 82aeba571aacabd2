using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Http;

/// <summary>The app as deployed: outside Development, behind a TLS-terminating proxy.</summary>
public sealed class ProductionTests
{
    /// <summary>What production needs besides the test defaults: an outside provider (asked only when used).</summary>
    public static Dictionary<string, string?> Settings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = "https://login.example.test/",
            ["Authentication:ClientId"] = "otpemail-admin",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task OverHttpsItAsksForHstsAndSendsCookiesOnlyOverHttps()
    {
        await using var app = new AppFactory(25, Settings(), environment: "Production");
        var http = app.StartClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/otp-email/verify?userID=1&code=ABCDEFGH&orgID=1");
        request.Headers.Host = "otp.example.test";
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await http.SendAsync(request);

        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies); // the page's antiforgery cookie
        Assert.All(cookies, cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task PickupMailIsRefusedOutsideDevelopmentUnlessMeant()
    {
        await using var refused = new AppFactory(25, Settings(("Mail:Mode", "Pickup")), environment: "Production");
        await using var meant = new AppFactory(25, Settings(("Mail:Mode", "Pickup"), ("Mail:AllowPickupOutsideDevelopment", "true")), environment: "Production");

        var error = Record.Exception(() => refused.StartServer());
        var http = meant.StartClient();

        Assert.Contains("Mail:Mode", error?.ToString());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/otp-email/verify")).StatusCode);
    }
}
