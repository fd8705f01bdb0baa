using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Signing;

/// <summary>
/// sig and mp_sig: lowercase hex of HMAC-SHA256 over the canonical string, keyed with the UTF-8 bytes of
/// the AppKey (sig) or of the session_key string as issued, not base64-decoded (mp_sig; docs/wechat-api.md §3.3).
/// </summary>
public static class MidasSignature
{
    public static byte[] Compute(string key, string message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));

    public static string ComputeHex(string key, string message) => Convert.ToHexStringLower(Compute(key, message));

    /// <summary>
    /// True when <paramref name="providedHex"/> is the signature of <paramref name="message"/>. Hex case is
    /// ignored (docs/wechat-api.md §10.16) and the bytes are compared in constant time, so timing tells an
    /// attacker nothing about how much of a guess was right.
    /// </summary>
    public static bool Verify(string key, string message, string providedHex)
    {
        if (providedHex.Length != 64)
        {
            return false;
        }
        Span<byte> provided = stackalloc byte[32];
        if (Convert.FromHexString(providedHex, provided, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Compute(key, message), provided);
    }
}
