using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Tests.Support;

/// <summary>The 2.0 signatures as the public docs describe them, written from the docs alone (not from the emulator).</summary>
public static class GamePaySigner
{
    public static string PaySig(string appKey, string uri, byte[] body) =>
        Hex(appKey, [.. Encoding.UTF8.GetBytes(uri + "&"), .. body]);

    public static string Signature(string sessionKey, byte[] body) => Hex(sessionKey, body);

    public static string CheckSessionSignature(string sessionKey) => Hex(sessionKey, []);

    public static string GameItemPaySig(string appKey, string signData) => Hex(appKey, Encoding.UTF8.GetBytes("requestMidasPaymentGameItem&" + signData));

    public static string Query(string accessToken, string appKey, string sessionKey, string uri, byte[] body) =>
        $"access_token={accessToken}&signature={Signature(sessionKey, body)}&sig_method=hmac_sha256&pay_sig={PaySig(appKey, uri, body)}";

    private static string Hex(string key, byte[] message) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message));
}
