using System.Text;

namespace MidasEmulator.Signing;

/// <summary>
/// The exact string Midas signs (docs/wechat-api.md §3.1, §3.2): the signed parameters sorted by key in
/// ascending ASCII order as <c>key=value</c> joined by <c>&amp;</c>, then
/// <c>&amp;org_loc=PATH&amp;method=POST&amp;secret=KEY</c> (sig) or <c>…&amp;session_key=KEY</c> (mp_sig).
/// Values are raw, not URL-encoded; org_loc is the path actually called, sandbox prefix included (§3.5).
/// </summary>
public static class CanonicalString
{
    public const string SigSecretName = "secret";
    public const string MpSigSecretName = "session_key";

    /// <summary>The string without its secret: what the journal may show, with the secret written as ***.</summary>
    public static string BuildUnsigned(IEnumerable<KeyValuePair<string, string>> parameters, string orgLoc, string secretName)
    {
        var sorted = parameters.ToArray();
#pragma warning disable RS0030 // not a secret: sorts the parameter names, which the journal shows
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
#pragma warning restore RS0030
        var builder = new StringBuilder(256);
        foreach (var (key, value) in sorted)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }
            builder.Append(key).Append('=').Append(value);
        }
        builder.Append("&org_loc=").Append(orgLoc).Append("&method=POST&").Append(secretName).Append('=');
        return builder.ToString();
    }

    public static string Build(IEnumerable<KeyValuePair<string, string>> parameters, string orgLoc, string secretName, string secret) =>
        BuildUnsigned(parameters, orgLoc, secretName) + secret;
}
