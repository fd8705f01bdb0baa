using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Signing;

/// <summary>
/// The two signatures of virtual payment 2.0 (docs/wechat-vp2-api.md §4), over the exact body bytes received, never a
/// re-serialisation: pay_sig = HMAC-SHA256(AppKey of the body's env, uri + "&amp;" + body), signature =
/// HMAC-SHA256(session_key as the string issued, body). Both lowercase hex; an uppercase one does not match (§8.20).
/// </summary>
public static class GamePaySignature
{
    public static byte[] PaySig(string appKey, string uri, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(appKey));
        hmac.AppendData(Encoding.UTF8.GetBytes(uri + "&"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    public static byte[] Signature(string sessionKey, ReadOnlySpan<byte> body) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(sessionKey), body);

    /// <summary>What pay_sig and signature are signed over, for the journal: the uri and the body as text, the key as ***.</summary>
    public static string PaySigStringToSign(string uri, ReadOnlySpan<byte> body) => $"{uri}&{Encoding.UTF8.GetString(body)} (key: ***)";

    public static string SignatureStringToSign(ReadOnlySpan<byte> body) => $"{Encoding.UTF8.GetString(body)} (key: ***)";

    /// <summary>
    /// True when <paramref name="providedHex"/> is <paramref name="expected"/> as 64 lowercase hex digits. The bytes are
    /// compared in constant time, so timing tells nothing about how much of a guess was right.
    /// </summary>
    public static bool Matches(byte[] expected, string? providedHex)
    {
        if (providedHex is not { Length: 64 })
        {
            return false;
        }
        foreach (var c in providedHex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }
        Span<byte> provided = stackalloc byte[32];
        Convert.FromHexString(providedHex, provided, out _, out _);
        return CryptographicOperations.FixedTimeEquals(expected, provided);
    }
}
