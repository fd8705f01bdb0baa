using System.Security.Cryptography;
using System.Text;

namespace MidasSoak;

/// <summary>
/// A signer written from midas-api.md §3 alone, independent of the emulator's Signing code, so the HTTP tests
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

    private static string Join(IDictionary<string, string> fields) =>
        string.Join("&", fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));

    private static string Hmac(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
