using Microsoft.Playwright;

namespace MidasEmulator.Tests.Ui;

/// <summary>
/// Headless chromium for the dashboard tests, driven by Microsoft.Playwright: the system's own chromium (found on the
/// PATH, `apt-get install -y chromium`), never a browser Playwright downloads. Without one the tests skip, except under
/// CI=true, where .ci/run installs it and its absence is a failure of one line.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The chromium the tests drive, or null: the first of chromium and chromium-browser on the PATH.</summary>
    public static string? Chromium { get; } = FindOnPath("chromium") ?? FindOnPath("chromium-browser");

    public async Task InitializeAsync()
    {
        if (Chromium is null)
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        // --no-sandbox: the tests may run as root (CI containers), where chromium's sandbox refuses to start.
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    /// <summary>A fresh browser context (its own sessionStorage) on a 1280 × 800 window; skips or fails when there is no chromium.</summary>
    public async Task<IPage> NewPageAsync(ColorScheme scheme = ColorScheme.Light)
    {
        const string missing = "chromium is not installed (no chromium or chromium-browser on the PATH): apt-get install -y chromium";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.True(_browser is not null, missing);
        }
        Skip.If(_browser is null, missing);
        var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, ColorScheme = scheme });
        context.SetDefaultTimeout(10_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Saves what the page shows as NAME.png (1280 px wide): into $MIDAS_SCREENSHOTS when set (the README's pictures:
    /// MIDAS_SCREENSHOTS=$PWD/docs/img), else beside the test binaries, so a test run never edits the repository.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("MIDAS_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png") });
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
