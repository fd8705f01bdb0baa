using System.Text;
using System.Web;

namespace MidasEmulator.Signing;

/// <summary>The compatibility choices of docs/wechat-api.md §10.11–10.13; all off means the documented rules only.</summary>
public sealed record SigningSettings(
    bool AcceptEmptyFieldsOmitted = false,
    bool AcceptUrlEncodedValues = false,
    bool AcceptSkitSig = false);

/// <summary>Verifies sig and mp_sig of one request, trying the documented form first and then any enabled variant.</summary>
public static class SignatureCheck
{
    /// <summary>The six common fields a SKIT-style client signs (docs/wechat-api.md §10.13).</summary>
    private static readonly HashSet<string> SkitFields = ["openid", "appid", "offer_id", "ts", "zone_id", "pf"];

    /// <summary>
    /// Checks sig over <paramref name="fields"/> (the documented fields present in the body, sig and mp_sig excluded).
    /// Returns the documented string-to-sign without its secret, for the caller's diagnostics.
    /// </summary>
    public static bool VerifySig(IReadOnlyList<KeyValuePair<string, string>> fields, string orgLoc, string appKey, string sig,
        SigningSettings settings, out string stringToSign) =>
        Verify(fields, orgLoc, CanonicalString.SigSecretName, appKey, sig, settings, includeSkit: true, out stringToSign);

    /// <summary>Checks mp_sig: the sig fields plus access_token and sig, keyed with the session_key string (docs/wechat-api.md §3.2).</summary>
    public static bool VerifyMpSig(IReadOnlyList<KeyValuePair<string, string>> fields, string accessToken, string sig, string orgLoc,
        string sessionKey, string mpSig, SigningSettings settings, out string stringToSign)
    {
        var withTokenAndSig = new List<KeyValuePair<string, string>>(fields.Count + 2)
        {
            new("access_token", accessToken),
            new("sig", sig),
        };
        withTokenAndSig.AddRange(fields);
        return Verify(withTokenAndSig, orgLoc, CanonicalString.MpSigSecretName, sessionKey, mpSig, settings, includeSkit: false, out stringToSign);
    }

    private static bool Verify(IReadOnlyList<KeyValuePair<string, string>> fields, string orgLoc, string secretName, string key, string provided,
        SigningSettings settings, bool includeSkit, out string stringToSign)
    {
        stringToSign = CanonicalString.BuildUnsigned(fields, orgLoc, secretName);
        if (MidasSignature.Verify(key, stringToSign + key, provided))
        {
            return true;
        }
        foreach (var variant in Variants(fields, settings, includeSkit))
        {
            if (MidasSignature.Verify(key, CanonicalString.Build(variant, orgLoc, secretName, key), provided))
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> Variants(
        IReadOnlyList<KeyValuePair<string, string>> fields, SigningSettings settings, bool includeSkit)
    {
        if (settings.AcceptEmptyFieldsOmitted && fields.Any(f => f.Value.Length == 0))
        {
            yield return fields.Where(f => f.Value.Length > 0).ToList();
        }
        if (settings.AcceptUrlEncodedValues)
        {
            // C# SKIT encodes with HttpUtility.UrlEncode, Go wxgamevp with url.Values.Encode (docs/wechat-api.md §3.5).
            yield return fields.Select(f => new KeyValuePair<string, string>(f.Key, HttpUtility.UrlEncode(f.Value))).ToList();
            yield return fields.Select(f => new KeyValuePair<string, string>(f.Key, GoQueryEscape(f.Value))).ToList();
        }
        if (includeSkit && settings.AcceptSkitSig)
        {
            yield return fields.Where(f => SkitFields.Contains(f.Key)).ToList();
        }
    }

    /// <summary>Go's url.QueryEscape: unreserved [A-Za-z0-9-_.~] kept, space as '+', the rest %XX uppercase.</summary>
    private static string GoQueryEscape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else if (c == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
