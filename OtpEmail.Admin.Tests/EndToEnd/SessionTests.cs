using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// Staff sessions follow the provider: an account disabled, or given another role, there loses what
/// it may no longer do on a page that stays open, without a reload.
/// </summary>
[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class SessionTests(BrowserFixture fixture)
{
    private DevStaffDirectory Staff => fixture.App.Services.GetRequiredService<DevStaffDirectory>();

    [Fact]
    public async Task AnAccountDisabledAtTheProviderIsSignedOutOfTheOpenPage()
    {
        var member = NewSupportAccount();
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(member.Email);
        await app.PickUserAsync("hamilton", "Margaret Hamilton");
        await Assertions.Expect(app.AddButton).ToBeVisibleAsync();

        Staff.Save(member with { Disabled = true });

        await new SignInPage(app.Page).IsShownAsync(); // the open page sent the visitor to sign in
        await new SignInPage(app.Page).SignInAsync(member.Email);
        await Assertions.Expect(app.Page.GetByText("Email or password is wrong.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ARoleChangedAtTheProviderTakesEffectOnTheOpenPage()
    {
        var member = NewSupportAccount();
        var app = new AdminApp(await fixture.NewPageAsync());
        await app.SignInAsync(member.Email);
        await app.PickUserAsync("torvalds", "Linus Torvalds");
        await Assertions.Expect(app.AddButton).ToBeVisibleAsync();

        Staff.Save(member with { Roles = ["otp-viewer"] });

        await Assertions.Expect(app.AddButton).ToHaveCountAsync(0);
        await Assertions.Expect(app.Page.GetByText("may look but not add")).ToBeVisibleAsync();
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Linus Torvalds"); // still on the page: reading is allowed
        await Assertions.Expect(app.SignedInAs).ToContainTextAsync("otp-viewer");
    }

    private DevAccounts.StaffMember NewSupportAccount()
    {
        var member = new DevAccounts.StaffMember($"temp-{Guid.NewGuid().ToString("N")[..8]}@demo.test", "demo", "Temp Support", ["otp-support"]);
        Staff.Save(member);
        return member;
    }
}
