using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class StaffUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AnonymousVisitorsAreSentToSignIn()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/users/1");

        await new SignInPage(page).IsShownAsync();
        Assert.Contains("/dev-provider/login", page.Url);
        await Accessibility.AssertAccessibleAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "sign-in.png") });
    }

    [Fact]
    public async Task SupportSignsInPicksAUserByTypingAndAddsWithEachMode()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Support);
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("Sam Support");
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-support");
        await Accessibility.AssertAccessibleAsync(app.Page);
        await app.ScreenshotAsync("find-user");

        await app.PickUserAsync("loveL", "Ada Lovelace");
        var unique = Guid.NewGuid().ToString("N")[..8];

        await app.AddAsync($"ada.ready.{unique}@example.com", "Already verified");
        await Assertions.Expect(app.Row($"ada.ready.{unique}@example.com")).ToContainTextAsync("ready");

        await app.AddAsync($"ada.mail.{unique}@example.com", "Send code by email", "https://example.com/verify?code={{.Code}}");
        await Assertions.Expect(app.Row($"ada.mail.{unique}@example.com")).ToContainTextAsync("pending");
        var mail = await fixture.WaitForMailAsync($"ada.mail.{unique}@example.com");
        Assert.Matches("https://example.com/verify\\?code=[A-Z2-9]{8}", mail);

        await app.AddAsync($"ada.code.{unique}@example.com", "Return code");
        await Assertions.Expect(app.VerificationCode).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-9]{8}$"));
        var code = await app.VerificationCode.InputValueAsync();
        await Assertions.Expect(app.Page.GetByText("it will not be shown again")).ToBeVisibleAsync();
        await Assertions.Expect(app.Row($"ada.code.{unique}@example.com")).ToContainTextAsync("pending");
        await Accessibility.AssertAccessibleAsync(app.Page);
        await app.ScreenshotAsync("user-page");

        await app.Page.ReloadAsync();
        await Assertions.Expect(app.Row($"ada.code.{unique}@example.com")).ToContainTextAsync("pending");
        Assert.DoesNotContain(code, await app.Page.ContentAsync());
    }

    [Fact]
    public async Task ServiceErrorsShowNextToTheFieldAndKeepWhatWasTyped()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Admin);
        await app.PickUserAsync("hopper", "Grace Hopper");

        await app.AddAsync("not-an-address", "Return code");

        await Assertions.Expect(app.Page.GetByText("Enter an address like name@example.com.")).ToBeVisibleAsync();
        await Assertions.Expect(app.Address).ToHaveValueAsync("not-an-address");

        await AdminApp.RetypeAsync(app.Address, "grace@example.com");
        await AdminApp.ChooseAsync(app.Mode("Send code by email"));
        await AdminApp.TypeAsync(app.UrlTemplate, "http://example.com/{{.Code}}");
        await app.AddButton.ClickAsync();

        await Assertions.Expect(app.Page.GetByText("The link must start with https:// (http:// only for localhost).")).ToBeVisibleAsync();
        await Assertions.Expect(app.UrlTemplate).ToHaveValueAsync("http://example.com/{{.Code}}");
        await app.ScreenshotAsync("add-form-errors");
    }

    [Fact]
    public async Task TheTemplateFieldShowsOnlyForSendCode()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Admin);
        await app.PickUserAsync("turing", "Alan Turing");

        await Assertions.Expect(app.UrlTemplate).ToBeVisibleAsync();
        await AdminApp.ChooseAsync(app.Mode("Return code"));
        await Assertions.Expect(app.UrlTemplate).ToHaveCountAsync(0);
        await AdminApp.ChooseAsync(app.Mode("Already verified"));
        await Assertions.Expect(app.UrlTemplate).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ViewersCanLookButNotAdd()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Viewer);

        await app.PickUserAsync("knuth", "Donald Knuth");

        await Assertions.Expect(app.AddButton).ToHaveCountAsync(0);
        await Assertions.Expect(app.Page.GetByText("may look but not add")).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(app.Page);
        await app.ScreenshotAsync("user-page-viewer");
    }

    [Fact]
    public async Task AfterAKeyboardNavigationTheHeadingHasFocusButNoRing()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Admin);
        var events = app.Page.GetByRole(AriaRole.Link, new() { Name = "Events" });

        await events.FocusAsync();
        await app.Page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(app.Heading).ToHaveTextAsync("Events");
        await Assertions.Expect(app.Heading).ToBeFocusedAsync();
        Assert.Equal("none", await app.Heading.EvaluateAsync<string>("h => getComputedStyle(h).outlineStyle"));
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(AdminApp.Admin);

        await app.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await new SignInPage(app.Page).IsShownAsync(); // signed out here and at the provider
        await app.Page.GotoAsync("/");

        await new SignInPage(app.Page).IsShownAsync();
    }
}
