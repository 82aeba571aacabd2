using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Components.Pages;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Components.Pages;

/// <summary>
/// The user page against the real handlers and database, with its OTP Email section, as staff of
/// each role see it.
/// </summary>
public sealed class UserPageTests : MudTestContext, IClassFixture<UserPageTests.App>
{
    private readonly App _app;

    public UserPageTests(App app)
    {
        _app = app;
        var services = app.Factory.Services;
        foreach (var type in new[]
        {
            typeof(GetUserProfileHandler), typeof(CallerFactory), typeof(ListOtpEmailsHandler),
            typeof(AddOtpEmailHandler), typeof(VerifyOtpEmailHandler), typeof(ResendOtpEmailCodeHandler), typeof(RemoveOtpEmailHandler),
            typeof(SetUserLanguageHandler),
        })
        {
            Context.Services.AddSingleton(type, services.GetRequiredService(type));
        }
    }

    [Theory]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.Support, true)]
    [InlineData(Roles.Viewer, false)]
    public async Task OnlyRolesThatMayAddSeeTheAddForm(string role, bool canAdd)
    {
        var userId = await _app.UserIdAsync("lovelace");
        SignIn(role);

        var page = Context.Render<UserPage>(parameters => parameters.Add(p => p.UserId, userId));

        page.WaitForAssertion(() => Assert.Contains("Ada Lovelace", page.Find("h1").TextContent));
        Assert.Equal(canAdd, page.FindAll("button").Any(b => b.TextContent.Contains("Add OTP email")));
        Assert.Equal(!canAdd, page.Markup.Contains("may look but not add", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AUserOfAnotherOrganizationIsNotShown()
    {
        var globexUser = await _app.UserIdAsync("lovelace", DemoSeed.GlobexId);
        SignIn(Roles.Support, organization: DemoSeed.AcmeId);

        var page = Context.Render<UserPage>(parameters => parameters.Add(p => p.UserId, globexUser));

        page.WaitForAssertion(() => Assert.Contains("may not act on users of this organization", page.Find("[role=alert]").TextContent));
        Assert.DoesNotContain("Ada Lovelace", page.Markup);
    }

    private void SignIn(string role, long? organization = null)
    {
        var claims = new List<Claim>
        {
            new("sub", $"{role}@demo.test"),
            new("name", role),
            new("role", role),
            new("org_id", organization is { } org ? DecimalId.Format(org) : Caller.AllOrganizations),
        };

        Authorization.SetAuthorized($"{role}@demo.test");
        Authorization.SetClaims([.. claims]);
    }

    /// <summary>The real app (database with the demo seed and services), not started as a server.</summary>
    public sealed class App : IAsyncLifetime
    {
        public AppFactory Factory { get; } = new(25);

        public async Task<string> UserIdAsync(string text, long organization = DemoSeed.AcmeId)
        {
            var admin = new Caller("test", null, Permissions.ForRoles([Roles.Admin]), new HashSet<long> { organization });
            var found = await Factory.Services.GetRequiredService<PickUserHandler>().HandleAsync(admin, text, 1, CancellationToken.None);
            return found.Value.Single().UserId;
        }

        public Task InitializeAsync()
        {
            Factory.StartClient().Dispose();
            return Task.CompletedTask;
        }

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }
}
