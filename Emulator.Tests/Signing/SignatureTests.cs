using MidasEmulator.Signing;

namespace MidasEmulator.Tests.Signing;

public class SignatureTests
{
    private const string AppKey = "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u";
    private const string SessionKey = "V7Q38/i2KXaqrQyl2Yx9Hg==";
    private const string AccessToken = "ACCESSTOKEN";

    private static List<KeyValuePair<string, string>> CommonFields(params (string Key, string Value)[] extra)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("openid", "odkx20ENSNa2w5y3g_qOkOvBNM1g"),
            new("appid", "wx1234567"),
            new("offer_id", "12345678"),
            new("ts", "1507530737"),
            new("zone_id", "1"),
            new("pf", "android"),
        };
        fields.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));
        return fields;
    }

    [Fact]
    public void CanonicalString_DocWorkedExample_IsTheDocMessage()
    {
        var message = CanonicalString.Build(CommonFields(), "/cgi-bin/midas/getbalance", "secret", AppKey);

        Assert.Equal("appid=wx1234567&offer_id=12345678&openid=odkx20ENSNa2w5y3g_qOkOvBNM1g&pf=android&ts=1507530737&zone_id=1"
            + "&org_loc=/cgi-bin/midas/getbalance&method=POST&secret=zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u", message);
    }

    [Fact]
    public void Signature_DocWorkedExample_Matches()
    {
        var fields = CommonFields();
        var sig = MidasSignature.ComputeHex(AppKey, CanonicalString.Build(fields, "/cgi-bin/midas/getbalance", "secret", AppKey));
        fields.AddRange([new("access_token", AccessToken), new("sig", sig)]);
        var mpSig = MidasSignature.ComputeHex(SessionKey, CanonicalString.Build(fields, "/cgi-bin/midas/getbalance", "session_key", SessionKey));

        Assert.Equal("1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b", sig);
        Assert.Equal("ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76", mpSig);
    }

    [Fact]
    public void MpSig_Base64DecodedSessionKey_DoesNotMatchDoc()
    {
        var fields = CommonFields(("access_token", AccessToken), ("sig", "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b"));
        var message = CanonicalString.Build(fields, "/cgi-bin/midas/getbalance", "session_key", SessionKey);
        var decodedKeyMac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(SessionKey),
            System.Text.Encoding.UTF8.GetBytes(message)));

        Assert.StartsWith("5234e586", decodedKeyMac);
        Assert.False(MidasSignature.Verify(SessionKey, message, decodedKeyMac));
        Assert.True(MidasSignature.Verify(SessionKey, message, "ff4c5bb39dea1002a8f03be0438724e1a8bcea5ebce8f221f9b9fea3bcf3bf76"));
    }

    // docs/wechat-api.md §3.4: same six params, AppKey, token and session_key as the worked example.
    public static TheoryData<string, string, string, string> DocVectors => new()
    {
        { "/cgi-bin/midas/sandbox/getbalance", "", "f8f9f6ac64eb1cf4a5f2f0235f72fe69af0d2ceb2b26bed5a024244140643bb4", "ba1b7d2bce2e824cadf56c143fab6739e843f7b5578c079ec1432f12e5120b6c" },
        { "/cgi-bin/midas/pay", "amt=123 bill_no=BillNo_123", "ada5ef41b2f185b9d6ba041ed0f4ba562ed5aeb6acce17be58865fa88c55aaab", "101c9de900169d556be97ceafce55a18bf1385bc39e0ddb4e8ca7c1d670c76da" },
        { "/cgi-bin/midas/sandbox/pay", "amt=123 bill_no=BillNo_123", "e00c9d9177ff4005844734e08d08c39ebfebc82d8fab0d941a097cb1ba7c25e0", "9d6493a6a5e1b94832f33845c0d7cf13c8a41deef6291f2e07541f2188d933a7" },
        { "/cgi-bin/midas/sandbox/pay", "amt=10 bill_no=B-20240101-0001 user_ip=1.2.3.4 pay_item=gem app_remark=test", "44e45ba910ff072f9a3088e174473e898d2020cf7aacefb1a89acee2ea7299b1", "c34cd939ab4bef8194ca0bc165764f4bb0dd0ac950cb66a7e069bdef3531fcbf" },
        { "/cgi-bin/midas/cancelpay", "bill_no=BillNo_123", "cff702559f26433de1df7e20921d5798bf4dc1c7636472a0bec82369a8bb6ba8", "35b37a9192e7bbb595627b371ac8dc6ccf879f3d8b9486927708a1de13232219" },
        { "/cgi-bin/midas/present", "bill_no=BillNo_123 present_counts=0", "1d3804993d06ae06560eb70ff9b102d7d5a932d99f9d4ef0d0fd07d9a10040d8", "3f415a9b2c5e7befebb0db80924c64fb4bdf3456321acae7a8acd6fb85027f43" },
        { "/cgi-bin/midas/sandbox/present", "bill_no=BillNo_123 present_counts=100", "a2ace2a53f47d8026bc2e35efd32ec97f7b72bdb2cc017a1eba8d8b03959fcde", "6deadff30e007a1f1d845268b66803f838055995a2672e06b4dca1385392a252" },
    };

    [Theory]
    [MemberData(nameof(DocVectors))]
    public void Signature_DocVector_Matches(string path, string extra, string expectedSig, string expectedMpSig)
    {
        var pairs = extra.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).Select(p => (p[0], p[1])).ToArray();
        var fields = CommonFields(pairs);

        Assert.True(SignatureCheck.VerifySig(fields, path, AppKey, expectedSig, new SigningSettings(), out _));
        Assert.True(SignatureCheck.VerifyMpSig(fields, AccessToken, expectedSig, path, SessionKey, expectedMpSig, new SigningSettings(), out _));
        Assert.Equal(expectedSig, MidasSignature.ComputeHex(AppKey, CanonicalString.Build(fields, path, "secret", AppKey)));
    }

    [Fact]
    public void Verify_UppercaseHex_IsAccepted()
    {
        var message = CanonicalString.Build(CommonFields(), "/cgi-bin/midas/getbalance", "secret", AppKey);

        Assert.True(MidasSignature.Verify(AppKey, message, "1AD64E8DCB2EC1DC486B7FDF01F4A15159FC623DC3422470E51CF6870734726B"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ad64e8d")]
    [InlineData("1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726c")]
    [InlineData("zz364e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b")]
    public void Verify_WrongOrMalformedSig_IsRejected(string sig)
    {
        var message = CanonicalString.Build(CommonFields(), "/cgi-bin/midas/getbalance", "secret", AppKey);

        Assert.False(MidasSignature.Verify(AppKey, message, sig));
    }

    [Fact]
    public void VerifySig_SandboxPathWithProductionSignature_IsRejected()
    {
        // The classic 90011: org_loc must be the path actually called (docs/wechat-api.md §3.5).
        Assert.False(SignatureCheck.VerifySig(CommonFields(), "/cgi-bin/midas/sandbox/getbalance", AppKey,
            "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b", new SigningSettings(), out var stringToSign));
        Assert.EndsWith("&org_loc=/cgi-bin/midas/sandbox/getbalance&method=POST&secret=", stringToSign);
    }

    [Fact]
    public void VerifySig_SkitSixFieldSig_OnlyAcceptedWhenEnabled()
    {
        var fields = CommonFields(("amt", "123"), ("bill_no", "BillNo_123"));
        var skitSig = "1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b"; // over the six common fields of /cgi-bin/midas/getbalance
        var path = "/cgi-bin/midas/getbalance";

        Assert.False(SignatureCheck.VerifySig(fields, path, AppKey, skitSig, new SigningSettings(), out _));
        Assert.True(SignatureCheck.VerifySig(fields, path, AppKey, skitSig, new SigningSettings(AcceptSkitSig: true), out _));
    }

    [Fact]
    public void VerifySig_UrlEncodedValues_OnlyAcceptedWhenEnabled()
    {
        var fields = CommonFields(("amt", "10"), ("bill_no", "B1"), ("app_remark", "月卡 x1"));
        var path = "/cgi-bin/midas/sandbox/pay";
        var encoded = fields.Select(f => new KeyValuePair<string, string>(f.Key, System.Web.HttpUtility.UrlEncode(f.Value))).ToList();
        var dotnetStyleSig = MidasSignature.ComputeHex(AppKey, CanonicalString.Build(encoded, path, "secret", AppKey));

        Assert.False(SignatureCheck.VerifySig(fields, path, AppKey, dotnetStyleSig, new SigningSettings(), out _));
        Assert.True(SignatureCheck.VerifySig(fields, path, AppKey, dotnetStyleSig, new SigningSettings(AcceptUrlEncodedValues: true), out _));
    }
}
