using System.Text;
using GameBackend.Push;
using MidasEmulator.Signing;
using MidasEmulator.Tests.Pushes;

namespace MidasEmulator.Tests.Signing;

/// <summary>
/// The emulator's own push signing and encryption (Signing/PushSignature.cs) against the official worked vectors of
/// docs/wechat-vp2-api.md §7, and against the sample receiver, which was written from the documents separately.
/// </summary>
public sealed class PushSignatureTests
{
    private const string Token = "AAAAA";
    private const string EncodingAesKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private const string Appid = "wxba5fad812f8e6fb9";

    [Theory]
    [InlineData("1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696")] // the URL check
    [InlineData("1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78")] // a plaintext push
    [InlineData("1714112445", "415670741", "6c5c811b55cc85e0e1b54100749188c20beb3f5d")] // a safe-mode push's signature
    public void Signature_OfficialVectors(string timestamp, string nonce, string expected) =>
        Assert.Equal(expected, PushSignature.Signature(Token, timestamp, nonce));

    [Fact]
    public void MsgSignature_OfficialSafeModePush() =>
        Assert.Equal("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
            PushSignature.MsgSignature(Token, "1714112445", "415670741", WeChatPushCryptoTests.SamplePushEncrypt));

    [Fact]
    public void Encrypt_OfficialVector_GivesTheDocumentsBase64AndMsgSignature()
    {
        var encrypt = PushSignature.Encrypt(EncodingAesKey, Appid, """{"demo_resp":"good luck"}""", Encoding.ASCII.GetBytes("707722b803182950"));

        Assert.Equal("ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==", encrypt);
        Assert.Equal("1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1", PushSignature.MsgSignature(Token, "1713424427", "415670741", encrypt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("""{"OpenId":"o","GoodsInfo":{"Attach":"中文 and a 32-byte boundary ......"}}""")]
    public void Encrypt_AnyMessage_TheSampleReceiverDecryptsItBack(string message)
    {
        var key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

        var encrypt = PushSignature.Encrypt(key, "wx1234567", message);

        Assert.Equal(0, Convert.FromBase64String(encrypt).Length % 32);
        Assert.Equal(message, WeChatPushCrypto.Decrypt(key, encrypt, out var appid));
        Assert.Equal("wx1234567", appid);
    }

    // Computed independently: printf '%s' '<event>&<payload>' | openssl dgst -sha256 -hmac 12345
    [Fact]
    public void PayEventSig_IsHmacSha256OfEventAmpersandPayload() =>
        Assert.Equal("a3de23c2042ac9e59854d182599e07a8be079fc5a8adb01e8df825b46bd4dc20", PushSignature.PayEventSig("12345",
            "minigame_coin_deliver_completed",
            """{"OpenId":"oUrsf0TSXNtiZjP7JL9UUFiGJzmQ","OutTradeNo":"order-1","Env":0,"CoinInfo":{"ZoneId":"1","TotalPrice":100,"BuyQuantity":10,"OrigPrice":100}}"""));

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF+", false)]
    public void IsEncodingAesKey_43LettersAndDigitsOnly(string key, bool valid) =>
        Assert.Equal(valid, PushSignature.IsEncodingAesKey(key));
}
