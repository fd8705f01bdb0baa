using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MidasEmulator.Testing;

/// <summary>
/// What a game backend does against WeChat, for tests that play the backend themselves: fetches an access token
/// (/cgi-bin/token), redeems login codes (/sns/jscode2session), and posts Midas 1.0 calls signed with the AppKey
/// (<c>sig</c>) and the player's session_key (<c>mp_sig</c>) by <see cref="MidasSigner"/>. Replies are the wire JSON.
/// </summary>
/// <param name="http">BaseAddress: the emulator (or anything serving api.weixin.qq.com's paths).</param>
/// <param name="app">The app to call as; <see cref="MidasAppCredentials.Default"/> when null.</param>
/// <param name="clock">The clock <c>ts</c> is read from; the system clock when null.</param>
public sealed class MidasGameClient(HttpClient http, MidasAppCredentials? app = null, TimeProvider? clock = null)
    : MidasWeChatClient(http, app, clock)
{
    /// <summary>/sns/jscode2session: redeems a js_code (from <see cref="MidasAdminClient.LoginCodeAsync"/>) for the player's session.</summary>
    public async Task<MidasPlayer> LoginAsync(string jsCode, CancellationToken cancellation = default)
    {
        var reply = await Http.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={App.Appid}&secret={App.Secret}&js_code={Uri.EscapeDataString(jsCode)}&grant_type=authorization_code",
            cancellation).ConfigureAwait(false);
        return reply.TryGetProperty("session_key", out var key)
            ? new MidasPlayer(reply.GetProperty("openid").GetString()!, key.GetString()!)
            : throw new InvalidOperationException($"/sns/jscode2session answered {reply}");
    }

    /// <summary>getbalance.</summary>
    public Task<JsonElement> GetBalanceAsync(MidasPlayer player, bool sandbox = true, CancellationToken cancellation = default) =>
        CallAsync("getbalance", player, [], sandbox, cancellation: cancellation);

    /// <summary>pay: deducts <paramref name="amt"/> under <paramref name="billNo"/> (gift coins first).</summary>
    public Task<JsonElement> PayAsync(MidasPlayer player, string billNo, long amt, bool sandbox = true, CancellationToken cancellation = default) =>
        CallAsync("pay", player, new() { ["amt"] = amt, ["bill_no"] = billNo }, sandbox, cancellation: cancellation);

    /// <summary>cancelpay: undoes the pay with <paramref name="billNo"/>.</summary>
    public Task<JsonElement> CancelPayAsync(MidasPlayer player, string billNo, bool sandbox = true, CancellationToken cancellation = default) =>
        CallAsync("cancelpay", player, new() { ["bill_no"] = billNo }, sandbox, cancellation: cancellation);

    /// <summary>present: gives <paramref name="count"/> gift coins.</summary>
    public Task<JsonElement> PresentAsync(MidasPlayer player, string billNo, long count, bool sandbox = true, CancellationToken cancellation = default) =>
        CallAsync("present", player, new() { ["bill_no"] = billNo, ["present_counts"] = count }, sandbox, cancellation: cancellation);

    /// <summary>
    /// Posts a signed Midas call and answers its JSON reply (HTTP 200 expected). <paramref name="extra"/> adds the
    /// operation's fields (a long as a JSON number, a string as a JSON string); the other parameters make bad requests:
    /// no mp_sig, another key or session_key, a body edited after signing, another access token.
    /// </summary>
    public async Task<JsonElement> CallAsync(string op, MidasPlayer player, Dictionary<string, object> extra, bool sandbox = true,
        bool withMpSig = true, string? appKey = null, string? sessionKey = null, Action<JsonObject>? tamper = null, string? accessToken = null,
        CancellationToken cancellation = default)
    {
        var (pathAndQuery, body) = await SignAsync(op, player, extra, sandbox, withMpSig, appKey, sessionKey, tamper, accessToken, cancellation)
            .ConfigureAwait(false);
        return await PostRawAsync(pathAndQuery, body, cancellation: cancellation).ConfigureAwait(false);
    }

    /// <summary>The signed request <see cref="CallAsync"/> would send, for a caller that sends it itself (timeouts, dropped connections).</summary>
    public async Task<(string PathAndQuery, string Body)> SignAsync(string op, MidasPlayer player, Dictionary<string, object> extra,
        bool sandbox = true, bool withMpSig = true, string? appKey = null, string? sessionKey = null, Action<JsonObject>? tamper = null,
        string? accessToken = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(extra);
        var path = sandbox ? $"/cgi-bin/midas/sandbox/{op}" : $"/cgi-bin/midas/{op}";
        var fields = new Dictionary<string, object>
        {
            ["openid"] = player.Openid,
            ["appid"] = App.Appid,
            ["offer_id"] = App.OfferId,
            ["ts"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["zone_id"] = "1",
            ["pf"] = "android",
        };
        foreach (var (key, value) in extra)
        {
            fields[key] = value;
        }
        var token = accessToken ?? await AccessTokenAsync(cancellation).ConfigureAwait(false);
        var body = MidasSigner.SignedBody(fields, path, appKey ?? (sandbox ? App.SandboxKey : App.ProductionKey), token,
            withMpSig ? sessionKey ?? player.SessionKey : null);
        tamper?.Invoke(body);
        return ($"{path}?access_token={token}", body.ToJsonString());
    }

    /// <summary>The signed pay request, for a caller that sends it itself.</summary>
    public Task<(string PathAndQuery, string Body)> SignPayAsync(MidasPlayer player, string billNo, long amt, CancellationToken cancellation = default) =>
        SignAsync("pay", player, new() { ["amt"] = amt, ["bill_no"] = billNo }, cancellation: cancellation);

    /// <summary>Posts a body as it is; throws <see cref="HttpRequestException"/> unless the answer is HTTP 200.</summary>
    public async Task<JsonElement> PostRawAsync(string pathAndQuery, string body, string contentType = "application/json",
        CancellationToken cancellation = default)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Http.PostAsync(pathAndQuery, content, cancellation).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"POST {pathAndQuery} answered {(int)response.StatusCode}, expected 200", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellation).ConfigureAwait(false);
    }
}
