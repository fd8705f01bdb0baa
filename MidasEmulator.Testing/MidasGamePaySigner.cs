using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Testing;

/// <summary>
/// The virtual payment 2.0 signatures (<c>/wxa/game/*</c>, <c>/wxa/checksession</c>, the item-purchase dialog), written
/// from the WeChat pages alone (docs/wechat-vp2-api.md §4) and not from the emulator's Signing code, so that a test
/// signing with it checks the emulator against the rule rather than against itself. Every result is lowercase hex of
/// HMAC-SHA256; keys are the UTF-8 bytes of the strings as issued.
/// </summary>
public static class MidasGamePaySigner
{
    /// <summary>
    /// pay_sig: keyed with the AppKey of the body's env (production for 0, sandbox for 1), over
    /// <c>uri + "&amp;" + body</c>. <paramref name="uri"/> is the path alone, no query string (§4).
    /// </summary>
    public static string PaySig(string appKey, string uri, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var prefix = Encoding.UTF8.GetBytes(uri + "&");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message, prefix.Length);
        return Hex(appKey, message);
    }

    /// <summary>
    /// signature (the login-state signature): keyed with the session_key string itself, its 24 base64 characters,
    /// not the 16 bytes they decode to, over the body bytes exactly as sent (§4).
    /// </summary>
    public static string Signature(string sessionKey, byte[] body) => Hex(sessionKey, body);

    /// <summary>The signature of <c>GET /wxa/checksession</c>: the session_key over the empty string (§3.7).</summary>
    public static string CheckSessionSignature(string sessionKey) => Hex(sessionKey, []);

    /// <summary>
    /// paySig of <c>wx.requestMidasPaymentGameItem</c>: the AppKey over <c>"requestMidasPaymentGameItem&amp;" + signData</c>,
    /// signData being the JSON string passed to the dialog, unchanged (§3.6).
    /// </summary>
    public static string GameItemPaySig(string appKey, string signData) =>
        Hex(appKey, Encoding.UTF8.GetBytes("requestMidasPaymentGameItem&" + signData));

    /// <summary>
    /// The query string of a <c>/wxa/game/*</c> call over <paramref name="body"/>:
    /// <c>access_token=…&amp;signature=…&amp;sig_method=hmac_sha256&amp;pay_sig=…</c> (§2).
    /// </summary>
    public static string Query(string accessToken, string appKey, string sessionKey, string uri, byte[] body) =>
        $"access_token={Uri.EscapeDataString(accessToken)}&signature={Signature(sessionKey, body)}"
        + $"&sig_method=hmac_sha256&pay_sig={PaySig(appKey, uri, body)}";

    private static string Hex(string key, byte[] message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message));
}
