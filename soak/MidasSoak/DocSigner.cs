using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MidasSoak;

/// <summary>
/// A signer written from docs/wechat-api.md §3 alone, independent of the emulator's Signing code, so the HTTP tests
/// and the soak driver check the emulator against the document rather than against itself.
/// </summary>
public static class DocSigner
{
    public static string Sig(IDictionary<string, string> fields, string path, string appKey) =>
        Hmac(appKey, Join(fields) + $"&org_loc={path}&method=POST&secret={appKey}");

    public static string MpSig(IDictionary<string, string> fields, string accessToken, string sig, string path, string sessionKey)
    {
        var all = new SortedDictionary<string, string>(fields, StringComparer.Ordinal) { ["access_token"] = accessToken, ["sig"] = sig };
        return Hmac(sessionKey, Join(all) + $"&org_loc={path}&method=POST&session_key={sessionKey}");
    }

    /// <summary>
    /// The JSON body of a signed Midas call: <paramref name="fields"/> in order (a string as a JSON string, anything
    /// else as a JSON integer), then sig and, given a session_key, mp_sig. A JsonObject, so a test can tamper with it.
    /// </summary>
    public static JsonObject SignedBody(IEnumerable<KeyValuePair<string, object>> fields, string path, string appKey, string accessToken,
        string? sessionKey)
    {
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

    private static string Join(IDictionary<string, string> fields) =>
        string.Join("&", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    private static string Hmac(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
