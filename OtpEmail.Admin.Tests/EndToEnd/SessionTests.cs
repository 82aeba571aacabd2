using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// Staff sessions follow the provider: an account disabled, or given another role, there loses what
/// it may no longer do on a page that stays open, without a reload.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class SessionTests(BrowserFixture fixture)
{
    private DevStaffDirectory Staff => fixture.App.Services.GetRequiredService<DevStaffDirectory>();

    [Fact]
    public async Task AnAccountDisabledAtTheProviderIsSignedOutOfTheOpenPage()
    {
        var member = NewSupportAccount();
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(member.Email);
        await app.PickUserAsync("hamilton", "Margaret Hamilton");
        await Assertions.Expect(app.AddButton).ToBeVisibleAsync();

        Staff.Save(member with { Disabled = true });

        await new SignInPage(app.Page).IsShownAsync(); // the open page sent the visitor to sign in
        await new SignInPage(app.Page).SignInAsync(member.Email);
        await Assertions.Expect(app.Page.GetByText("Email or password is wrong.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ARoleChangedAtTheProviderTakesEffectOnTheOpenPage()
    {
        var member = NewSupportAccount();
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(member.Email);
        await app.PickUserAsync("torvalds", "Linus Torvalds");
        await Assertions.Expect(app.AddButton).ToBeVisibleAsync();

        Staff.Save(member with { Roles = ["otp-viewer"] });

        await Assertions.Expect(app.AddButton).ToHaveCountAsync(0);
        await Assertions.Expect(app.Page.GetByText("may look but not add")).ToBeVisibleAsync();
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Linus Torvalds"); // still on the page: reading is allowed
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-viewer");
    }

    [Fact]
    public async Task ASignInOverAPlantedSessionCookieStartsANewSessionAndEndsThePlantedOne()
    {
        var viewer = new AdminApp(await fixture.NewPageAsync());
        await viewer.SignInAsync(AdminApp.Viewer);
        await Assertions.Expect(viewer.SignedInAs).ToContainTextAsync("otp-viewer");
        var planted = (await viewer.Page.Context.CookiesAsync()).Single(cookie => cookie.Name == ".OtpEmail.Admin");

        // The viewer's cookie finds its way into the admin's browser; the admin then signs in.
        var admin = new AdminApp(await fixture.NewPageAsync());
        await admin.Page.Context.AddCookiesAsync([new Cookie
        {
            Name = planted.Name, Value = planted.Value, Domain = planted.Domain, Path = planted.Path, HttpOnly = planted.HttpOnly, SameSite = planted.SameSite,
        }]);
        await admin.SignInAsync(AdminApp.Admin, "/account/login");
        await Assertions.Expect(admin.SignedInAs).ToContainTextAsync("otp-admin");

        // The planted session is over: its cookie opens nothing, and the viewer's browser is not the
        // admin (it goes through sign-in again and, still signed in at the provider, is the viewer).
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.App.PublicBaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", $"{planted.Name}={planted.Value}");
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", new Uri(fixture.App.PublicBaseUrl, response.Headers.Location!).AbsolutePath);
        // The viewer opens the app again in a new tab (the open one may be sending itself to sign in meanwhile).
        var again = new AdminApp(await viewer.Page.Context.NewPageAsync());
        await again.Page.GotoAsync("/");
        await Assertions.Expect(again.SignedInAs).ToContainTextAsync("otp-viewer");
        await Assertions.Expect(again.SignedInAs).Not.ToContainTextAsync("otp-admin");
    }

    private DevAccounts.StaffMember NewSupportAccount()
    {
        var member = new DevAccounts.StaffMember($"temp-{Guid.NewGuid().ToString("N")[..8]}@demo.test", "demo", "Temp Support", ["otp-support"]);
        Staff.Save(member);
        return member;
    }
}
