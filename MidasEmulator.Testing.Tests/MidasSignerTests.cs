namespace MidasEmulator.Testing.Tests;

/// <summary>The signer against WeChat's worked example and the further vectors of docs/wechat-api.md §3.3–3.4.</summary>
public class MidasSignerTests
{
    private const string AppKey = "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u";
    private const string AccessToken = "ACCESSTOKEN";
    private const string SessionKey = "V7Q38/i2KXaqrQyl2Yx9Hg==";

    private static Dictionary<string, string> Common() => new()
    {
        ["openid"] = "odkx20ENSNa2w5y3g_qOkOvBNM1g",
        ["appid"] = "wx1234567",
        ["offer_id"] = "12345678",
        ["ts"] = "1507530737",
        ["zone_id"] = "1",
        ["pf"] = "android",
    };

    [Theory]
    // §3.3, the official worked example.
    [InlineData("/cgi-bin/midas/getbalance", "", "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b", "ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76")]
    // §3.4.
    [InlineData("/cgi-bin/midas/sandbox/getbalance", "", "f8f9f6ac64eb1cf4a5f2f0235f72fe69af0d2ceb2b26bed5a024244140643bb4", "ba1b7d2bce2e824cadf56c143fab6739e843f7b5578c079ec1432f12e5120b6c")]
    [InlineData("/cgi-bin/midas/pay", "amt=123 bill_no=BillNo_123", "ada5ef41b2f185b9d6ba041ed0f4ba562ed5aeb6acce17be58865fa88c55aaab", "101c9de900169d556be97ceafce55a18bf1385bc39e0ddb4e8ca7c1d670c76da")]
    [InlineData("/cgi-bin/midas/sandbox/pay", "amt=123 bill_no=BillNo_123", "e00c9d9177ff4005844734e08d08c39ebfebc82d8fab0d941a097cb1ba7c25e0", "9d6493a6a5e1b94832f33845c0d7cf13c8a41deef6291f2e07541f2188d933a7")]
    [InlineData("/cgi-bin/midas/sandbox/pay", "amt=10 bill_no=B-20240101-0001 user_ip=1.2.3.4 pay_item=gem app_remark=test", "44e45ba910ff072f9a3088e174473e898d2020cf7aacefb1a89acee2ea7299b1", "c34cd939ab4bef8194ca0bc165764f4bb0dd0ac950cb66a7e069bdef3531fcbf")]
    [InlineData("/cgi-bin/midas/cancelpay", "bill_no=BillNo_123", "cff702559f26433de1df7e20921d5798bf4dc1c7636472a0bec82369a8bb6ba8", "35b37a9192e7bbb595627b371ac8dc6ccf879f3d8b9486927708a1de13232219")]
    [InlineData("/cgi-bin/midas/present", "bill_no=BillNo_123 present_counts=0", "1d3804993d06ae06560eb70ff9b102d7d5a932d99f9d4ef0d0fd07d9a10040d8", "3f415a9b2c5e7befebb0db80924c64fb4bdf3456321acae7a8acd6fb85027f43")]
    [InlineData("/cgi-bin/midas/sandbox/present", "bill_no=BillNo_123 present_counts=100", "a2ace2a53f47d8026bc2e35efd32ec97f7b72bdb2cc017a1eba8d8b03959fcde", "6deadff30e007a1f1d845268b66803f838055995a2672e06b4dca1385392a252")]
    public void Signature_DocVector_Matches(string path, string extra, string sig, string mpSig)
    {
        var fields = Common();
        foreach (var pair in extra.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            fields[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        Assert.Equal(sig, MidasSigner.Sig(fields, path, AppKey));
        Assert.Equal(mpSig, MidasSigner.MpSig(fields, AccessToken, sig, path, SessionKey));
    }

    [Fact]
    public void SignedBody_DocExample_CarriesBothSignaturesAndNumbersAsNumbers()
    {
        var fields = new List<KeyValuePair<string, object>>
        {
            new("openid", "odkx20ENSNa2w5y3g_qOkOvBNM1g"), new("appid", "wx1234567"), new("offer_id", "12345678"),
            new("ts", 1507530737L), new("zone_id", "1"), new("pf", "android"),
        };

        var body = MidasSigner.SignedBody(fields, "/cgi-bin/midas/getbalance", AppKey, AccessToken, SessionKey);

        Assert.Equal("1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b", (string?)body["sig"]);
        Assert.Equal("ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76", (string?)body["mp_sig"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, body["ts"]!.GetValueKind());
    }

    [Fact]
    public void SignedBody_WithoutSessionKey_HasNoMpSig()
    {
        var body = MidasSigner.SignedBody([new("openid", "o1")], "/cgi-bin/midas/getbalance", AppKey, AccessToken, null);

        Assert.False(body.ContainsKey("mp_sig"));
    }
}
