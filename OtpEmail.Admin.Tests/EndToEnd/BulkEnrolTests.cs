using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Tests.EndToEnd.Pages;

namespace OtpEmail.Admin.Tests.EndToEnd;

[Collection(SecondBrowserCollection.Name)]
[Trait("Category", "Browser")]
public sealed class BulkEnrolTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AThousandRowFileIsPreviewedRunWithProgressAndItsResultDownloadedOnce()
    {
        var usernames = await NewUsersAsync(50);
        var csv = new StringBuilder("user,address,mode\n");
        for (var row = 1; row <= 1000; row++)
        {
            var user = usernames[(row - 1) % 50];
            csv.Append(row switch
            {
                10 => "nobody.at.all",
                _ => user,
            }).Append(',').Append(row == 20 ? "not-an-address" : $"{user}.{row}@example.com").Append(',').Append(row == 30 ? "carrier_pigeon" : "return_code").Append('\n');
        }

        var staff = new AdminApp(await fixture.NewPageAsync());
        await staff.SignInAsync(AdminApp.Admin);
        await staff.Page.GetByRole(AriaRole.Link, new() { Name = "Bulk enrol" }).ClickAsync();
        var fileInput = staff.Page.GetByLabel("CSV file");
        await Assertions.Expect(fileInput).ToBeEnabledAsync(); // as a person sees it: a disabled input takes no file
        await fileInput.SetInputFilesAsync(new FilePayload
        {
            Name = "team.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv.ToString()),
        });

        await Assertions.Expect(staff.Page.GetByTestId("bulk-preview-counts")).ToHaveTextAsync("1,000 rows in the file: 997 rows ready to add, 3 problems.");
        await Assertions.Expect(staff.Page.GetByTestId("bulk-problems").GetByRole(AriaRole.Row)).ToHaveCountAsync(4); // a header and three problems
        await Accessibility.AssertAccessibleAsync(staff.Page);
        await staff.ScreenshotAsync("bulk-preview");
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Start: add 997 authenticators" }).ClickAsync();

        var progress = staff.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Rows done" });
        await Assertions.Expect(progress).ToBeVisibleAsync();
        await Assertions.Expect(progress).ToHaveAttributeAsync("aria-valuenow", "1000", new() { Timeout = 60_000 });
        await Assertions.Expect(staff.Page.GetByTestId("bulk-progress-counts")).ToHaveTextAsync("1,000 of 1,000 rows done · 997 added · 3 failed");
        await staff.ScreenshotAsync("bulk-done");

        // Another site cannot make the browser spend the codes: the download wants the page's antiforgery token.
        long jobId;
        await using (var db = fixture.App.CreateDbContext())
        {
            jobId = await db.BulkJobs.Where(j => j.FileName == "team.csv").OrderByDescending(j => j.Id).Select(j => j.Id).FirstAsync();
        }

        var forged = await staff.Page.APIRequest.PostAsync($"/bulk/{jobId}/result.csv");
        var fetched = await staff.Page.APIRequest.GetAsync($"/bulk/{jobId}/result.csv");
        Assert.Equal(400, forged.Status);
        Assert.Equal(404, fetched.Status); // a link cannot fetch it either: there is no GET route
        var token = await staff.Page.Locator($"form[action='/bulk/{jobId}/result.csv'] input[name='__RequestVerificationToken']").InputValueAsync();

        var download = await staff.Page.RunAndWaitForDownloadAsync(() =>
            staff.Page.GetByRole(AriaRole.Button, new() { Name = "Download the result" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).ToList();

        Assert.Equal("row,outcome,otp_email_id,error_code,error_id,error_message,verification_code", lines[0]);
        Assert.Equal(1001, lines.Count);
        for (var row = 1; row <= 1000; row++)
        {
            var fields = lines[row].Split(',');
            Assert.Equal(row.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[0]);
            var expected = row switch { 10 => "FAILED USER-NOTFOUND", 20 => "FAILED EMAIL-FORMAT", 30 => "FAILED BULK-MODE", _ => "OK " };
            Assert.Equal(expected, $"{fields[1]} {fields[4]}");
            if (fields[1] == "OK")
            {
                Assert.Matches("^[0-9]{18}$", fields[2]);
                Assert.Matches("^[A-Z2-9]{8}$", fields[6]); // the code, in this one download
            }
        }

        await Assertions.Expect(staff.Page.GetByText("Result downloaded. Codes are not offered again")).ToBeVisibleAsync();

        // The same form sent again (the page's token, the browser's cookie): the result once more, without a code.
        var again = await staff.Page.APIRequest.PostAsync($"/bulk/{jobId}/result.csv", new() { Form = FormWith(staff.Page, "__RequestVerificationToken", token) });
        Assert.Equal(200, again.Status);
        var second = (await again.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0], second[0]);
        Assert.Equal(1001, second.Length);
        Assert.All(second.Skip(1), line => Assert.EndsWith(",", line)); // the last field, the code, empty
        Assert.Equal(lines.Skip(1).Select(WithoutCode), second.Skip(1));
        await Assertions.Expect(staff.Page.GetByTestId("bulk-jobs")).ToContainTextAsync("team.csv");

        // The audit: each row's add is an ordinary event, and the job itself is listed with its counts.
        await staff.Page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        await Assertions.Expect(staff.Page.GetByTestId("events")).ToContainTextAsync($"{usernames[49]}.1000@example.com");
        var job = staff.Page.GetByTestId("bulk-job-events").GetByRole(AriaRole.Row).Filter(new() { HasText = "team.csv" }).First;
        await Assertions.Expect(job).ToContainTextAsync("done");
        await Assertions.Expect(job).ToContainTextAsync("1,000");
        await Assertions.Expect(job).ToContainTextAsync("997");
    }

    private static string WithoutCode(string line) => line[..(line.LastIndexOf(',') + 1)];

    private static IFormData FormWith(IPage page, string name, string value)
    {
        var form = page.APIRequest.CreateFormData();
        form.Set(name, value);
        return form;
    }

    // Fresh users in Acme, none with authenticators yet: the per-user limit (20) holds 20 rows each.
    private async Task<List<string>> NewUsersAsync(int count)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var users = Enumerable.Range(1, count).Select(i => new User
        {
            Id = 900_000_000_000_000_000 + Random.Shared.NextInt64(1, 99_999_999_999_999_999),
            OrganizationId = DevAccounts.AcmeOrganizationId,
            Username = $"bulk.{tag}.{i}",
            GivenName = "Bulk",
            FamilyName = $"User {i}",
            DisplayName = $"Bulk User {i}",
            Email = $"bulk.{tag}.{i}@example.com",
        }).ToList();
        await using var db = fixture.App.CreateDbContext();
        db.Users.AddRange(users);
        await db.SaveChangesAsync();
        return users.Select(u => u.Username).ToList();
    }
}
