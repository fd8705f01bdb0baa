using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace GameBackend;

public sealed record PayResult(int Errcode, long? Balance, int Attempts);

/// <summary>
/// The backend's own WeChat client: access token, jscode2session, and Midas pay signed with sig and mp_sig. Pay is
/// retried with the same bill_no on -1, an HTTP error, a dropped connection or a timeout, as WeChat asks.
/// </summary>
public sealed class MidasClient(HttpClient http, IOptions<WeChatOptions> options)
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private readonly WeChatOptions _wechat = options.Value;
    private string? _accessToken;

    public async Task<(string Openid, string SessionKey)> Code2SessionAsync(string code)
    {
        var reply = await http.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={_wechat.Appid}&secret={_wechat.Secret}&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code");
        return (reply.GetProperty("openid").GetString()!, reply.GetProperty("session_key").GetString()!);
    }

    public async Task<PayResult> PayAsync(string openid, string sessionKey, string billNo, long amt)
    {
        var path = _wechat.Sandbox ? "/cgi-bin/midas/sandbox/pay" : "/cgi-bin/midas/pay";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(AttemptTimeout);
                var token = await AccessTokenAsync();
                var body = Signed(path, token, sessionKey, new(StringComparer.Ordinal)
                {
                    ["openid"] = openid, ["appid"] = _wechat.Appid, ["offer_id"] = _wechat.OfferId,
                    ["ts"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["zone_id"] = "1", ["pf"] = "android",
                    ["amt"] = amt, ["bill_no"] = billNo,
                });
                using var response = await http.PostAsJsonAsync($"{path}?access_token={token}", body, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    var reply = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                    var errcode = reply.GetProperty("errcode").GetInt32();
                    if (errcode != -1 || attempt == MaxAttempts)
                    {
                        return new PayResult(errcode, reply.TryGetProperty("balance", out var b) ? b.GetInt64() : null, attempt);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && attempt < MaxAttempts)
            {
                // Dropped or timed out: the pay may have gone through. Retry the same bill_no; 90012 then says it did.
            }
            if (attempt == MaxAttempts)
            {
                return new PayResult(-1, null, attempt);
            }
            await Task.Delay(50 * attempt);
        }
    }

    private async Task<string> AccessTokenAsync()
    {
        if (_accessToken is null)
        {
            var reply = await http.GetFromJsonAsync<JsonElement>(
                $"/cgi-bin/token?grant_type=client_credential&appid={_wechat.Appid}&secret={_wechat.Secret}");
            _accessToken = reply.GetProperty("access_token").GetString();
        }
        return _accessToken!;
    }

    /// <summary>The body with sig (AppKey) and mp_sig (session_key): HMAC-SHA256 over the sorted fields and the call's path.</summary>
    private JsonObject Signed(string path, string accessToken, string sessionKey, SortedDictionary<string, object> fields)
    {
        string Text(IEnumerable<KeyValuePair<string, object>> f) =>
            string.Join('&', f.Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}"));
        static string Hex(string key, string text) =>
            Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(text)));

        var sig = Hex(_wechat.AppKey, $"{Text(fields)}&org_loc={path}&method=POST&secret={_wechat.AppKey}");
        var withSig = new SortedDictionary<string, object>(fields, StringComparer.Ordinal) { ["access_token"] = accessToken, ["sig"] = sig };
        var mpSig = Hex(sessionKey, $"{Text(withSig)}&org_loc={path}&method=POST&session_key={sessionKey}");

        var body = JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["sig"] = sig;
        body["mp_sig"] = mpSig;
        return body;
    }
}
