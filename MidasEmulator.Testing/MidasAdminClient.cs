using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MidasEmulator.Testing;

/// <summary>
/// Typed calls for the emulator's whole /admin API (docs/reference.md §1.2): apps, sessions and login codes, top-ups
/// and balances, orders, fault rules, the request journal, push receivers and pushes, the clock, reset and the
/// invariants. Works against an in-process <see cref="MidasEmulatorServer"/> and the container alike: it needs only an
/// <see cref="HttpClient"/> whose BaseAddress is the emulator. A call the emulator refuses throws
/// <see cref="MidasAdminException"/> with its problem details.
/// </summary>
public sealed class MidasAdminClient
{
    /// <summary>The emulator's JSON: snake_case, nulls left out of requests.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string? _appid;

    /// <summary>An admin client over <paramref name="http"/> (BaseAddress: the emulator).</summary>
    /// <param name="http">The client; not disposed by this one.</param>
    /// <param name="adminToken">Sent as <c>Authorization: Bearer</c> when the emulator has <c>Midas:AdminToken</c> set.</param>
    /// <param name="appid">The app the account calls name; null when the emulator has one app only.</param>
    public MidasAdminClient(HttpClient http, string? adminToken = null, string? appid = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        Http = http;
        _appid = appid;
        if (adminToken is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        }
    }

    /// <summary>The underlying client, for calls this one does not type.</summary>
    public HttpClient Http { get; }

    /// <summary>GET /admin/health.</summary>
    public Task<MidasHealth> HealthAsync(CancellationToken cancellation = default) => GetAsync<MidasHealth>("/admin/health", cancellation);

    /// <summary>POST /admin/reset: wipes the ledger, sessions, tokens, faults and journal, then reseeds unless <paramref name="reseed"/> is false.</summary>
    public Task<MidasResetResult> ResetAsync(bool reseed = true, CancellationToken cancellation = default) =>
        SendAsync<MidasResetResult>(HttpMethod.Post, "/admin/reset", new { reseed }, cancellation);

    /// <summary>GET /admin/apps.</summary>
    public Task<MidasAppInfo[]> AppsAsync(CancellationToken cancellation = default) => GetAsync<MidasAppInfo[]>("/admin/apps", cancellation);

    /// <summary>POST /admin/apps: registers or replaces an app.</summary>
    public Task<MidasAppInfo> AddAppAsync(MidasAppInfo app, CancellationToken cancellation = default) =>
        SendAsync<MidasAppInfo>(HttpMethod.Post, "/admin/apps", app, cancellation);

    /// <summary>POST /admin/sessions: logs the player in with <paramref name="sessionKey"/>, or a random one.</summary>
    public Task<MidasSession> StartSessionAsync(string openid, string? sessionKey = null, CancellationToken cancellation = default) =>
        SendAsync<MidasSession>(HttpMethod.Post, "/admin/sessions", new { openid, appid = _appid, session_key = sessionKey }, cancellation);

    /// <summary>POST /admin/sessions, as <see cref="StartSessionAsync"/>, answering the player to sign with.</summary>
    public async Task<MidasPlayer> LoginAsync(string openid, string? sessionKey = null, CancellationToken cancellation = default) =>
        (await StartSessionAsync(openid, sessionKey, cancellation).ConfigureAwait(false)).Player;

    /// <summary>DELETE /admin/sessions/{openid}: the player's next Midas call answers 90010. False when it had no session.</summary>
    public async Task<bool> EndSessionAsync(string openid, CancellationToken cancellation = default)
    {
        using var response = await Http.DeleteAsync(Path($"/admin/sessions/{Uri.EscapeDataString(openid)}", ("appid", _appid)), cancellation)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, cancellation).ConfigureAwait(false);
        return true;
    }

    /// <summary>POST /admin/login-codes: a one-time js_code for /sns/jscode2session, as wx.login gives a game client.</summary>
    public Task<MidasLoginCode> LoginCodeAsync(string openid, CancellationToken cancellation = default) =>
        SendAsync<MidasLoginCode>(HttpMethod.Post, "/admin/login-codes", new { openid, appid = _appid }, cancellation);

    /// <summary>GET /admin/accounts/{openid}.</summary>
    public Task<MidasAccount> AccountAsync(string openid, MidasEnv env = MidasEnv.Sandbox, string? zoneId = null, CancellationToken cancellation = default) =>
        GetAsync<MidasAccount>(Path($"/admin/accounts/{Uri.EscapeDataString(openid)}", ("env", Wire(env)), ("appid", _appid), ("zone_id", zoneId)),
            cancellation);

    /// <summary>POST /admin/accounts/{openid}/topup: a paid purchase of <paramref name="amount"/> coins.</summary>
    public Task<MidasAccount> TopupAsync(string openid, long amount, MidasEnv env = MidasEnv.Sandbox, string? zoneId = null,
        CancellationToken cancellation = default) =>
        SendAsync<MidasAccount>(HttpMethod.Post, $"/admin/accounts/{Uri.EscapeDataString(openid)}/topup",
            new { amount, appid = _appid, zone_id = zoneId, env = Wire(env) }, cancellation);

    /// <summary>PUT /admin/accounts/{openid}: sets the balance (and its gift part) directly, booked as a set order.</summary>
    public Task<MidasAccount> SetBalanceAsync(string openid, long? balance, long? genBalance = null, MidasEnv env = MidasEnv.Sandbox,
        string? zoneId = null, CancellationToken cancellation = default) =>
        SendAsync<MidasAccount>(HttpMethod.Put, $"/admin/accounts/{Uri.EscapeDataString(openid)}",
            new { balance, gen_balance = genBalance, appid = _appid, zone_id = zoneId, env = Wire(env) }, cancellation);

    /// <summary>GET /admin/orders, oldest first.</summary>
    public Task<MidasOrder[]> OrdersAsync(MidasOrderQuery? query = null, CancellationToken cancellation = default)
    {
        var q = query ?? new MidasOrderQuery();
        return GetAsync<MidasOrder[]>(Path("/admin/orders", ("openid", q.Openid), ("bill_no", q.BillNo), ("env", q.Env), ("kind", q.Kind),
            ("limit", Text(q.Limit)), ("offset", Text(q.Offset)), ("after_id", Text(q.AfterId))), cancellation);
    }

    /// <summary>Every order, read page by page with after_id (cheap on a large ledger).</summary>
    public async Task<IReadOnlyList<MidasOrder>> AllOrdersAsync(int pageSize = 10_000, CancellationToken cancellation = default)
    {
        var all = new List<MidasOrder>();
        long afterId = 0;
        while (true)
        {
            var page = await OrdersAsync(new MidasOrderQuery { Limit = pageSize, AfterId = afterId }, cancellation).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Length < pageSize)
            {
                return all;
            }
            afterId = page[^1].Id;
        }
    }

    /// <summary>
    /// POST /admin/client-orders, biz_id 1: what wx.requestMidasPayment does on the phone. A paid order credits
    /// <paramref name="coins"/> at once; <paramref name="outTradeNo"/> null lets the emulator make one.
    /// </summary>
    public Task<MidasClientOrder> BuyCoinsOnPhoneAsync(string openid, long coins, string? outTradeNo = null, long? priceCents = null,
        MidasEnv env = MidasEnv.Sandbox, bool paid = true, CancellationToken cancellation = default) =>
        SendAsync<MidasClientOrder>(HttpMethod.Post, "/admin/client-orders", new
        {
            openid, biz_id = 1, buy_quantity = coins, out_trade_no = outTradeNo, price = priceCents, appid = _appid, env = Wire(env),
            pay_state = paid ? "paid" : "unpaid",
        }, cancellation);

    /// <summary>POST /admin/client-orders, biz_id 2: what wx.requestMidasPaymentGameItem does on the phone.</summary>
    public Task<MidasClientOrder> BuyItemOnPhoneAsync(string openid, string productId, long priceCents, string? outTradeNo = null,
        int quantity = 1, string? attach = null, MidasEnv env = MidasEnv.Sandbox, CancellationToken cancellation = default) =>
        SendAsync<MidasClientOrder>(HttpMethod.Post, "/admin/client-orders", new
        {
            openid, biz_id = 2, product_id = productId, price = priceCents, quantity, attach, out_trade_no = outTradeNo, appid = _appid,
            env = Wire(env),
        }, cancellation);

    /// <summary>GET /admin/client-orders, oldest first.</summary>
    public Task<MidasClientOrder[]> ClientOrdersAsync(string? openid = null, string? outTradeNo = null, CancellationToken cancellation = default) =>
        GetAsync<MidasClientOrder[]>(Path("/admin/client-orders", ("openid", openid), ("out_trade_no", outTradeNo)), cancellation);

    /// <summary>POST /admin/client-orders/{out_trade_no}/refund: a platform refund of <paramref name="amountCents"/> (all that is left when null).</summary>
    public Task<MidasClientOrder> RefundOnPlatformAsync(string outTradeNo, long? amountCents = null, CancellationToken cancellation = default) =>
        SendAsync<MidasClientOrder>(HttpMethod.Post, $"/admin/client-orders/{Uri.EscapeDataString(outTradeNo)}/refund",
            new { amount = amountCents, appid = _appid }, cancellation);

    /// <summary>GET /admin/invariants: the emulator's own money check over the whole ledger.</summary>
    public Task<MidasInvariants> InvariantsAsync(CancellationToken cancellation = default) =>
        GetAsync<MidasInvariants>("/admin/invariants", cancellation);

    /// <summary>
    /// The check to end a test with: every balance equals its ledger, nothing charged twice, every cancel reverses
    /// one pay. Throws <see cref="MidasBooksUnbalancedException"/> listing each violation otherwise.
    /// </summary>
    public async Task<MidasInvariants> AssertBooksBalancedAsync(CancellationToken cancellation = default)
    {
        var report = await InvariantsAsync(cancellation).ConfigureAwait(false);
        return report.Ok ? report : throw new MidasBooksUnbalancedException(report);
    }

    /// <summary>POST /admin/faults: adds the rule (201) and answers it with its id.</summary>
    public Task<MidasFaultRule> AddFaultAsync(FaultRule rule, CancellationToken cancellation = default) =>
        SendAsync<MidasFaultRule>(HttpMethod.Post, "/admin/faults", rule, cancellation);

    /// <summary>GET /admin/faults: every rule with hits, matched and active.</summary>
    public Task<MidasFaultRule[]> FaultsAsync(CancellationToken cancellation = default) => GetAsync<MidasFaultRule[]>("/admin/faults", cancellation);

    /// <summary>DELETE /admin/faults/{id}. False for an unknown id.</summary>
    public async Task<bool> DeleteFaultAsync(string id, CancellationToken cancellation = default)
    {
        using var response = await Http.DeleteAsync($"/admin/faults/{Uri.EscapeDataString(id)}", cancellation).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, cancellation).ConfigureAwait(false);
        return true;
    }

    /// <summary>DELETE /admin/faults: no rules.</summary>
    public async Task ClearFaultsAsync(CancellationToken cancellation = default)
    {
        using var response = await Http.DeleteAsync("/admin/faults", cancellation).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellation).ConfigureAwait(false);
    }

    /// <summary>GET /admin/requests: the journal of WeChat-surface calls, newest first.</summary>
    public Task<MidasJournalEntry[]> RequestsAsync(MidasJournalQuery? query = null, CancellationToken cancellation = default)
    {
        var q = query ?? new MidasJournalQuery();
        return GetAsync<MidasJournalEntry[]>(Path("/admin/requests", ("endpoint", q.Endpoint), ("openid", q.Openid), ("bill_no", q.BillNo),
            ("errcode", Text(q.Errcode)), ("limit", Text(q.Limit))), cancellation);
    }

    /// <summary>
    /// PUT /admin/apps/{appid}/push/{channel}: sends the app's pushes on <paramref name="channel"/> (one of
    /// <see cref="MidasPushChannels"/>) to <paramref name="url"/>, your game server. With <paramref name="verify"/> the
    /// emulator first checks the URL, as WeChat's console does on saving, and refuses (422) when the check fails.
    /// </summary>
    /// <param name="appid">The app whose pushes these are.</param>
    /// <param name="channel"><see cref="MidasPushChannels.Events"/> or <see cref="MidasPushChannels.Goods"/>.</param>
    /// <param name="url">Your game server's push endpoint, reachable from the emulator.</param>
    /// <param name="token">The Token your server checks the push signature with.</param>
    /// <param name="encodingAesKey">The EncodingAESKey (43 characters); needed when <paramref name="safeMode"/> is true.</param>
    /// <param name="safeMode">True: encrypted pushes (mode safe); false: plain text (mode plain).</param>
    /// <param name="verify">False saves the receiver without calling the URL (a server not up yet).</param>
    /// <param name="cancellation">Cancels the call.</param>
    public Task<MidasPushReceiver> SetPushReceiverAsync(string appid, string channel, string url, string token, string? encodingAesKey = null,
        bool safeMode = false, bool verify = true, CancellationToken cancellation = default) =>
        SendAsync<MidasPushReceiver>(HttpMethod.Put, $"/admin/apps/{Uri.EscapeDataString(appid)}/push/{Uri.EscapeDataString(channel)}",
            new { url, token, encoding_aes_key = encodingAesKey, mode = safeMode ? "safe" : "plain", verify }, cancellation);

    /// <summary>GET /admin/apps/{appid}/push: the app's receiver on each channel, null where none is set.</summary>
    public Task<MidasPushReceivers> PushReceiversAsync(string appid, CancellationToken cancellation = default) =>
        GetAsync<MidasPushReceivers>($"/admin/apps/{Uri.EscapeDataString(appid)}/push", cancellation);

    /// <summary>DELETE /admin/apps/{appid}/push/{channel}: the channel's pushes go nowhere (no_receiver). False when none was set.</summary>
    public async Task<bool> DeletePushReceiverAsync(string appid, string channel, CancellationToken cancellation = default)
    {
        using var response = await Http.DeleteAsync($"/admin/apps/{Uri.EscapeDataString(appid)}/push/{Uri.EscapeDataString(channel)}",
            cancellation).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, cancellation).ConfigureAwait(false);
        return true;
    }

    /// <summary>GET /admin/pushes: pushes with their delivery attempts, newest first.</summary>
    public Task<MidasPush[]> PushesAsync(MidasPushQuery? query = null, CancellationToken cancellation = default) =>
        GetAsync<MidasPush[]>(PushesPath(query), cancellation);

    /// <summary>
    /// POST /admin/pushes: the emulator sends <paramref name="eventName"/> (one of <see cref="MidasPushEvents"/>) as if
    /// WeChat had, without a purchase behind it; for testing a receiver's edge cases (unknown orders, odd fields).
    /// </summary>
    /// <param name="eventName">The push's Event.</param>
    /// <param name="openid">The player; required unless <paramref name="isMock"/>, when null makes one up.</param>
    /// <param name="fields">
    /// Payload fields set over the emulator's defaults. Keys are sent as given (WeChat's PascalCase); a nested object's
    /// properties are snake_cased, so nest a dictionary or a JsonObject to keep names.
    /// </param>
    /// <param name="env">The env the payload names.</param>
    /// <param name="isMock">The payload's IsMock flag, as WeChat's console test pushes set it.</param>
    /// <param name="appid">The app; null: this client's app, or the emulator's only one.</param>
    /// <param name="cancellation">Cancels the call.</param>
    /// <returns>The push as queued (202); its delivery runs on the emulator, see <see cref="WaitForPushAsync"/>.</returns>
    public Task<MidasPush> TriggerPushAsync(string eventName, string? openid = null, IReadOnlyDictionary<string, object?>? fields = null,
        MidasEnv env = MidasEnv.Sandbox, bool isMock = false, string? appid = null, CancellationToken cancellation = default) =>
        SendAsync<MidasPush>(HttpMethod.Post, "/admin/pushes",
            new { appid = appid ?? _appid, @event = eventName, openid, env = Wire(env), fields, is_mock = isMock }, cancellation);

    /// <summary>POST /admin/pushes/{id}/retry: another attempt now (409 when it was delivered).</summary>
    public Task<MidasPush> RetryPushAsync(long id, CancellationToken cancellation = default) =>
        SendAsync<MidasPush>(HttpMethod.Post, $"/admin/pushes/{Text<long>(id)}/retry", null, cancellation);

    /// <summary>POST /admin/pushes/{id}/cancel: no more attempts (409 when it was delivered or failed).</summary>
    public Task<MidasPush> CancelPushAsync(long id, CancellationToken cancellation = default) =>
        SendAsync<MidasPush>(HttpMethod.Post, $"/admin/pushes/{Text<long>(id)}/cancel", null, cancellation);

    /// <summary>
    /// Polls GET /admin/pushes every 50 ms until one push in <paramref name="query"/>'s page satisfies
    /// <paramref name="until"/>, since delivery runs in the background: e.g. <c>p =&gt; p.Status == MidasPushStatus.Delivered</c>.
    /// Throws <see cref="TimeoutException"/> listing the pushes last seen after <paramref name="timeout"/> (default 10 s).
    /// </summary>
    public async Task<MidasPush> WaitForPushAsync(Func<MidasPush, bool> until, MidasPushQuery? query = null, TimeSpan? timeout = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(until);
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var pushes = await PushesAsync(query, cancellation).ConfigureAwait(false);
            var found = pushes.FirstOrDefault(until);
            if (found is not null)
            {
                return found;
            }
            if (clock.Elapsed >= limit)
            {
                var seen = pushes.Length == 0 ? " none" : string.Concat(pushes.Select(p => $"{Environment.NewLine}  {p}"));
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"No push satisfied the condition within {limit.TotalSeconds:0.###} s; GET {PushesPath(query)} last answered:{seen}"));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>GET /admin/clock.</summary>
    public Task<MidasClock> ClockAsync(CancellationToken cancellation = default) => GetAsync<MidasClock>("/admin/clock", cancellation);

    /// <summary>POST /admin/clock {"advance_s"}: moves the emulator's time forward (token, session, bill_no expiry).</summary>
    public Task<MidasClock> AdvanceClockAsync(TimeSpan by, CancellationToken cancellation = default) =>
        SendAsync<MidasClock>(HttpMethod.Post, "/admin/clock", new { advance_s = by.TotalSeconds }, cancellation);

    /// <summary>POST /admin/clock {"now"}: sets the emulator's time; it keeps running from there.</summary>
    public Task<MidasClock> SetClockAsync(DateTimeOffset now, CancellationToken cancellation = default) =>
        SendAsync<MidasClock>(HttpMethod.Post, "/admin/clock", new { now = now.ToString("O", CultureInfo.InvariantCulture) }, cancellation);

    /// <summary>POST /admin/clock {"real":true}: back to the system clock.</summary>
    public Task<MidasClock> RealClockAsync(CancellationToken cancellation = default) =>
        SendAsync<MidasClock>(HttpMethod.Post, "/admin/clock", new { real = true }, cancellation);

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellation)
    {
        using var response = await Http.GetAsync(path, cancellation).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellation).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: Json),
        };
        using var response = await Http.SendAsync(request, cancellation).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellation).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellation)
    {
        await EnsureSuccessAsync(response, cancellation).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellation).ConfigureAwait(false))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            throw new MidasAdminException(response.StatusCode, response.RequestMessage?.Method.Method ?? "?",
                response.RequestMessage?.RequestUri?.PathAndQuery ?? "?", body);
        }
    }

    private static string PushesPath(MidasPushQuery? query)
    {
        var q = query ?? new MidasPushQuery();
        return Path("/admin/pushes", ("openid", q.Openid), ("event", q.Event), ("out_trade_no", q.OutTradeNo), ("status", q.Status),
            ("limit", Text(q.Limit)), ("after_id", Text(q.AfterId)));
    }

    private static string Wire(MidasEnv env) => env == MidasEnv.Production ? "production" : "sandbox";

    private static string? Text<TNumber>(TNumber? value) where TNumber : struct, IFormattable =>
        value?.ToString(null, CultureInfo.InvariantCulture);

    private static string Path(string path, params (string Name, string? Value)[] query)
    {
        var text = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is not null)
            {
                text.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }
        return text.ToString();
    }
}
