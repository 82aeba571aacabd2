using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd;

public static class Accessibility
{
    /// <summary>Runs axe-core on the page and fails on any serious or critical violation, naming them.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
