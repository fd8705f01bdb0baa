using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Signing;

/// <summary>
/// What a push carries so the game server can trust it (docs/wechat-vp2-api.md §7.2): the query's signature (SHA-1 over
/// the sorted Token, timestamp and nonce), safe mode's msg_signature (the same with the Encrypt text) and AES-256-CBC
/// body, and PayEventSig inside the message (HMAC-SHA256 with the AppKey of the payload's env). All hex is lowercase.
/// </summary>
public static class PushSignature
{
    /// <summary>The URL check's and every push's <c>signature</c>: sha1 of the sorted parts joined.</summary>
    public static string Signature(string token, string timestamp, string nonce) => Sha1OfSorted([token, timestamp, nonce]);

    /// <summary>Safe mode's <c>msg_signature</c>: sha1 of the sorted Token, timestamp, nonce and Encrypt text joined.</summary>
    public static string MsgSignature(string token, string timestamp, string nonce, string encrypt) => Sha1OfSorted([token, timestamp, nonce, encrypt]);

    /// <summary>PayEventSig: hex(HMAC-SHA256(AppKey, Event + "&amp;" + Payload)) over the payload string exactly as sent.</summary>
    public static string PayEventSig(string appKey, string eventName, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appKey), Encoding.UTF8.GetBytes(eventName + "&" + payload)));

    /// <summary>
    /// Safe mode's Encrypt text: AES-256-CBC with key base64(EncodingAESKey + "=") and IV its first 16 bytes, over
    /// 16 random bytes + the message's length (4 bytes, big-endian) + the message + the appid, padded PKCS#7-style to a
    /// multiple of 32 (not AES's 16: the platform's own rule).
    /// </summary>
    public static string Encrypt(string encodingAesKey, string appid, string message, ReadOnlySpan<byte> random16)
    {
        var key = AesKeyOf(encodingAesKey);
        var messageBytes = Encoding.UTF8.GetBytes(message);
        var appidBytes = Encoding.UTF8.GetBytes(appid);
        var length = 16 + 4 + messageBytes.Length + appidBytes.Length;
        var pad = 32 - length % 32;
        var plain = new byte[length + pad];
        random16[..16].CopyTo(plain);
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(16), messageBytes.Length);
        messageBytes.CopyTo(plain, 20);
        appidBytes.CopyTo(plain, 20 + messageBytes.Length);
        plain.AsSpan(length).Fill((byte)pad);
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None));
    }

    /// <summary>Safe mode's Encrypt text with fresh random bytes.</summary>
    public static string Encrypt(string encodingAesKey, string appid, string message) =>
        Encrypt(encodingAesKey, appid, message, RandomNumberGenerator.GetBytes(16));

    /// <summary>True for an EncodingAESKey the platform takes: 43 characters of [A-Za-z0-9] that decode to 32 bytes.</summary>
    public static bool IsEncodingAesKey(string? encodingAesKey)
    {
        if (encodingAesKey is not { Length: 43 } || !encodingAesKey.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }
        Span<byte> key = stackalloc byte[33];
        return Convert.TryFromBase64String(encodingAesKey + "=", key, out var written) && written == 32;
    }

    private static byte[] AesKeyOf(string encodingAesKey) => Convert.FromBase64String(encodingAesKey + "=");

    // SHA-1 is what the platform signs pushes with; the emulator must produce exactly that, weak or not.
#pragma warning disable CA5350
    private static string Sha1OfSorted(string[] parts)
    {
        Array.Sort(parts, StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(parts))));
    }
#pragma warning restore CA5350
}
