using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MidasEmulator.Testing;

/// <summary>
/// What a virtual payment 2.0 game backend does against WeChat (<c>/wxa/game/*</c>, <c>/wxa/checksession</c>): builds a
/// body as the docs show it, signs the exact bytes with <see cref="MidasGamePaySigner"/> (pay_sig with the AppKey of the
/// body's env, signature with the player's session_key) and posts it. env 1 (sandbox) and zone "1" unless told
/// otherwise. Replies are the wire JSON.
/// </summary>
/// <param name="http">BaseAddress: the emulator (or anything serving api.weixin.qq.com's paths).</param>
/// <param name="app">The app to call as; <see cref="MidasAppCredentials.Default"/> when null.</param>
/// <param name="clock">The clock <c>ts</c> is read from; the system clock when null.</param>
public sealed class MidasGamePayClient(HttpClient http, MidasAppCredentials? app = null, TimeProvider? clock = null)
    : MidasWeChatClient(http, app, clock)
{
    /// <summary>The AppKey that signs calls with this <c>env</c>: sandbox for 1, production for 0.</summary>
    public string KeyOf(int env) => env == 1 ? App.SandboxKey : App.ProductionKey;

    /// <summary>
    /// A body: <c>openid, offer_id, ts, zone_id, env</c> in the docs' order, then the properties of <paramref name="extra"/>
    /// (an anonymous object such as <c>new { amount = 10, bill_no = "B-1" }</c>).
    /// </summary>
    public byte[] Body(MidasPlayer player, object? extra = null, int env = 1, string zoneId = "1")
    {
        ArgumentNullException.ThrowIfNull(player);
        var fields = new Dictionary<string, object?>
        {
            ["openid"] = player.Openid,
            ["offer_id"] = App.OfferId,
            ["ts"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["zone_id"] = zoneId,
            ["env"] = env,
        };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                fields[property.Name] = property.Value;
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(fields);
    }

    /// <summary>A signed call to <c>/wxa/game/{op}</c> with <see cref="Body"/>'s body.</summary>
    public Task<JsonElement> CallAsync(string op, MidasPlayer player, object? extra = null, int env = 1, string zoneId = "1",
        CancellationToken cancellation = default) =>
        PostSignedAsync(op, player, Body(player, extra, env, zoneId), env, cancellation: cancellation);

    /// <summary>Signs <paramref name="body"/> exactly as given (with <paramref name="appKey"/> instead of the env's, to make a bad one) and posts it.</summary>
    public async Task<JsonElement> PostSignedAsync(string op, MidasPlayer player, byte[] body, int env = 1, string? appKey = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        return await PostRawAsync(await SignAsync(op, player, body, env, appKey, cancellation).ConfigureAwait(false), body, cancellation)
            .ConfigureAwait(false);
    }

    /// <summary>The path and query a signed call of <paramref name="body"/> goes to, for a caller that sends it itself.</summary>
    public async Task<string> SignAsync(string op, MidasPlayer player, byte[] body, int env = 1, string? appKey = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var uri = "/wxa/game/" + op;
        var query = MidasGamePaySigner.Query(await AccessTokenAsync(cancellation).ConfigureAwait(false), appKey ?? KeyOf(env), player.SessionKey, uri, body);
        return $"{uri}?{query}";
    }

    /// <summary>Posts the bytes as they are; throws <see cref="HttpRequestException"/> unless the answer is HTTP 200.</summary>
    public async Task<JsonElement> PostRawAsync(string pathAndQuery, byte[] body, CancellationToken cancellation = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await Http.PostAsync(pathAndQuery, content, cancellation).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"POST {pathAndQuery} answered {(int)response.StatusCode}, expected 200", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellation).ConfigureAwait(false);
    }

    /// <summary>getbalance, in 2.0's names.</summary>
    public Task<JsonElement> GetBalanceAsync(MidasPlayer player, int env = 1, CancellationToken cancellation = default) =>
        CallAsync("getbalance", player, env: env, cancellation: cancellation);

    /// <summary>pay: deducts <paramref name="amount"/> under <paramref name="billNo"/> (gift coins first).</summary>
    public Task<JsonElement> PayAsync(MidasPlayer player, string billNo, long amount, int env = 1, CancellationToken cancellation = default) =>
        CallAsync("pay", player, new { amount, bill_no = billNo }, env, cancellation: cancellation);

    /// <summary>cancelpay: gives back <paramref name="amount"/> coins of the pay <paramref name="payBillNo"/>, under the refund's own <paramref name="billNo"/>.</summary>
    public Task<JsonElement> RefundAsync(MidasPlayer player, string billNo, string payBillNo, long amount, int env = 1,
        CancellationToken cancellation = default) =>
        CallAsync("cancelpay", player, new { amount, bill_no = billNo, pay_bill_no = payBillNo }, env, cancellation: cancellation);

    /// <summary>present: gives <paramref name="amount"/> gift coins.</summary>
    public Task<JsonElement> PresentAsync(MidasPlayer player, string billNo, long amount, int env = 1, CancellationToken cancellation = default) =>
        CallAsync("present", player, new { amount, bill_no = billNo }, env, cancellation: cancellation);

    /// <summary>queryorderinfo: the client-side order <paramref name="outTradeNo"/> (biz_id 1 coins, 2 an item). The body has no zone_id, as the official sample.</summary>
    public async Task<JsonElement> QueryOrderAsync(MidasPlayer player, string outTradeNo, int bizId, int env = 1, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["openid"] = player.Openid,
            ["offer_id"] = App.OfferId,
            ["ts"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["env"] = env,
            ["out_trade_no"] = outTradeNo,
            ["biz_id"] = bizId,
        });
        return await PostSignedAsync("queryorderinfo", player, body, env, cancellation: cancellation).ConfigureAwait(false);
    }

    /// <summary>GET /wxa/checksession: whether <paramref name="player"/>'s session_key is still the live one (0, or 87009).</summary>
    public async Task<JsonElement> CheckSessionAsync(MidasPlayer player, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var token = await AccessTokenAsync(cancellation).ConfigureAwait(false);
        return await Http.GetFromJsonAsync<JsonElement>($"/wxa/checksession?access_token={Uri.EscapeDataString(token)}&openid={player.Openid}"
            + $"&signature={MidasGamePaySigner.CheckSessionSignature(player.SessionKey)}&sig_method=hmac_sha256", cancellation).ConfigureAwait(false);
    }
}
