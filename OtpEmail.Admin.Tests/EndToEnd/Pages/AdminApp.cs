using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd.Pages;

/// <summary>The staff pages: find a user, the user page and its add form.</summary>
public sealed class AdminApp(IPage page)
{
    public const string Admin = "admin@demo.test";
    public const string Support = "support@demo.test";
    public const string Viewer = "viewer@demo.test";

    public IPage Page => page;

    public ILocator FindUser => page.GetByLabel("Find user");

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator SignedInAs => page.GetByTestId("signed-in-as");

    public ILocator Address => page.GetByLabel("Email address");

    public ILocator UrlTemplate => page.GetByLabel("URL template");

    public ILocator AddButton => page.GetByRole(AriaRole.Button, new() { Name = "Add OTP email" });

    public ILocator VerificationCode => page.GetByTestId("verification-code");

    public ILocator Authenticators => page.GetByTestId("authenticators");

    public ILocator Mode(string label) => page.GetByRole(AriaRole.Radio, new() { Name = label });

    /// <summary>Signs in through the real OpenID Connect flow and lands on the start page.</summary>
    public async Task SignInAsync(string email, string path = "/")
    {
        await page.GotoAsync(path);
        await new SignInPage(page).SignInAsync(email);
        await WaitUntilInteractiveAsync();
    }

    public async Task WaitUntilInteractiveAsync() =>
        await page.Locator("#interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Types part of a name into the picker and opens the matching user.</summary>
    public async Task PickUserAsync(string typed, string displayName)
    {
        await FindUser.ClickAsync();
        await FindUser.PressSequentiallyAsync(typed); // as a person types: one input event a key
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = displayName }).First.ClickAsync();
        await Assertions.Expect(Heading).ToHaveTextAsync(displayName);
        await WaitUntilInteractiveAsync();
    }

    public async Task AddAsync(string address, string mode, string? template = null)
    {
        await Address.FillAsync(address);
        await Mode(mode).CheckAsync();
        if (template is not null)
        {
            await UrlTemplate.FillAsync(template);
        }

        await AddButton.ClickAsync();
    }

    public ILocator Row(string address) => Authenticators.Locator("tr").Filter(new() { HasText = address });

    public async Task ScreenshotAsync(string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });
}
