using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>The security review's findings, tried as an attacker would, in a real browser.</summary>
[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed partial class SecurityTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AReturnUrlOffThisSiteEndsOnTheStartPageAfterARealSignIn()
    {
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);

        // As reported: a tab that the browser drops turns "/\t/evil.example" into "//evil.example".
        await page.GotoAsync("/account/login?returnUrl=/%09/evil.example");
        await new SignInPage(page).SignInAsync(AdminApp.Viewer);
        await AssertOnThisSiteAsync(page, app);

        foreach (var returnUrl in new[] { "/%5Cevil.example", "%2F%09%2Fevil.example", "/%0A/evil.example", "%2F%2Fevil.example", "https://evil.example/" })
        {
            await page.GotoAsync($"/account/login?returnUrl={returnUrl}"); // signed in at the provider: straight back
            await AssertOnThisSiteAsync(page, app);
        }
    }

    [Fact]
    public async Task AnonymousWrongCodesOnTheLinkPageDoNotLockStaffOutOfVerifying()
    {
        var staff = new AdminApp(await fixture.NewPageAsync());
        await staff.SignInAsync(AdminApp.Admin);
        await staff.PickUserAsync("goldwasser", "Shafi Goldwasser");
        var userId = await staff.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "User id" }).Locator("code").InnerTextAsync();
        var orgId = await staff.Page.GetByRole(AriaRole.Row).Filter(new() { Has = staff.Page.GetByRole(AriaRole.Rowheader, new() { Name = "Organization", Exact = true }) }).InnerTextAsync() switch
        {
            var text when text.Contains("Acme") => "300000000000000001",
            _ => "300000000000000002",
        };
        var address = $"shafi.{Guid.NewGuid().ToString("N")[..8]}@example.com";
        await staff.AddAsync(address, "Return code");
        var code = await staff.VerificationCode.InputValueAsync();

        var visitor = await fixture.NewPageAsync(); // anonymous, holding the user and organization ids of any link
        for (var i = 0; i < 6; i++)
        {
            await visitor.GotoAsync($"/otp-email/verify?userID={userId}&code=WRONG{i}23&orgID={orgId}");
            await visitor.GetByRole(AriaRole.Button, new() { Name = "Verify email address" }).ClickAsync();
            await Assertions.Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "Could not verify" })).ToBeVisibleAsync();
        }

        await (await staff.ActionAsync($"Verify {address}")).ClickAsync();
        await AdminApp.TypeAsync(staff.Dialog.GetByLabel("Code"), code);
        await staff.Dialog.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(staff.Row(address)).ToContainTextAsync("ready");
    }

    [Fact]
    public async Task StaffPagesRunUnderTheContentSecurityPolicyWithoutAViolation()
    {
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (CspViolation().IsMatch(message.Text))
            {
                violations.Add(message.Text);
            }
        };
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Admin);
        await app.PickUserAsync("wirth", "Niklaus Wirth");
        var address = $"niklaus.{Guid.NewGuid().ToString("N")[..8]}@example.com";
        await app.AddAsync(address, "Return code");
        await (await app.ActionAsync($"Resend code to {address}")).ClickAsync();
        await Assertions.Expect(app.Dialog).ToBeVisibleAsync();
        await app.Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("events")).ToContainTextAsync("otp_email.added");

        Assert.Empty(violations);
    }

    private async Task AssertOnThisSiteAsync(IPage page, AdminApp app)
    {
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Find a user");
        Assert.StartsWith(fixture.App.PublicBaseUrl.AbsoluteUri, page.Url);
    }

    [GeneratedRegex("Content Security Policy|Refused to")]
    private static partial Regex CspViolation();
}
