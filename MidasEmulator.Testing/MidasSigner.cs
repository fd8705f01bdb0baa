using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MidasEmulator.Testing;

/// <summary>
/// The Midas 1.0 signatures, written from WeChat's documents alone (docs/wechat-api.md §3) and independent of the
/// emulator's own Signing code, so a test checks the emulator against the document rather than against itself.
/// <c>sig</c> = HMAC-SHA256(AppKey, the fields sorted by name and joined as <c>k=v&amp;…</c>, then
/// <c>&amp;org_loc=PATH&amp;method=POST&amp;secret=AppKey</c>); <c>mp_sig</c> the same over the fields plus
/// <c>access_token</c> and <c>sig</c>, keyed with the session_key and ending <c>&amp;session_key=…</c>. Lower-case hex.
/// </summary>
public static class MidasSigner
{
    /// <summary>The <c>sig</c> of a call to <paramref name="path"/> (the path actually called, sandbox prefix included).</summary>
    public static string Sig(IEnumerable<KeyValuePair<string, string>> fields, string path, string appKey) =>
        Hmac(appKey, Join(fields) + $"&org_loc={path}&method=POST&secret={appKey}");

    /// <summary>The <c>mp_sig</c>: the fields plus <c>access_token</c> and <c>sig</c>, keyed with the player's session_key.</summary>
    public static string MpSig(IEnumerable<KeyValuePair<string, string>> fields, string accessToken, string sig, string path, string sessionKey)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            all[key] = value;
        }
        all["access_token"] = accessToken;
        all["sig"] = sig;
        return Hmac(sessionKey, Join(all) + $"&org_loc={path}&method=POST&session_key={sessionKey}");
    }

    /// <summary>
    /// The JSON body of a signed Midas call: <paramref name="fields"/> in order (a string as a JSON string, any other
    /// value as a JSON integer, signed by its text), then <c>sig</c> and, given a session_key, <c>mp_sig</c>.
    /// A <see cref="JsonObject"/>, so a test can tamper with it after signing.
    /// </summary>
    public static JsonObject SignedBody(IEnumerable<KeyValuePair<string, object>> fields, string path, string appKey, string accessToken,
        string? sessionKey)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        var body = new JsonObject();
        foreach (var (key, value) in fields)
        {
            text[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            body[key] = value is string s ? JsonValue.Create(s) : JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }
        var sig = Sig(text, path, appKey);
        body["sig"] = sig;
        if (sessionKey is not null)
        {
            body["mp_sig"] = MpSig(text, accessToken, sig, path, sessionKey);
        }
        return body;
    }

    private static string Join(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    private static string Hmac(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
