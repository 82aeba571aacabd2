using Bunit;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Bulk;

/// <summary>The bulk page's preview and progress, rendered from what the handlers report.</summary>
public sealed class BulkPanelsTests : MudTestContext
{
    [Fact]
    public void ThePreviewCountsTheRowsListsTheFirstProblemsAndStartsOnlyOnRequest()
    {
        var rows = Enumerable.Range(1, 1000).Select(i => new BulkRow(i, $"user{i}", $"a{i}@example.com", "return_code", null)).ToList();
        var problems = Enumerable.Range(1, 25)
            .Select(i => new BulkProblem(i * 7, $"user{i * 7}", $"a{i * 7}@example.com", AppError.Invalid("TEST-PROBLEM", $"problem {i}")))
            .ToList();
        var started = 0;

        var panel = Context.Render<BulkPreviewPanel>(parameters => parameters
            .Add(p => p.Preview, new BulkPreview("staff.csv", rows, problems))
            .Add(p => p.OnStart, () => started++));

        Assert.Equal("1,000 rows in the file: 975 rows ready to add, 25 problems.", System.Text.RegularExpressions.Regex.Replace(panel.Find("[data-testid=bulk-preview-counts]").TextContent.Trim(), @"\s+", " "));
        var listed = panel.FindAll("[data-testid=bulk-problems] tbody tr");
        Assert.Equal(BulkPreviewPanel.MaxShown, listed.Count);
        Assert.Equal(["7", "user7", "a7@example.com", "problem 1"], listed[0].Children.Select(cell => cell.TextContent));
        Assert.Contains("… and 5 more", panel.Markup);
        Assert.Equal(0, started);

        panel.FindAll("button").Single(b => b.TextContent.Contains("Start", StringComparison.Ordinal)).Click();

        Assert.Equal(1, started);
        Assert.Contains("Start: add 975 authenticators", panel.Markup);
    }

    [Fact]
    public void APreviewWithNothingToAddCannotStart()
    {
        var rows = new List<BulkRow> { new(1, "ghost", "a@example.com", "return_code", null) };

        var panel = Context.Render<BulkPreviewPanel>(parameters => parameters
            .Add(p => p.Preview, new BulkPreview("ghost.csv", rows, [new BulkProblem(1, "ghost", "a@example.com", UserId.NotFound)])));

        Assert.True(panel.FindAll("button").Single(b => b.TextContent.Contains("Start", StringComparison.Ordinal)).HasAttribute("disabled"));
    }

    [Fact]
    public void ProgressShowsRowsDoneOutcomesAndTimeLeftWhileRunning()
    {
        var panel = Context.Render<BulkProgressPanel>(parameters => parameters
            .Add(p => p.Job, Job(BulkJobState.Running, done: 400, succeeded: 390, failed: 10))
            .Add(p => p.RowsPerSecond, 200));

        Assert.Equal("400 of 1,000 rows done · 390 added · 10 failed · about 3 s left", Counts(panel));
        Assert.Contains("Adding from staff.csv", panel.Markup);
        Assert.Equal("400", panel.Find("[role=progressbar]").GetAttribute("aria-valuenow"));

        panel.Render(parameters => parameters.Add(p => p.Job, Job(BulkJobState.Done, done: 1000, succeeded: 980, failed: 20)));

        Assert.Equal("1,000 of 1,000 rows done · 980 added · 20 failed", Counts(panel));
        Assert.Contains("Done: staff.csv", panel.Markup);
    }

    private static string Counts(IRenderedComponent<BulkProgressPanel> panel) =>
        panel.Find("[data-testid=bulk-progress-counts]").TextContent.Trim();

    private static BulkJobView Job(BulkJobState state, int done, int succeeded, int failed) =>
        new("1", state, "staff.csv", DateTimeOffset.UtcNow, null, 1000, done, succeeded, failed, null);
}
