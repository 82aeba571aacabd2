using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Audit;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditServiceTests(ApiFixture fixture)
{
    private static readonly Caller Admin = new("auditor", null, Permissions.ForRoles([Roles.Admin]), null);
    private readonly ApiClient _api = fixture.Api;
    private AuditService Audit => fixture.App.Services.GetRequiredService<AuditService>();

    [Fact]
    public async Task AUsersEventsComeNewestFirstWithActorAndAddressButNoCode()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var added = await _api.AddOtpEmailAsync(userId, Json.ReturnCode(address), ApiClient.Acme);
        var code = added.Json["verificationCode"]!.GetValue<string>();

        var page = (await Audit.ForUserAsync(Admin, userId, 0, 10, CancellationToken.None)).Value;

        Assert.Equal(2, page.Total);
        Assert.Equal([2L, 1L], page.Rows.Select(r => r.Sequence));
        Assert.Equal("otp_email.added", page.Rows[0].Type);
        Assert.Equal(address, page.Rows[0].Address);
        Assert.StartsWith(ApiClient.Acme, page.Rows[0].Actor);
        Assert.DoesNotContain(page.Rows, r => r.ToString().Contains(code, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AllEventsFilterByOrganizationActorAndType()
    {
        var globexUser = await _api.CreateUserAsync(ApiClient.GlobexId);
        await _api.AddOtpEmailAsync(globexUser, Json.Verified(ApiClient.NewAddress()), ApiClient.Admin);

        var filtered = (await Audit.ListAsync(Admin, new EventFilter(ApiClient.GlobexId, ApiClient.Admin, OtpEmailEvents.Added), 0, 200, CancellationToken.None)).Value;

        Assert.Contains(filtered.Rows, r => r.UserId == globexUser);
        Assert.All(filtered.Rows, r =>
        {
            Assert.Equal("Globex", r.Organization);
            Assert.Equal(OtpEmailEvents.Added, r.Type);
            Assert.StartsWith(ApiClient.Admin, r.Actor);
        });
    }

    [Fact]
    public async Task ScopedStaffSeeOnlyTheirOrganizationsEvents()
    {
        var acmeUser = await _api.CreateUserAsync(ApiClient.AcmeId);
        var globexUser = await _api.CreateUserAsync(ApiClient.GlobexId); // the newest event: a scope that let it through would show it first
        var acmeOnly = new Caller("acme-staff", null, Permissions.ForRoles([Roles.Viewer]), new HashSet<long> { long.Parse(ApiClient.AcmeId) });

        var all = (await Audit.ListAsync(acmeOnly, new EventFilter(), 0, 200, CancellationToken.None)).Value;
        var own = (await Audit.ForUserAsync(acmeOnly, acmeUser, 0, 10, CancellationToken.None)).Value;
        var other = await Audit.ForUserAsync(acmeOnly, globexUser, 0, 10, CancellationToken.None);
        var nobody = await Audit.ListAsync(new Caller("x", null, new HashSet<string>(), null), new EventFilter(), 0, 10, CancellationToken.None);

        Assert.Contains(all.Rows, r => r.UserId == acmeUser); // their own organization's events are there
        Assert.DoesNotContain(all.Rows, r => r.UserId == globexUser);
        Assert.All(all.Rows, r => Assert.Equal("Acme", r.Organization));
        Assert.Single(own.Rows);
        Assert.Equal(ErrorCode.PermissionDenied, other.Error?.Code);
        Assert.Equal(ErrorCode.PermissionDenied, nobody.Error?.Code);
    }
}
