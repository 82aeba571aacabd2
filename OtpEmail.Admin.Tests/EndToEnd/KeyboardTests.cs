using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// The whole path with the keyboard alone: sign in, find a user, choose a mode, add, copy the code,
/// resend, verify and remove, confirming each dialog. Every stop shows where the focus is.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class KeyboardTests(BrowserFixture fixture)
{
    [Fact]
    public async Task StaffCanDoEverythingWithTheKeyboardAloneAndAlwaysSeeTheFocus()
    {
        var page = await fixture.NewPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var keys = new Keyboard(page);
        var app = new AdminApp(page);
        var address = $"keyboard.{Guid.NewGuid().ToString("N")[..8]}@example.com";

        // Sign in: the email field has the focus as the page appears.
        await page.GotoAsync("/");
        var signIn = new SignInPage(page);
        await Assertions.Expect(signIn.Email).ToBeFocusedAsync();
        await keys.TypeAsync(AdminApp.Support);
        await keys.PressAsync("Tab", signIn.Password);
        await keys.TypeAsync("demo");
        await page.Keyboard.PressAsync("Enter");

        // Find the user: the field takes the focus once it can take keys; arrows and Enter choose.
        await Assertions.Expect(app.FindUser).ToBeFocusedAsync();
        await keys.TypeAsync("hopper");
        await Assertions.Expect(page.GetByRole(AriaRole.Option).Filter(new() { HasText = "Grace Hopper" }).First).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Grace Hopper");

        // Add in return-code mode: Tab to the address, arrows in the radio group, Enter on the button.
        await keys.TabToAsync(app.Address);
        await keys.TypeAsync(address);
        await keys.PressAsync("Tab", app.Mode("Send code by email"));
        await keys.PressAsync("ArrowDown", app.Mode("Return code"));
        await Assertions.Expect(app.Mode("Return code")).ToBeCheckedAsync();
        await keys.TabToAsync(app.AddButton);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.VerificationCode).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-9]{8}$"));
        var firstCode = await app.VerificationCode.InputValueAsync();

        // Copy the code.
        await keys.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = "Copy the verification code" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByText("Code copied.")).ToBeVisibleAsync();
        Assert.Equal(firstCode, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // Resend, returning a new code.
        await keys.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = $"Resend code to {address}" }));
        await page.Keyboard.PressAsync("Enter");
        await keys.TabToAsync(app.Dialog.GetByRole(AriaRole.Radio, new() { Name = "Send code by email" }));
        await keys.PressAsync("ArrowDown", app.Dialog.GetByRole(AriaRole.Radio, new() { Name = "Return code" }));
        await keys.TabToAsync(app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Resend" }));
        await page.Keyboard.PressAsync("Enter");
        var resent = app.Dialog.GetByTestId("resent-code");
        await Assertions.Expect(resent).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-9]{8}$"));
        var newCode = await resent.InputValueAsync();
        Assert.NotEqual(firstCode, newCode);
        await keys.TabToAsync(app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.Dialog).ToHaveCountAsync(0);

        // Verify: the code field has the focus as the dialog opens; Enter submits.
        await keys.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = $"Verify {address}" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.Dialog.GetByLabel("Code")).ToBeFocusedAsync();
        await keys.TypeAsync(newCode);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.Row(address)).ToContainTextAsync("ready");

        // Remove, confirming.
        await keys.TabToAsync(page.GetByRole(AriaRole.Button, new() { Name = $"Remove {address}" }));
        await page.Keyboard.PressAsync("Enter");
        await keys.TabToAsync(app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByText($"{address} removed.")).ToBeVisibleAsync();
        await Assertions.Expect(app.Row(address)).ToHaveCountAsync(0);
        await Accessibility.AssertAccessibleAsync(page);
    }

    /// <summary>A keyboard, and nothing else; every key that moves the focus must leave it visible.</summary>
    private sealed class Keyboard(IPage page)
    {
        private const int MaxTabs = 40;

        public Task TypeAsync(string text) => page.Keyboard.TypeAsync(text, new() { Delay = AdminApp.KeyDelay });

        /// <summary>Presses <paramref name="key"/> and expects the focus on <paramref name="target"/>, visibly.</summary>
        public async Task PressAsync(string key, ILocator target)
        {
            await page.Keyboard.PressAsync(key);
            await Assertions.Expect(target).ToBeFocusedAsync();
            await AssertFocusVisibleAsync();
        }

        /// <summary>Presses Tab until <paramref name="target"/> has the focus, each stop on the page visibly focused.</summary>
        public async Task TabToAsync(ILocator target)
        {
            await Assertions.Expect(target).ToBeVisibleAsync();
            for (var tabs = 0; tabs < MaxTabs; tabs++)
            {
                var fromTheLastStop = await page.EvaluateAsync<bool>(OnTheLastStop);
                await page.Keyboard.PressAsync("Tab");
                await AssertFocusVisibleAsync(wrappingAround: fromTheLastStop);
                if (await target.EvaluateAsync<bool>("element => element === document.activeElement"))
                {
                    return;
                }
            }

            Assert.Fail($"{MaxTabs} presses of Tab did not reach {target}.");
        }

        // Whether the focus is on the page's last stop for Tab (in document order; the app sets no positive
        // tabindex), past which it may leave the page for the browser's own controls.
        private const string OnTheLastStop = """
            () => {
                const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                    .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
                return stops.length > 0 && stops[stops.length - 1] === document.activeElement;
            }
            """;

        // The focused element, or the visible element drawing it, shows an outline; a text field shows
        // its focus as MudBlazor draws it, with a border twice as thick.
        private async Task AssertFocusVisibleAsync(bool wrappingAround = false)
        {
            var shown = await page.EvaluateAsync<string?>("""
                () => {
                    const focused = document.activeElement;
                    if (!focused || focused === document.body) return 'the page itself';
                    for (let node = focused; node && node !== document.body; node = node.parentElement) {
                        const style = getComputedStyle(node);
                        if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) return null;
                        const border = node.querySelector(':scope > .mud-input-outlined-border');
                        if (border && parseFloat(getComputedStyle(border).borderTopWidth) >= 2) return null;
                    }
                    return focused.outerHTML.slice(0, 200);
                }
                """);
            // Past the last field the focus leaves the page for the browser's own controls, then comes back.
            Assert.True(shown is null || (wrappingAround && shown == "the page itself"), $"The focus is not visible on {shown}");
        }
    }
}
