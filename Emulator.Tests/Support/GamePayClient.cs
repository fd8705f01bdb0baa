using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// A 2.0 game backend for the tests: builds a body as the docs show it, signs it with <see cref="GamePaySigner"/> and posts it
/// to /wxa/game/*. env 1 (sandbox) unless told otherwise, zone "1".
/// </summary>
public sealed class GamePayClient(HttpClient http, TimeProvider clock, string appid = MidasDefaults.Appid, string secret = MidasDefaults.Secret,
    string offerId = MidasDefaults.OfferId, string productionKey = MidasDefaults.ProductionKey, string sandboxKey = MidasDefaults.SandboxKey)
{
    private string? _token;

    public HttpClient Http => http;

    public async Task<string> AccessTokenAsync()
    {
        if (_token is null)
        {
            var reply = await http.GetFromJsonAsync<JsonElement>($"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}");
            _token = reply.GetProperty("access_token").GetString()!;
        }
        return _token;
    }

    /// <summary>After the clock moved past the token's life: the next call asks /cgi-bin/token again.</summary>
    public void ForgetAccessToken() => _token = null;

    public string KeyOf(int env) => env == 1 ? sandboxKey : productionKey;

    /// <summary>The body's JSON: the common fields first, in the docs' order, then <paramref name="extra"/>.</summary>
    public byte[] Body(MidasPlayer player, object? extra = null, int env = 1, string zoneId = "1")
    {
        var fields = new Dictionary<string, object?>
        {
            ["openid"] = player.Openid,
            ["offer_id"] = offerId,
            ["ts"] = clock.GetUtcNow().ToUnixTimeSeconds(),
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

    public async Task<JsonElement> CallAsync(string op, MidasPlayer player, object? extra = null, int env = 1, string zoneId = "1") =>
        await PostSignedAsync(op, player, Body(player, extra, env, zoneId), env);

    /// <summary>Signs <paramref name="body"/> exactly as given with the player's session_key and the env's AppKey.</summary>
    public async Task<JsonElement> PostSignedAsync(string op, MidasPlayer player, byte[] body, int env = 1, string? appKey = null)
    {
        var uri = "/wxa/game/" + op;
        var query = GamePaySigner.Query(await AccessTokenAsync(), appKey ?? KeyOf(env), player.SessionKey, uri, body);
        return await PostRawAsync($"{uri}?{query}", body);
    }

    public async Task<JsonElement> PostRawAsync(string pathAndQuery, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync(pathAndQuery, content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }

    public Task<JsonElement> GetBalanceAsync(MidasPlayer player, int env = 1) => CallAsync("getbalance", player, env: env);

    public Task<JsonElement> PayAsync(MidasPlayer player, string billNo, long amount, int env = 1) =>
        CallAsync("pay", player, new { amount, bill_no = billNo }, env);

    public Task<JsonElement> RefundAsync(MidasPlayer player, string billNo, string payBillNo, long amount, int env = 1) =>
        CallAsync("cancelpay", player, new { amount, bill_no = billNo, pay_bill_no = payBillNo }, env);

    public Task<JsonElement> PresentAsync(MidasPlayer player, string billNo, long amount, int env = 1) =>
        CallAsync("present", player, new { amount, bill_no = billNo }, env);

    public Task<JsonElement> QueryOrderAsync(MidasPlayer player, string outTradeNo, int bizId, int env = 1) =>
        PostSignedAsync("queryorderinfo", player, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            openid = player.Openid,
            offer_id = offerId,
            ts = clock.GetUtcNow().ToUnixTimeSeconds(),
            env,
            out_trade_no = outTradeNo,
            biz_id = bizId,
        })), env);
}
