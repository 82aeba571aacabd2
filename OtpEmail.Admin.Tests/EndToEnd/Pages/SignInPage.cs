using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd.Pages;

/// <summary>The embedded development provider's login page.</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Email => page.GetByLabel("Email");

    public ILocator Password => page.GetByLabel("Password");

    public ILocator SignIn => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

    public async Task IsShownAsync() => await Assertions.Expect(SignIn).ToBeVisibleAsync();

    /// <summary>Types the email and password as a person does, at once and a key at a time.</summary>
    public async Task SignInAsync(string email, string password = "demo")
    {
        await Email.PressSequentiallyAsync(email, new() { Delay = AdminApp.KeyDelay });
        await Password.PressSequentiallyAsync(password, new() { Delay = AdminApp.KeyDelay });
        await Assertions.Expect(Email).ToHaveValueAsync(email);
        await SignIn.ClickAsync();
    }
}
