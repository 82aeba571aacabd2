using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
            ["App:PublicBaseUrl"] = "https://otp.example.test",
            ["Otp:AllowedTemplateHosts:0"] = "verify.example.test",
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

    [Fact]
    public async Task LinkTemplateHostsMustBeNamedOrAnyOnPurposeOutsideDevelopment()
    {
        await using var unnamed = new AppFactory(25, Settings(("Otp:AllowedTemplateHosts:0", null)), environment: "Production");
        await using var any = new AppFactory(25, Settings(("Otp:AllowedTemplateHosts:0", "*")), environment: "Production");

        var error = Record.Exception(() => unnamed.StartServer());
        var http = any.StartClient();

        Assert.Contains("Otp:AllowedTemplateHosts", error?.ToString());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task ThePublicBaseUrlMustBeHttpsOutsideDevelopment()
    {
        await using var plain = new AppFactory(25, Settings(("App:PublicBaseUrl", "http://otp.example.test")), environment: "Production");

        var error = Record.Exception(() => plain.StartServer());

        Assert.Contains("App:PublicBaseUrl", error?.ToString());
        Assert.Contains("https://", error?.ToString());
    }

    [Fact]
    public async Task TheStaffCookieIsHostPrefixedOutsideDevelopmentAndPlainOnlyOverHttpInDevelopment()
    {
        await using var production = new AppFactory(25, Settings(), environment: "Production");
        await using var development = new AppFactory(25);
        production.StartServer();
        development.StartServer();

        var overHttps = SetCookie(StaffCookie(production), "https");
        var behindAnUnknownProxy = SetCookie(StaffCookie(production), "http");
        var developmentOverHttps = SetCookie(StaffCookie(development), "https");
        var developmentOverHttp = SetCookie(StaffCookie(development), "http");

        Assert.StartsWith("__Host-OtpEmail.Admin=session", overHttps);
        Assert.Contains("; secure", overHttps);
        Assert.Contains("; path=/", overHttps);
        Assert.DoesNotContain("domain=", overHttps);
        Assert.StartsWith("__Host-OtpEmail.Admin=session", behindAnUnknownProxy);
        Assert.Contains("; secure", behindAnUnknownProxy);
        Assert.StartsWith("__Host-OtpEmail.Admin=session", developmentOverHttps);
        Assert.StartsWith(".OtpEmail.Admin=session", developmentOverHttp);
    }

    private static CookieAuthenticationOptions StaffCookie(AppFactory app) =>
        app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);

    // What the cookie handler writes for a session over a request of this scheme, and reads back.
    private static string SetCookie(CookieAuthenticationOptions options, string scheme)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        options.CookieManager.AppendResponseCookie(context, options.Cookie.Name!, "session", options.Cookie.Build(context));
        var written = context.Response.Headers.SetCookie.ToString();
        context.Request.Headers.Cookie = written.Split(';')[0];
        Assert.Equal("session", options.CookieManager.GetRequestCookie(context, options.Cookie.Name!));
        return written;
    }
}
