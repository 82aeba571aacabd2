using System.Security.Claims;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Bulk;

/// <summary>The bulk page against the real handlers and database, as a staff member whose access may change while it is open.</summary>
public sealed class BulkEnrolPageTests : MudTestContext, IClassFixture<BulkEnrolPageTests.App>
{
    private readonly App _app;
    private readonly string _subject = $"support-{Guid.NewGuid():N}@demo.test";

    public BulkEnrolPageTests(App app)
    {
        _app = app;
        foreach (var type in new[] { typeof(BulkPreviewHandler), typeof(BulkJobs), typeof(CallerFactory), typeof(TimeProvider) })
        {
            Context.Services.AddSingleton(type, app.Factory.Services.GetRequiredService(type));
        }
    }

    [Fact]
    public async Task AFileChosenAfterADemotionToViewerIsNotPreviewed()
    {
        SignIn(Roles.Support);
        var page = Context.Render<BulkEnrolPage>();
        var choose = page.WaitForComponent<InputFile>().Instance.OnChange; // the input as the page showed it before the demotion
        var file = new CsvFile(await CsvAsync());

        SignIn(Roles.Viewer);
        await page.InvokeAsync(() => choose.InvokeAsync(new InputFileChangeEventArgs([file])));

        Assert.Empty(page.FindAll("[data-testid=bulk-preview]"));
        page.WaitForAssertion(() => Assert.Contains("Your role may read, not add authenticators", page.Markup));
    }

    [Fact]
    public async Task ASupportUserDemotedToViewerWithThePreviewOpenCannotStartAJob()
    {
        SignIn(Roles.Support);
        var page = Context.Render<BulkEnrolPage>();
        page.WaitForComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(await CsvAsync(), "team.csv"));
        var start = page.WaitForComponent<BulkPreviewPanel>().Instance.OnStart; // the Start button, pressed as the demotion lands

        SignIn(Roles.Viewer);
        await page.InvokeAsync(() => start.InvokeAsync());

        await using (var db = _app.Factory.CreateDbContext())
        {
            Assert.False(await db.BulkJobs.AnyAsync(j => j.ActorSubject == _subject), "a job was started with the role the page was opened with");
        }

        page.WaitForAssertion(() => Assert.Contains("Your role may read, not add authenticators", page.Markup));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStartBeyondTheRunningJobsAllowedIsRefusedWithAClearMessage()
    {
        await using (var db = _app.Factory.CreateDbContext())
        {
            foreach (var id in new[] { 1L, 2L }.Select(n => 2_000_000_000_000L + Random.Shared.Next() * 4L + n))
            {
                db.BulkJobs.Add(new BulkJob // running on another instance: they stay running
                {
                    Id = id,
                    ActorSubject = _subject,
                    Caller = $$"""{"Subject":"{{_subject}}","ClientId":null,"Granted":["user.read","user.credential.write"],"Organizations":null}""",
                    FileName = "earlier.csv",
                    CreatedAt = DateTimeOffset.UtcNow,
                    Runner = 42,
                    RunnerLeaseUntil = DateTimeOffset.UtcNow.AddHours(1),
                });
            }

            await db.SaveChangesAsync();
        }

        SignIn(Roles.Support);
        var page = Context.Render<BulkEnrolPage>();
        page.WaitForComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(await CsvAsync(), "team.csv"));
        page.WaitForComponent<BulkPreviewPanel>().FindAll("button").Single(b => b.TextContent.Contains("Start", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Contains(
            "At most 2 of your bulk jobs may run at once; start this one when one of them has finished", page.Find("[data-testid=bulk-error]").TextContent));
        await using var check = _app.Factory.CreateDbContext();
        Assert.Equal(2, await check.BulkJobs.CountAsync(j => j.ActorSubject == _subject));
    }

    private void SignIn(string role)
    {
        Authorization.SetAuthorized(_subject);
        Authorization.SetClaims(new Claim("sub", _subject), new Claim("name", role), new Claim("role", role), new Claim("org_id", Caller.AllOrganizations));
    }

    // One row the support role could add: Acme's Ada Lovelace, a new address, already verified (no mail).
    private async Task<string> CsvAsync()
    {
        await using var db = _app.Factory.CreateDbContext();
        var user = await db.Users.Where(u => u.Username == "ada.lovelace" && u.OrganizationId == DemoSeed.AcmeId).Select(u => u.Id).SingleAsync();
        return $"user,address,mode\n{DecimalId.Format(user)},{Guid.NewGuid():N}@example.com,is_verified\n";
    }

    /// <summary>A chosen file as the browser hands it over.</summary>
    private sealed class CsvFile(string text) : IBrowserFile
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);

        public string Name => "team.csv";

        public DateTimeOffset LastModified => DateTimeOffset.UtcNow;

        public long Size => _bytes.Length;

        public string ContentType => BulkCsv.MediaType;

        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => new MemoryStream(_bytes);
    }

    /// <summary>The real app (database with the demo seed, services and the bulk runner), not called over HTTP.</summary>
    public sealed class App : IAsyncLifetime
    {
        public AppFactory Factory { get; } = new(25);

        public Task InitializeAsync()
        {
            Factory.StartClient().Dispose();
            return Task.CompletedTask;
        }

        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }
}
