using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class LifecycleUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task TheEmailedLinkVerifiesOnAButtonPressAndStaffThenSeeItReady()
    {
        var staff = new AdminApp(await fixture.NewPageAsync());
        await staff.SignInAsync(AdminApp.Support);
        await staff.PickUserAsync("dijkstra", "Edsger Dijkstra");
        var address = $"edsger.{Guid.NewGuid().ToString("N")[..8]}@example.com";
        await staff.AddAsync(address, "Send code by email");
        await Assertions.Expect(staff.Row(address)).ToContainTextAsync("pending");

        var mail = await fixture.WaitForMailAsync(address);
        var link = DefaultLink().Match(mail.Replace("=\r\n", "").Replace("=3D", "=")).Value;
        Assert.StartsWith(fixture.App.PublicBaseUrl.AbsoluteUri + "otp-email/verify?userID=", link);

        var visitor = await fixture.NewPageAsync(); // anonymous: no staff session
        await visitor.GotoAsync(link);
        await Assertions.Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Verify your email address" })).ToBeVisibleAsync();
        await Assertions.Expect(visitor.GetByTestId("masked-address")).ToHaveTextAsync($"e•••@example.com");
        await Accessibility.AssertAccessibleAsync(visitor);
        await visitor.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "verify-link.png") });
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Verify email address" }).ClickAsync();
        await Assertions.Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Email address verified" })).ToBeVisibleAsync();

        await visitor.GotoAsync(link); // the link is single use
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Verify email address" }).ClickAsync();
        await Assertions.Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Could not verify" })).ToBeVisibleAsync();

        await staff.Page.ReloadAsync();
        await Assertions.Expect(staff.Row(address)).ToContainTextAsync("ready");
    }

    [Fact]
    public async Task StaffVerifyResendAndRemoveFromTheUserPage()
    {
        var staff = new AdminApp(await fixture.NewPageAsync());
        await staff.SignInAsync(AdminApp.Admin);
        await staff.PickUserAsync("liskov", "Barbara Liskov");
        var address = $"barbara.{Guid.NewGuid().ToString("N")[..8]}@example.com";
        await staff.AddAsync(address, "Return code");
        var firstCode = await staff.VerificationCode.InputValueAsync();

        // Resend, returning a new code: the first one stops working.
        await (await staff.ActionAsync($"Resend code to {address}")).ClickAsync();
        var dialog = staff.Page.GetByRole(AriaRole.Dialog);
        await AdminApp.ChooseAsync(dialog.GetByRole(AriaRole.Radio, new() { Name = "Return code" }));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();
        var newCode = await dialog.GetByTestId("resent-code").InputValueAsync();
        Assert.Matches("^[A-Z2-9]{8}$", newCode);
        Assert.NotEqual(firstCode, newCode);
        await staff.ScreenshotAsync("resend-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        // Verify: the old code is refused in the dialog, the new one makes it ready.
        await (await staff.ActionAsync($"Verify {address}")).ClickAsync();
        await AdminApp.TypeAsync(dialog.GetByLabel("Code"), firstCode);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(dialog.GetByText("The code is wrong")).ToBeVisibleAsync();
        await AdminApp.RetypeAsync(dialog.GetByLabel("Code"), newCode);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(staff.Row(address)).ToContainTextAsync("ready");

        // Remove, after confirming.
        await (await staff.ActionAsync($"Remove {address}")).ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Remove " + address);
        await staff.ScreenshotAsync("remove-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(staff.Page.GetByText(address)).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // The audit trail tells the story, without a code.
        await staff.Page.GetByRole(AriaRole.Link, new() { Name = "Audit trail of this user" }).ClickAsync();
        var events = staff.Page.GetByTestId("events");
        await Assertions.Expect(events).ToContainTextAsync("otp_email.removed");
        await Assertions.Expect(events).ToContainTextAsync("otp_email.verification_failed");
        var content = await staff.Page.ContentAsync();
        Assert.DoesNotContain(firstCode, content);
        Assert.DoesNotContain(newCode, content);
        await Accessibility.AssertAccessibleAsync(staff.Page);
        await staff.ScreenshotAsync("user-events");
    }

    [Fact]
    public async Task TheEventsPageFiltersByType()
    {
        var staff = new AdminApp(await fixture.NewPageAsync());
        await staff.SignInAsync(AdminApp.Viewer);

        await staff.Page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        var events = staff.Page.GetByTestId("events");
        await Assertions.Expect(events).ToContainTextAsync("user.created");
        await Assertions.Expect(staff.Page.GetByLabel("Actor")).ToBeEnabledAsync(); // the filters take input
        await staff.Page.GetByLabel("Type").ClickAsync();
        await staff.Page.GetByRole(AriaRole.Option, new() { Name = "otp_email.added" }).ClickAsync();

        await Assertions.Expect(events).Not.ToContainTextAsync("user.created");
        await Accessibility.AssertAccessibleAsync(staff.Page);
        await staff.ScreenshotAsync("events");
    }

    [GeneratedRegex(@"http://localhost:\d+/otp-email/verify\?userID=\d+&code=[A-Z2-9]{8}&orgID=\d+")]
    private static partial Regex DefaultLink();
}
