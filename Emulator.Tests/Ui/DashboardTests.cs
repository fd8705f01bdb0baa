using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using MidasEmulator.Testing;
using MidasEmulator.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace MidasEmulator.Tests.Ui;

/// <summary>
/// The dashboard in headless chromium against the emulator on a real socket (docs/reference.md §6): every view, driven
/// as a person would, checked against what the admin API then holds. Each test's last screenshot is a picture of
/// docs/img/ (<see cref="BrowserFixture.ScreenshotAsync"/>).
/// </summary>
[Trait("Category", "Slow")]
public sealed class DashboardTests : IClassFixture<BrowserFixture>, IDisposable
{
    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;

    private readonly BrowserFixture _browser;
    private readonly KestrelEmulatorApp _app = KestrelEmulatorApp.Start();
    private readonly HttpClient _admin;
    private readonly MidasAdminClient _adminClient;
    private readonly MidasGameClient _backend;
    private readonly List<string> _pageErrors = [];

    public DashboardTests(BrowserFixture browser)
    {
        _browser = browser;
        _admin = new HttpClient { BaseAddress = _app.BaseAddress };
        _adminClient = new MidasAdminClient(_admin);
        _backend = new MidasGameClient(new HttpClient { BaseAddress = _app.BaseAddress }, clock: _app.Clock);
    }

    public void Dispose()
    {
        _admin.Dispose();
        _backend.Http.Dispose();
        _app.Dispose();
    }

    [SkippableFact]
    public async Task Players_PayThroughWeChat_AppearsInThePlayerLedgerAndCallsWithoutAReload()
    {
        // Some history, twenty minutes apart, for the chart: 1000 (seed) → 1500 → 1550 → 1430.
        await _adminClient.TopupAsync(User.Openid, 500);
        _app.Clock.Advance(TimeSpan.FromMinutes(20));
        WireAssert.Ok(await _backend.PresentAsync(User, "UI-GIFT-1", 50));
        _app.Clock.Advance(TimeSpan.FromMinutes(20));
        WireAssert.Ok(await _backend.PayAsync(User, "UI-PAY-0", 120));
        _app.Clock.Advance(TimeSpan.FromMinutes(20));
        var page = await OpenAsync("#players");
        await page.FillAsync("#player-openid", User.Openid);
        await page.PressAsync("#player-openid", "Enter");
        await Expect(page.Locator("#account dd").First).ToHaveTextAsync("1,430");
        await MarkPageAsync(page);

        WireAssert.Ok(await _backend.PayAsync(User, "UI-PAY-1", 30));

        await Expect(page.Locator("#player-orders tbody tr", new() { HasText = "UI-PAY-1" })).ToContainTextAsync("1,400");
        await Expect(page.Locator("#account dd").First).ToHaveTextAsync("1,400");
        await Expect(page.Locator("#player-orders tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("svg.chart path.line")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "players");
        await page.ClickAsync("nav >> text=Ledger");
        await Expect(page.Locator("#ledger tbody tr").First).ToContainTextAsync("UI-PAY-1");
        await page.ClickAsync("nav >> text=Calls");
        await Expect(page.Locator("#calls tbody tr").First).ToContainTextAsync("UI-PAY-1");
        // A call made while the list is open joins it.
        WireAssert.Ok(await _backend.GetBalanceAsync(User));
        await Expect(page.Locator("#calls tbody tr").First).ToContainTextAsync("getbalance");
        await AssertNotReloadedAsync(page);
    }

    [SkippableFact]
    public async Task Faults_RuleFromATemplate_IsAddedFiresAndIsDeleted_AndARefusedRuleShowsTheDetail()
    {
        var page = await OpenAsync("#faults");

        await page.ClickAsync("text=-1 after commit on the next pay");
        await Expect(page.Locator("#fault-preview")).ToHaveTextAsync("""{"endpoint":"pay","action":"errcode","errcode":-1,"after_commit":true,"times":1}""");
        await page.PressAsync("#fault-form input[name=times]", "Enter");
        var row = page.Locator("#faults tbody tr[data-id=f1]");
        await Expect(row).ToContainTextAsync("active");
        WireAssert.Code(-1, await _backend.PayAsync(User, "UI-FAULT-1", 10));
        await Expect(row).ToContainTextAsync("retired");

        await page.ClickAsync("text=Free-form");
        await page.FillAsync("#fault-form input[name=probability]", "2");
        await page.ClickAsync("#fault-form button[type=submit]");
        await Expect(page.Locator("#problem")).ToContainTextAsync("probability must be from 0 to 1");
        await BrowserFixture.ScreenshotAsync(page, "faults");

        await page.ClickAsync("button[aria-label='Delete f1']");
        await Expect(row).ToHaveCountAsync(0);
        Assert.Empty((await _admin.GetFromJsonAsync<JsonElement[]>("/admin/faults"))!);
    }

    [SkippableFact]
    public async Task Calls_SignatureError_ShowsTheStringToSignBesideWhatTheClientSent()
    {
        WireAssert.Code(90011, await _backend.CallAsync("pay", User, new() { ["amt"] = 10L, ["bill_no"] = "UI-SIG-1" }, appKey: "not-the-sandbox-key"));
        var sent = (await _admin.GetFromJsonAsync<JsonElement[]>("/admin/requests?bill_no=UI-SIG-1"))![0];
        var sig = JsonDocument.Parse(sent.GetProperty("body").GetString()!).RootElement.GetProperty("sig").GetString();
        var page = await OpenAsync("#calls");

        await page.FillAsync("input[name=errcode]", "90011");
        await page.PressAsync("input[name=errcode]", "Enter");
        var row = page.Locator("#calls tbody tr", new() { HasText = "UI-SIG-1" });
        await Expect(page.Locator("#calls tbody tr")).ToHaveCountAsync(1);
        // By keyboard: the call's id is a button.
        await row.Locator("button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#string-to-sign")).ToContainTextAsync("&org_loc=/cgi-bin/midas/sandbox/pay&method=POST&secret=***");
        await Expect(page.Locator("#signature")).ToContainTextAsync($"sig={sig}");
        await Expect(page.Locator("#call-detail")).ToContainTextAsync("sig error hint");
        await BrowserFixture.ScreenshotAsync(page, "calls");
    }

    [SkippableFact]
    public async Task Calls_GamePaySignatureError_ShowsTheExactStringSigned()
    {
        var game = new MidasGamePayClient(_backend.Http);
        var body = game.Body(User, new { amount = 10, bill_no = "UI-SIG-2" });
        WireAssert.Code(90011, await game.PostSignedAsync("pay", User, body, appKey: "not-the-sandbox-key"));
        var page = await OpenAsync("#calls");

        await page.FillAsync("input[name=errcode]", "90011");
        await page.PressAsync("input[name=errcode]", "Enter");
        await Expect(page.Locator("#calls tbody tr")).ToHaveCountAsync(1);
        await page.Locator("#calls tbody tr", new() { HasText = "UI-SIG-2" }).Locator("button").ClickAsync();

        await Expect(page.Locator("#signature")).ToContainTextAsync("Why 90011: the pay_sig does not match");
        await Expect(page.Locator("#string-to-sign")).ToHaveTextAsync($"/wxa/game/pay&{System.Text.Encoding.UTF8.GetString(body)} (key: ***)");
    }

    [SkippableFact]
    public async Task Books_ClockAndReset_GoThroughTheAdminApi_AndResetAsksFirst()
    {
        await _adminClient.TopupAsync("oUiResetPlayer", 50);
        var page = await OpenAsync("#books");
        await Expect(page.Locator("#verdict")).ToContainTextAsync("The books balance: 4 accounts, 4 orders");

        await page.FillAsync("#advance-seconds", "7201");
        await page.PressAsync("#advance-seconds", "Enter");
        await Expect(page.Locator("#clock-now")).ToContainTextAsync("moved +7,201 s");
        await Expect(page.Locator("#status")).ToContainTextAsync("(moved +7201 s)");
        Assert.Equal(7201, (await _admin.GetFromJsonAsync<JsonElement>("/admin/clock")).GetProperty("offset_s").GetDouble());
        await BrowserFixture.ScreenshotAsync(page, "books");
        await page.ClickAsync("#clock-real");
        await Expect(page.Locator("#clock-now")).ToContainTextAsync("the real time");
        Assert.True((await _admin.GetFromJsonAsync<JsonElement>("/admin/clock")).GetProperty("real").GetBoolean());

        await page.ClickAsync("text=Reset…");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#confirm-reset")).ToBeHiddenAsync();
        Assert.Single(await _adminClient.OrdersAsync("openid=oUiResetPlayer"));
        await page.ClickAsync("text=Reset…");
        await page.ClickAsync("#confirm-reset-yes");
        await Expect(page.Locator("#reset-result")).ToContainTextAsync("3 players seeded");
        Assert.Empty(await _adminClient.OrdersAsync("openid=oUiResetPlayer"));
        await Expect(page.Locator("#verdict")).ToContainTextAsync("3 accounts, 3 orders");
        await page.ClickAsync("nav >> text=Ledger");
        await Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(3);
    }

    [SkippableFact]
    public async Task AdminToken_Set_EveryCallIsRefusedUntilTheTokenIsGiven_AndItLastsOneSession()
    {
        using var app = KestrelEmulatorApp.Start(new Dictionary<string, string?> { ["Midas:AdminToken"] = "ui-test-token" });
        var page = await _browser.NewPageAsync();
        var statuses = new List<int>();
        page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath.StartsWith("/admin/", StringComparison.Ordinal))
            {
                lock (statuses)
                {
                    statuses.Add(response.Status);
                }
            }
        };
        var ui = new Uri(app.BaseAddress, "/ui").ToString();

        await page.GotoAsync(ui);
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await page.FillAsync("#login-token", "not-the-token");
        await page.PressAsync("#login-token", "Enter");
        await Expect(page.Locator("#login-why")).ToContainTextAsync("refused");
        lock (statuses)
        {
            Assert.NotEmpty(statuses);
            Assert.All(statuses, status => Assert.Equal(401, status));
        }
        Assert.Equal(0, await page.Locator("#ledger tbody tr").CountAsync());

        await page.FillAsync("#login-token", "ui-test-token");
        await page.PressAsync("#login-token", "Enter");
        await Expect(page.Locator("#ledger tbody tr")).ToHaveCountAsync(3);
        Assert.Equal("ui-test-token", await page.EvaluateAsync<string>("() => sessionStorage.getItem('midas-admin-token')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('midas-admin-token')"));

        var another = await _browser.NewPageAsync();
        await another.GotoAsync(ui);
        await Expect(another.Locator("#login")).ToBeVisibleAsync();
    }

    [SkippableFact]
    public async Task Pushes_RefusedPush_ShowsItsPayloadAndRefusedAttempt_AndCancelStopsIt()
    {
        // Port 9 (discard) has no listener: every attempt is refused, and the push waits for its next try.
        await _adminClient.SetPushReceiverAsync(MidasDefaults.Appid, "events", "http://127.0.0.1:9/", "uiPushToken", verify: false);
        var push = await _adminClient.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-ui");
        var page = await OpenAsync("#pushes");

        var row = page.Locator($"#pushes tbody tr[data-id='{push.Id}']");
        await Expect(row).ToContainTextAsync(MidasPushEvents.CoinDeliverCompleted);
        await Expect(row.Locator(".push-status")).ToHaveTextAsync("pending");
        await Expect(page.Locator("#push-config")).ToContainTextAsync("http://127.0.0.1:9/ · plain");
        await Expect(page.Locator("#push-config")).ToContainTextAsync("not configured");
        await row.Locator("button").ClickAsync();
        await Expect(page.Locator("#push-payload")).ToContainTextAsync("\"OpenId\": \"o-ui\"");
        await Expect(page.Locator("#push-attempts tbody tr").First).ToContainTextAsync("refused");
        await BrowserFixture.ScreenshotAsync(page, "pushes");

        await page.ClickAsync("#push-cancel");

        await Expect(row.Locator(".push-status")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#push-detail .head .push-status")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#push-cancel")).ToBeDisabledAsync();
        Assert.Equal("cancelled", (await _adminClient.PushesAsync()).Single(p => p.Id == push.Id).Status);
        Assert.Empty(_pageErrors);
    }

    [SkippableFact]
    public async Task Pushes_PayloadWithMarkup_IsShownAsText()
    {
        const string markup = "<img src=x onerror=alert(1)>";
        var push = await _adminClient.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-ui-xss",
            new Dictionary<string, object?> { ["OpenId"] = markup });
        var page = await OpenAsync("#pushes");
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);

        await page.Locator($"#pushes tbody tr[data-id='{push.Id}'] button").ClickAsync();

        await Expect(page.Locator("#push-payload")).ToContainTextAsync(markup);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Empty(dialogs);
        Assert.Empty(_pageErrors);
    }

    private async Task<IPage> OpenAsync(string view)
    {
        var page = await _browser.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        await page.GotoAsync(new Uri(_app.BaseAddress, "/ui" + view).ToString());
        await Expect(page.Locator("main[data-loaded]")).ToHaveCountAsync(1);
        return page;
    }

    // A mark in the page's window: still there at the end, so nothing reloaded the page meanwhile.
    private static async Task MarkPageAsync(IPage page) => await page.EvaluateAsync("() => { window.notReloaded = true; }");

    private async Task AssertNotReloadedAsync(IPage page)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        Assert.Empty(_pageErrors);
    }
}
