using System.Security.Cryptography;
using System.Text;

namespace MidasEmulator.Testing.Tests;

/// <summary>
/// MidasGamePaySigner, the library's virtual payment 2.0 signer, against every vector of docs/wechat-vp2-api.md §4: WeChat's own examples
/// and the ones we computed with Python's hmac module. If one fails, the signer (not the emulator) is wrong.
/// </summary>
public class MidasGamePaySignerTests
{
    private const string DocAppKey = "12345";
    private const string DocSessionKey = "9hAb/NEYUlkaMBEsmFgzig==";

    // The signature guide's example body, byte for byte: Python's json.dumps separators (", " and ": ").
    private const string DocGetBalanceBody =
        """{"offer_id": "12345678", "openid": "oUrsfxxxxxxxxxx", "ts": 1668136271, "zone_id": "1", "env": 0}""";

    // The pay page's request sample written the same way, the Chinese values as UTF-8 (§4, "ours").
    private const string DocPayBody =
        """{"offer_id": "12345678", "openid": "oUrsfxxxxxxxxxx", "ts": 1668512428, "zone_id": "1", "env": 0, "bill_no": "test_pay_1668512428", "amount": 1, "payitem": "钻石", "remark": "测试"}""";

    // The signData example of wx.requestMidasPaymentGameItem, as the page gives it (no spaces).
    private const string DocSignData =
        """{"mode":"goods","offerId":"123","buyQuantity":1,"env":0,"currencyType":"CNY","platform":"android","zoneId":"1","productId":"testproductId","goodsPrice":10,"outTradeNo":"xxxxxx","attach":"testdata"}""";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    // name, key, uri, body, expected pay_sig
    public static TheoryData<string, string, string, string, string> PaySigVectors => new()
    {
        { "official getbalance", DocAppKey, "/wxa/game/getbalance", DocGetBalanceBody, "11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd" },
        { "ours pay sample", DocAppKey, "/wxa/game/pay", DocPayBody, "0454fddb2030e75d4e6bf45b1f171c10dc1b65d5723b0c0948f9e1df8e1c2f3d" },
        { "xpay, same rule", DocAppKey, "/xpay/query_user_balance", """{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}""", "c37809f27c6d7fd1837ad2500a04512b66b34fd793a39a385fade56dca89a4b5" },
    };

    [Theory]
    [MemberData(nameof(PaySigVectors))]
    public void PaySig_Vector_Matches(string name, string appKey, string uri, string body, string expected)
    {
        Assert.True(expected == MidasGamePaySigner.PaySig(appKey, uri, Utf8(body)), name);
    }

    // name, session_key, body, expected signature
    public static TheoryData<string, string, string, string> SignatureVectors => new()
    {
        { "official getbalance", DocSessionKey, DocGetBalanceBody, "42fe1d3341fb1c8bd6f5014ba735ab04eacc80a2deb3ab4669eab4700b5b6729" },
        { "official login state", "o0q0otL8aEzpcZL/FT9WsQ==", """{"foo":"bar"}""", "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b" },
        { "ours pay sample", DocSessionKey, DocPayBody, "48cbefc1ffcfc796e94364accb36374e310a6785311555f649c04de42779c927" },
        { "xpay, same rule", DocSessionKey, """{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}""", "089d9e8dc5d308977360c4b79ec600a93d736802802a807d634192328032f6c7" },
        { "ours GameItem signData", DocSessionKey, DocSignData, "2aa917c33e119f0e9278f31555a893c9312720ff171f775c2e1b26c09e7d4424" },
    };

    [Theory]
    [MemberData(nameof(SignatureVectors))]
    public void Signature_Vector_Matches(string name, string sessionKey, string body, string expected)
    {
        Assert.True(expected == MidasGamePaySigner.Signature(sessionKey, Utf8(body)), name);
    }

    [Fact]
    public void Signature_Base64DecodedSessionKey_DoesNotMatchDoc()
    {
        // The key is the session_key string, not the 16 bytes it decodes to (§4): decoding gives eb40bdab…, not 42fe1d33….
        var decoded = Convert.ToHexStringLower(HMACSHA256.HashData(Convert.FromBase64String(DocSessionKey), Utf8(DocGetBalanceBody)));

        Assert.StartsWith("eb40bdab", decoded, StringComparison.Ordinal);
        Assert.NotEqual(decoded, MidasGamePaySigner.Signature(DocSessionKey, Utf8(DocGetBalanceBody)));
    }

    [Fact]
    public void CheckSessionSignature_DocSessionKey_MatchesOurVector()
    {
        Assert.Equal("1f7605aea24c0785899e51bc4c483167a20ea7b0f5f36cfd398e89cb21c91e9c", MidasGamePaySigner.CheckSessionSignature(DocSessionKey));
    }

    [Fact]
    public void GameItemPaySig_DocSignData_MatchesOurVector()
    {
        Assert.Equal("309fa3ae45ac82ed892eec950721558316d23b009c6b479d40d5f949bd5030eb", MidasGamePaySigner.GameItemPaySig(DocAppKey, DocSignData));
    }

    [Fact]
    public void Query_DocGetBalance_HoldsBothSignaturesAndTheMethod()
    {
        var query = MidasGamePaySigner.Query("ACCESS_TOKEN", DocAppKey, DocSessionKey, "/wxa/game/getbalance", Utf8(DocGetBalanceBody));

        Assert.Equal("access_token=ACCESS_TOKEN"
            + "&signature=42fe1d3341fb1c8bd6f5014ba735ab04eacc80a2deb3ab4669eab4700b5b6729"
            + "&sig_method=hmac_sha256"
            + "&pay_sig=11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd", query);
    }

    [Fact]
    public void PaySig_OtherUri_DiffersFromGetBalance()
    {
        // The uri is part of the message: the getbalance body signed for /wxa/game/pay is another pay_sig.
        Assert.NotEqual("11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd",
            MidasGamePaySigner.PaySig(DocAppKey, "/wxa/game/pay", Utf8(DocGetBalanceBody)));
    }
}
