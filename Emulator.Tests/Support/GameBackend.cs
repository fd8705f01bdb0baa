using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// What a game backend does against WeChat: fetches an access token, then posts JSON bodies signed with the
/// AppKey (sig) and the user's session_key (mp_sig) as docs/wechat-api.md §3 describes. Each test then holds only
/// its request and its assertion.
/// </summary>
public sealed class GameBackend(HttpClient http, TimeProvider clock)
{
    private string? _token;

    public HttpClient Http => http;

    public async Task<string> AccessTokenAsync()
    {
        if (_token is null)
        {
            var reply = await http.GetFromJsonAsync<JsonElement>(
                $"/cgi-bin/token?grant_type=client_credential&appid={EmulatorApp.Appid}&secret={EmulatorApp.Secret}");
            _token = reply.GetProperty("access_token").GetString()!;
        }
        return _token;
    }

    public void ForgetAccessToken() => _token = null;

    public Task<JsonElement> GetBalanceAsync(GameUser user, bool sandbox = true) => CallAsync("getbalance", user, [], sandbox);

    public Task<JsonElement> PayAsync(GameUser user, string billNo, long amt, bool sandbox = true) =>
        CallAsync("pay", user, new() { ["amt"] = amt, ["bill_no"] = billNo }, sandbox);

    public Task<JsonElement> CancelPayAsync(GameUser user, string billNo, bool sandbox = true) =>
        CallAsync("cancelpay", user, new() { ["bill_no"] = billNo }, sandbox);

    public Task<JsonElement> PresentAsync(GameUser user, string billNo, long count, bool sandbox = true) =>
        CallAsync("present", user, new() { ["bill_no"] = billNo, ["present_counts"] = count }, sandbox);

    /// <summary>
    /// Posts a signed Midas call. <paramref name="extra"/> adds the operation's fields (long → JSON number,
    /// string → JSON string). <paramref name="tamper"/> edits the body after signing, to make bad requests.
    /// </summary>
    public async Task<JsonElement> CallAsync(string op, GameUser user, Dictionary<string, object> extra, bool sandbox = true,
        bool withMpSig = true, string? appKey = null, string? sessionKey = null, Action<JsonObject>? tamper = null, string? accessToken = null)
    {
        var (pathAndQuery, body) = await SignAsync(op, user, extra, sandbox, withMpSig, appKey, sessionKey, tamper, accessToken);
        return await PostRawAsync(pathAndQuery, body);
    }

    /// <summary>The signed request <see cref="CallAsync"/> would send, for tests that send it themselves (timeouts, dropped connections).</summary>
    public async Task<(string PathAndQuery, string Body)> SignAsync(string op, GameUser user, Dictionary<string, object> extra, bool sandbox = true,
        bool withMpSig = true, string? appKey = null, string? sessionKey = null, Action<JsonObject>? tamper = null, string? accessToken = null)
    {
        var path = sandbox ? $"/cgi-bin/midas/sandbox/{op}" : $"/cgi-bin/midas/{op}";
        var fields = new Dictionary<string, object>
        {
            ["openid"] = user.Openid,
            ["appid"] = EmulatorApp.Appid,
            ["offer_id"] = EmulatorApp.OfferId,
            ["ts"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["zone_id"] = "1",
            ["pf"] = "android",
        };
        foreach (var (key, value) in extra)
        {
            fields[key] = value;
        }
        var token = accessToken ?? await AccessTokenAsync();
        var body = DocSigner.SignedBody(fields, path, appKey ?? (sandbox ? EmulatorApp.SandboxKey : EmulatorApp.ProductionKey), token,
            withMpSig ? sessionKey ?? user.SessionKey : null);
        tamper?.Invoke(body);
        return ($"{path}?access_token={token}", body.ToJsonString());
    }

    public Task<(string PathAndQuery, string Body)> SignPayAsync(GameUser user, string billNo, long amt) =>
        SignAsync("pay", user, new() { ["amt"] = amt, ["bill_no"] = billNo });

    public async Task<JsonElement> PostRawAsync(string pathAndQuery, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await http.PostAsync(pathAndQuery, content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public static class WireAssert
{
    public static int Errcode(this JsonElement reply) => reply.GetProperty("errcode").GetInt32();

    public static long Number(this JsonElement reply, string name) => reply.GetProperty(name).GetInt64();

    public static void Ok(JsonElement reply) => Assert.True(reply.Errcode() == 0, $"expected errcode 0, got {reply}");

    public static void Code(int expected, JsonElement reply) => Assert.True(reply.Errcode() == expected, $"expected errcode {expected}, got {reply}");
}
