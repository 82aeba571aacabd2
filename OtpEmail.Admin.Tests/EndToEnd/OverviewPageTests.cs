using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.EndToEnd.Pages;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>The Overview page as a person uses it: reached from the app bar, read, and acted on (resend, export) with the keyboard alone.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class OverviewPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task TheOverviewIsAccessibleAndItsStaleEnrolmentsCanBeResentWithTheKeyboard()
    {
        var first = await StaleEnrolmentAsync();
        var second = await StaleEnrolmentAsync();
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Support);

        // From the app bar, by keyboard.
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Overview" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Overview");
        var stale = page.GetByTestId("stale");
        await Assertions.Expect(stale).ToContainTextAsync(first);
        await Assertions.Expect(stale).ToContainTextAsync(second);
        await Assertions.Expect(page.GetByTestId("enrolment").Locator("tr", new() { HasText = "Acme" })).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page);
        await app.ScreenshotAsync("overview");

        // The list as CSV.
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Export as CSV" }));
        var download = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("user_id,user,organization_id,otp_email_id,address,added_at,code_expired_at", csv, StringComparison.Ordinal);
        Assert.Contains(first, csv, StringComparison.Ordinal);
        Assert.Contains(second, csv, StringComparison.Ordinal);

        // One resend from its row.
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = $"Resend code to {first}" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("resend-outcome")).ToContainTextAsync("A new code went to 1 of 1.");
        Assert.Contains(first, await fixture.WaitForMailAsync(first));

        // A choice: its checkbox with Space, then the button for the chosen.
        var choose = stale.Locator("tr", new() { HasText = second }).GetByRole(AriaRole.Checkbox);
        await AdminApp.TabToAsync(page, choose);
        await page.Keyboard.PressAsync("Space");
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Resend code to the 1 chosen" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("resend-outcome")).ToContainTextAsync("A new code went to 1 of 1.");
        Assert.Contains(second, await fixture.WaitForMailAsync(second));
        await Accessibility.AssertAccessibleAsync(page);
    }

    /// <summary>A new Acme user's pending authenticator whose code ran out: its address.</summary>
    private async Task<string> StaleEnrolmentAsync()
    {
        var services = fixture.App.Services;
        var username = "stale" + Guid.NewGuid().ToString("N")[..10];
        var user = await services.GetRequiredService<CreateUserHandler>().HandleAsync(Callers.Admin, new CreateUserRequest
        {
            Organization = new OrganizationReference { OrgId = DecimalId.Format(Callers.Acme) },
            User = new NewUser { Username = username, GivenName = "Stale", FamilyName = username, Contact = new NewContact { Email = new NewEmail { Address = username + "@example.com" } } },
        }, CancellationToken.None);
        var address = $"{username}@example.com";
        var added = await services.GetRequiredService<AddOtpEmailHandler>().HandleAsync(Callers.Admin, user.Value.UserId,
            new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.ReturnCode) }, CancellationToken.None);
        await using var db = fixture.App.CreateDbContext();
        var expired = DateTimeOffset.UtcNow.AddMinutes(-1); // as if ten minutes had passed
        await db.OtpEmails.Where(a => a.Id == long.Parse(added.Value.OtpEmailId)).ExecuteUpdateAsync(set => set.SetProperty(a => a.CodeExpiresAt, expired));
        return address;
    }
}
