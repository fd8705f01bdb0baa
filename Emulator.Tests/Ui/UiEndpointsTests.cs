using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MidasEmulator.Tests.Support;
using MidasEmulator.Ui;

namespace MidasEmulator.Tests.Ui;

/// <summary>The dashboard's files as served (docs/reference.md §6), without a browser: what the browser tests rely on.</summary>
public sealed partial class UiEndpointsTests
{
    [Theory]
    [InlineData("/ui", "text/html")]
    [InlineData("/ui/", "text/html")]
    [InlineData("/ui/app.js", "text/javascript")]
    [InlineData("/ui/pushes.js", "text/javascript")]
    [InlineData("/ui/style.css", "text/css")]
    public async Task Ui_File_IsServedWithItsTypeAndAPolicyOfThisOriginOnly(string path, string contentType)
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Ui_EveryFileReferencesOnlyTheEmulatorsOwnFiles()
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();

        Assert.Contains("index.html", UiEndpoints.FileNames);
        foreach (var name in UiEndpoints.FileNames)
        {
            var text = await http.GetStringAsync("/ui/" + name);
            // No CDN, no font service: whatever the page loads comes from /ui (it must work with no network).
            Assert.DoesNotMatch(ExternalUrl(), text);
            foreach (Match import in ModuleImport().Matches(text))
            {
                Assert.Contains(import.Groups[1].Value, UiEndpoints.FileNames);
            }
        }
    }

    [Fact]
    public async Task Ui_EveryViewIsInTheNavAndEveryModuleIsPreloaded()
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();
        var page = await http.GetStringAsync("/ui");
        var shell = await http.GetStringAsync("/ui/app.js");

        string[] views = ["ledger", "players", "calls", "faults", "pushes", "books"];
        foreach (var view in views)
        {
            Assert.Contains($"<a href=\"#{view}\">", page, StringComparison.Ordinal);
            Assert.Contains($"{view}: {view}View", shell, StringComparison.Ordinal);
        }
        foreach (Match import in ModuleImport().Matches(shell))
        {
            Assert.Contains($"<link rel=\"modulepreload\" href=\"/ui/{import.Groups[1].Value}\">", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ui_Scripts_NeverParseHtmlFromStrings()
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();

        foreach (var name in UiEndpoints.FileNames.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            // The Calls view shows bodies any client sent: text goes in as text nodes, so a body cannot become markup.
            Assert.DoesNotMatch(HtmlFromString(), await http.GetStringAsync("/ui/" + name));
        }
    }

    [Fact]
    public async Task Ui_WithAdminToken_PageLoadsButItsCallsAreRefused()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:AdminToken"] = "ui-token" });
        using var http = app.CreateClient();

        using var page = await http.GetAsync("/ui");
        using var call = await http.GetAsync("/admin/orders?limit=1");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
    }

    [Fact]
    public async Task Ui_UnknownFile_Answers404()
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();

        using var response = await http.GetAsync("/ui/missing.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Ui_SameFileAgain_AnswersNotModifiedByItsETag()
    {
        using var app = new EmulatorApp();
        using var http = app.CreateClient();
        using var first = await http.GetAsync("/ui/app.js");

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.True(Encoding.UTF8.GetByteCount(await first.Content.ReadAsStringAsync()) > 0);
    }

    [GeneratedRegex(@"(?:src|href)\s*=\s*[""']https?://|url\(\s*[""']?https?://|from\s+[""']https?://|import\s*\(\s*[""']https?://")]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")]
    private static partial Regex HtmlFromString();

    [GeneratedRegex(@"from '\./([\w.-]+)'")]
    private static partial Regex ModuleImport();
}
