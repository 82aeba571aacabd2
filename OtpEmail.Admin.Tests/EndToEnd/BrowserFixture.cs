using Microsoft.Playwright;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.EndToEnd;

/// <summary>
/// The app on real Kestrel (Development, mail to a pickup folder) and Debian's Chromium driven by
/// Playwright, shared by the browser tests; each test opens its own browser context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public AppFactory App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static TimeSpan RevalidationInterval { get; } = TimeSpan.FromSeconds(1);

    public string PickupDirectory => Path.Combine(App.DataDirectory, "mail");

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        // Staff sessions are checked with the provider every second here (minutes in production), and the
        // public page's per-client limit is wide: every browser here is one client, 127.0.0.1.
        App = new AppFactory(25, new Dictionary<string, string?>
        {
            ["Authentication:RevalidationInterval"] = RevalidationInterval.ToString(),
            ["Otp:LinkAttemptsPerMinute"] = "100",
        });
        App.WithPickupDirectory();
        App.StartClient().Dispose();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
        Directory.CreateDirectory(ScreenshotDirectory);

        // CI runs several apps at once on two cores: give the page and assertions time, not sleeps.
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>Debian's Chromium, headless, without the background traffic a test does not want.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.PublicBaseUrl.AbsoluteUri,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>The text of the first mail to <paramref name="address"/> in the pickup folder, once it is there.</summary>
    public async Task<string> WaitForMailAsync(string address)
    {
        string? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = Directory.Exists(PickupDirectory)
                ? Directory.GetFiles(PickupDirectory, "*.eml").Select(File.ReadAllText).FirstOrDefault(text => text.Contains(address))
                : null;
            return found is not null;
        }, $"a mail to {address} in the pickup folder");
        return found!;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

// Two apps, each with its Chromium, so that the browser tests' waiting (a person's typing pace,
// debounced searches) overlaps; the tests of one collection run one after another.

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

[CollectionDefinition(Name)]
public sealed class SecondBrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser-2";
}
