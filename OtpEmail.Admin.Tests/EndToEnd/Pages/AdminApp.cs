using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd.Pages;

/// <summary>
/// The staff pages: find a user, the user page and its add form. It acts as a person does: it types
/// a key at a time at a fast typist's pace as soon as a field can be typed in, and waits only for
/// what a person sees (a heading, a field that is no longer greyed out, a dialog).
/// </summary>
public sealed class AdminApp(IPage page)
{
    public const string Admin = "admin@demo.test";
    public const string Support = "support@demo.test";
    public const string Viewer = "viewer@demo.test";

    /// <summary>A key every 40 ms: 25 keys a second, a fast typist, a password manager or a scanner.</summary>
    public const int KeyDelay = 40;

    public IPage Page => page;

    public ILocator FindUser => page.GetByLabel("Find user");

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator SignedInAs => page.GetByTestId("signed-in-as");

    public ILocator Address => page.GetByLabel("Email address");

    public ILocator UrlTemplate => page.GetByLabel("URL template");

    public ILocator AddButton => page.GetByRole(AriaRole.Button, new() { Name = "Add OTP email" });

    public ILocator VerificationCode => page.GetByTestId("verification-code");

    public ILocator Authenticators => page.GetByTestId("authenticators");

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public ILocator Mode(string label) => page.GetByRole(AriaRole.Radio, new() { Name = label });

    /// <summary>
    /// Signs in through the real OpenID Connect flow and lands on <paramref name="path"/>: done when the
    /// app says who is signed in (the provider's page has a heading too, so a heading alone is not it).
    /// </summary>
    public async Task SignInAsync(string email, string path = "/")
    {
        await page.GotoAsync(path);
        await new SignInPage(page).SignInAsync(email);
        await Assertions.Expect(SignedInAs).ToBeVisibleAsync();
        await Assertions.Expect(Heading).ToBeVisibleAsync();
    }

    /// <summary>Presses Tab until <paramref name="target"/> (or something inside it) has the focus, as a person without a mouse does.</summary>
    public static async Task TabToAsync(IPage page, ILocator target, int maxTabs = 80)
    {
        await Assertions.Expect(target).ToBeVisibleAsync();
        for (var tabs = 0; tabs < maxTabs; tabs++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("element => element === document.activeElement || element.contains(document.activeElement)"))
            {
                return;
            }
        }

        Assert.Fail($"{maxTabs} presses of Tab did not reach {target}.");
    }

    /// <summary>Types into a field as a person does: once it takes keys, a key at a time.</summary>
    public static async Task TypeAsync(ILocator field, string text)
    {
        await Assertions.Expect(field).ToBeEnabledAsync();
        await field.PressSequentiallyAsync(text, new() { Delay = KeyDelay });
    }

    /// <summary>Types part of a name into the picker and opens the matching user.</summary>
    public async Task PickUserAsync(string typed, string displayName)
    {
        await TypeAsync(FindUser, typed);
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = displayName }).First.ClickAsync();
        await Assertions.Expect(Heading).ToHaveTextAsync(displayName);
    }

    public async Task AddAsync(string address, string mode, string? template = null)
    {
        await TypeAsync(Address, address);
        await ChooseAsync(Mode(mode));
        if (template is not null)
        {
            await TypeAsync(UrlTemplate, template);
        }

        await Assertions.Expect(Address).ToHaveValueAsync(address);
        await AddButton.ClickAsync();
    }

    /// <summary>
    /// Picks a radio button as a person does: clicks it, then sees it chosen. The choice is the
    /// server's to render, so it shows after a round trip, not in the instant after the click.
    /// </summary>
    public static async Task ChooseAsync(ILocator radio)
    {
        await radio.ClickAsync();
        await Assertions.Expect(radio).ToBeCheckedAsync();
    }

    /// <summary>Clears a field the way a person does: select all, then type over it.</summary>
    public static async Task RetypeAsync(ILocator field, string text)
    {
        await Assertions.Expect(field).ToBeEnabledAsync();
        await field.PressAsync("Control+A");
        await field.PressSequentiallyAsync(text, new() { Delay = KeyDelay });
    }

    public ILocator Row(string address) => Authenticators.Locator("tr").Filter(new() { HasText = address });

    /// <summary>An action button of an authenticator's row, once it can be used.</summary>
    public async Task<ILocator> ActionAsync(string name)
    {
        var button = page.GetByRole(AriaRole.Button, new() { Name = name });
        await Assertions.Expect(button).ToBeEnabledAsync();
        return button;
    }

    public async Task ScreenshotAsync(string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });
}
