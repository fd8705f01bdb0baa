using System.Security.Cryptography;
using System.Text;
using GameBackend.Push;

namespace MidasEmulator.Tests.Pushes;

/// <summary>The sample receiver's crypto against the worked vectors of the message-push documentation (docs/wechat-vp2-api.md §7.2).</summary>
public sealed class WeChatPushCryptoTests
{
    private const string Token = "AAAAA";
    private const string EncodingAesKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; // 43 × A: an all-zero AES key
    private const string Appid = "wxba5fad812f8e6fb9";

    // The safe-mode sample push's body, whole, as the message-push page gives it: its msg_signature, length and message
    // below confirm it is the page's own (docs/wechat-vp2-api.md §7.2).
    internal const string SamplePushEncrypt =
        "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=";

    private const string ReplyEncrypt = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==";

    [Fact]
    public void UrlSignature_UrlCheckVector_MatchesTheDoc() =>
        Assert.Equal("f464b24fc39322e44b38aa78f5edd27bd1441696", WeChatPushCrypto.UrlSignature(Token, "1714036504", "1514711492"));

    [Fact]
    public void UrlSignature_PlaintextPostVector_MatchesTheDoc() =>
        Assert.Equal("899cf89e464efb63f54ddac96b0a0a235f53aa78", WeChatPushCrypto.UrlSignature(Token, "1714037059", "486452656"));

    [Fact]
    public void UrlSignature_SafeModePostVector_MatchesTheDocsStillPresentSignature() =>
        Assert.Equal("6c5c811b55cc85e0e1b54100749188c20beb3f5d", WeChatPushCrypto.UrlSignature(Token, "1714112445", "415670741"));

    [Fact]
    public void MsgSignature_SafeModeSamplePush_MatchesTheDoc() =>
        Assert.Equal("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3", WeChatPushCrypto.MsgSignature(Token, "1714112445", "415670741", SamplePushEncrypt));

    [Fact]
    public void Decrypt_SafeModeSamplePush_GivesTheDebugDemoMessageAndTheAppid()
    {
        var msg = WeChatPushCrypto.Decrypt(EncodingAesKey, SamplePushEncrypt, out var appid);

        Assert.Equal(Appid, appid);
        Assert.Equal(167, Encoding.UTF8.GetByteCount(msg));
        Assert.Equal(
            """{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}""",
            msg);
    }

    [Fact]
    public void Encrypt_ReplyVector_GivesTheDocsBase64Exactly() =>
        Assert.Equal(ReplyEncrypt, WeChatPushCrypto.Encrypt(EncodingAesKey, Appid, """{"demo_resp":"good luck"}""", Encoding.ASCII.GetBytes("707722b803182950")));

    [Fact]
    public void Decrypt_ReplyVector_GivesBackTheMessageAndAppid()
    {
        Assert.Equal("""{"demo_resp":"good luck"}""", WeChatPushCrypto.Decrypt(EncodingAesKey, ReplyEncrypt, out var appid));
        Assert.Equal(Appid, appid);
    }

    [Fact]
    public void MsgSignature_ReplyVector_MatchesTheDoc() =>
        Assert.Equal("1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1", WeChatPushCrypto.MsgSignature(Token, "1713424427", "415670741", ReplyEncrypt));

    [Fact]
    public void EncryptThenDecrypt_PadsToAMultipleOf32_AndRoundTrips()
    {
        // 20 + 12 + 18 = 50 bytes of content: 14 bytes of padding, two 32-byte blocks, not the 16 of standard PKCS#7.
        var encrypt = WeChatPushCrypto.Encrypt(EncodingAesKey, Appid, "{\"a\":\"1234\"}", new byte[16]);

        Assert.Equal(64, Convert.FromBase64String(encrypt).Length);
        Assert.Equal("{\"a\":\"1234\"}", WeChatPushCrypto.Decrypt(EncodingAesKey, encrypt, out var appid));
        Assert.Equal(Appid, appid);
    }

    [Fact]
    public void Decrypt_WithAnotherKey_Throws() =>
        Assert.ThrowsAny<CryptographicException>(() => WeChatPushCrypto.Decrypt(new string('B', 43), ReplyEncrypt, out _));

    // The page's own PayEventSig example does not reproduce (docs/wechat-vp2-api.md §7.2). These expected values were
    // computed independently:
    // printf '%s' '<event>&<payload>' | openssl dgst -sha256 -hmac 12345
    [Theory]
    [InlineData(
        "minigame_coin_deliver_completed",
        """{"OpenId":"oUrsf0TSXNtiZjP7JL9UUFiGJzmQ","OutTradeNo":"order-1","Env":0,"CoinInfo":{"ZoneId":"1","TotalPrice":100,"BuyQuantity":10,"OrigPrice":100}}""",
        "a3de23c2042ac9e59854d182599e07a8be079fc5a8adb01e8df825b46bd4dc20")]
    [InlineData(
        "minigame_game_pay_goods_deliver_notify",
        """{"OpenId":"o","Env":1,"OutTradeNo":"g-1","GoodsInfo":{"ProductId":"sword","Quantity":1,"ZoneId":"1","OrigPrice":600,"ActualPrice":600,"Attach":"","OrderSource":1}}""",
        "c468a4d0d20960695094d4ca4746822706df71d1018e449153d04a4c978eeca0")]
    public void PayEventSig_MatchesOpensslHmacOfEventAmpersandPayload(string eventName, string payload, string expected) =>
        Assert.Equal(expected, WeChatPushCrypto.PayEventSig("12345", eventName, payload));
}
