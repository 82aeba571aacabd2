using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>The Mail texts page as an admin uses it: edit with the keyboard, watch the preview, save, reset.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class MailTextsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AnAdminEditsTheTextWithTheKeyboardSeesThePreviewFollowSavesAndResets()
    {
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Admin, "/mail-texts");
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Mail texts");
        var subject = page.GetByLabel("Subject", new() { Exact = true });
        var previewSubject = page.GetByTestId("preview-subject");
        var origin = page.GetByTestId("text-origin");
        await Assertions.Expect(previewSubject).ToHaveTextAsync("Acme: verify your email address");
        await Assertions.Expect(origin).ToHaveTextAsync("default");
        await Accessibility.AssertAccessibleAsync(page, frames: false);

        // To the subject with Tab, as a person without a mouse does; then replace its text.
        await AdminApp.TabToAsync(page, subject);
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("Sign-in code for {{.FirstName}} at {{.OrgName}}", new() { Delay = AdminApp.KeyDelay });
        await Assertions.Expect(previewSubject).ToHaveTextAsync("Sign-in code for Ada at Acme");
        await Assertions.Expect(page.FrameLocator("iframe[title='HTML part of the mail']").GetByRole(AriaRole.Heading, new() { Level = 1 }))
            .ToHaveTextAsync("Verify your email address");

        // A variable that does not exist: the preview says what is wrong, beside the field too.
        await page.Keyboard.TypeAsync(" {{.Nickname}}", new() { Delay = AdminApp.KeyDelay });
        await Assertions.Expect(page.GetByTestId("preview-error")).ToBeVisibleAsync();
        for (var i = 0; i < " {{.Nickname}}".Length; i++)
        {
            await page.Keyboard.PressAsync("Backspace");
        }

        await Assertions.Expect(previewSubject).ToHaveTextAsync("Sign-in code for Ada at Acme");
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true });
        await AdminApp.TabToAsync(page, save);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(origin).ToHaveTextAsync("organization's own");
        await Accessibility.AssertAccessibleAsync(page, frames: false);

        var reset = page.GetByRole(AriaRole.Button, new() { Name = "Reset to default" });
        await AdminApp.TabToAsync(page, reset);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(origin).ToHaveTextAsync("default");
        await Assertions.Expect(subject).ToHaveValueAsync("{{.OrgName}}: verify your email address");
    }

    [Fact]
    public async Task AViewerReadsTheTextsButCannotChangeThem()
    {
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Viewer, "/mail-texts");

        await Assertions.Expect(page.GetByTestId("preview-subject")).ToHaveTextAsync("Acme: verify your email address");
        await Assertions.Expect(page.GetByLabel("Subject", new() { Exact = true })).ToHaveAttributeAsync("readonly", "");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true })).ToHaveCountAsync(0);
    }
}
