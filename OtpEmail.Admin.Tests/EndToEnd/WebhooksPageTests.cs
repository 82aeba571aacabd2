using Microsoft.Playwright;
using OtpEmail.Admin.Tests.EndToEnd.Pages;
using OtpEmail.Admin.Tests.TestSupport;
using StandardWebhooks;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>The Webhooks page as an admin uses it, by keyboard: add an endpoint, keep its secret, send a test event, redeliver it.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class WebhooksPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AnAdminAddsAnEndpointKeepsItsSecretSendsATestEventAndRedeliversIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Admin, "/webhooks");
        await Assertions.Expect(app.Heading).ToHaveTextAsync("Webhooks");
        await Accessibility.AssertAccessibleAsync(page);

        await AdminApp.TabToAsync(page, page.GetByLabel("Receiver URL"));
        await page.Keyboard.TypeAsync(receiver.Url("page"), new() { Delay = AdminApp.KeyDelay });
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }));
        await page.Keyboard.PressAsync("Enter");

        var secret = page.GetByTestId("signing-secret");
        await Assertions.Expect(secret).ToContainTextAsync("whsec_");
        await AdminApp.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }));
        await page.Keyboard.PressAsync("Enter");
        var delivered = page.GetByTestId("deliveries").Locator("tr").Filter(new() { HasText = "webhook.test" });
        await Assertions.Expect(delivered).ToContainTextAsync("delivered");
        await Assertions.Expect(delivered.GetByRole(AriaRole.Cell, new() { Name = "200", Exact = true })).ToBeVisibleAsync(); // the HTTP status
        await Accessibility.AssertAccessibleAsync(page);

        await AdminApp.TabToAsync(page, delivered.GetByRole(AriaRole.Button, new() { Name = "Redeliver" }));
        await page.Keyboard.PressAsync("Enter");
        await Eventually.TrueAsync(() => receiver.To("page").Count == 2, "the redelivery at the receiver");

        var (first, second) = (receiver.To("page")[0], receiver.To("page")[1]);
        new StandardWebhook((await secret.TextContentAsync())!.Trim()).Verify(first.Body, first.HeaderDictionary());
        Assert.Equal(first.Headers["webhook-id"], second.Headers["webhook-id"]);
    }

    [Fact]
    public async Task AViewerSeesTheEndpointsButCannotChangeThem()
    {
        var page = await fixture.NewPageAsync();
        var app = new AdminApp(page);
        await app.SignInAsync(AdminApp.Viewer, "/webhooks");

        await Assertions.Expect(page.GetByText("Your role may read the endpoints")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" })).ToHaveCountAsync(0);
    }
}
