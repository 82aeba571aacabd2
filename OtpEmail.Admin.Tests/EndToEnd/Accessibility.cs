using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OtpEmail.Admin.Tests.EndToEnd;

public static class Accessibility
{
    /// <summary>
    /// Runs axe-core on the page and fails on any serious or critical violation, naming them. A page with
    /// a sandboxed frame (no scripts may run in it) is checked without its frames: axe would wait for them forever.
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, bool frames = true)
    {
        var results = await page.RunAxe(frames ? null : new AxeRunOptions { Iframes = false });
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }
}
