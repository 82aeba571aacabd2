using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd.Pages;

/// <summary>The embedded development provider's login page.</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Email => page.GetByLabel("Email");

    public ILocator Password => page.GetByLabel("Password");

    public ILocator SignIn => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

    public async Task IsShownAsync() => await Assertions.Expect(SignIn).ToBeVisibleAsync();

    public async Task SignInAsync(string email, string password = "demo")
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SignIn.ClickAsync();
    }
}
