using System.Text.Json.Nodes;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>Every refused request answers WeChat's errcode with an errmsg naming the problem, and changes nothing.</summary>
public class BadRequestTests : EmulatorTest
{
    private async Task AssertNothingChangedAsync()
    {
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
        Assert.Empty(await Admin.OrdersAsync("kind=pay"));
        Assert.Empty(await Admin.OrdersAsync("kind=present"));
    }

    private Task<System.Text.Json.JsonElement> PayAsync(Action<JsonObject>? tamper = null, string? appKey = null, string? sessionKey = null, long amt = 10, string billNo = "BAD-1") =>
        Backend.CallAsync("pay", User, new() { ["amt"] = amt, ["bill_no"] = billNo }, appKey: appKey, sessionKey: sessionKey, tamper: tamper);

    [Fact]
    public async Task Pay_BadSig_Answers90011AndChangesNothing()
    {
        var reply = await PayAsync(appKey: "the-wrong-app-key-0000000000000");

        WireAssert.Code(90011, reply);
        Assert.StartsWith("sig error", reply.GetProperty("errmsg").GetString());
        Assert.DoesNotContain(MidasDefaults.SandboxKey, reply.ToString());
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_AmountChangedAfterSigning_Answers90011()
    {
        WireAssert.Code(90011, await PayAsync(tamper: body => body["amt"] = 1));
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_BadMpSig_Answers90009AndChangesNothing()
    {
        WireAssert.Code(90009, await PayAsync(sessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="));
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_MpSigAbsent_AcceptedByDefaultAndRefusedWhenRequired()
    {
        WireAssert.Ok(await Backend.CallAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "NOMP-1" }, withMpSig: false));

        using var strict = new EmulatorApp(new Dictionary<string, string?> { ["Midas:MpSigPolicy"] = "Required" });
        WireAssert.Code(90009, await strict.CreateGameBackend().CallAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "NOMP-1" }, withMpSig: false));
    }

    [Fact]
    public async Task Pay_UnknownApp_Answers90017AndChangesNothing()
    {
        var reply = await PayAsync(tamper: body => body["appid"] = "wxnotregistered");

        WireAssert.Code(90017, reply);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_OtherOfferId_Answers90017()
    {
        WireAssert.Code(90017, await PayAsync(tamper: body => body["offer_id"] = "99999999"));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(2147483648L)]
    public async Task Pay_AmountOutOfRange_Answers90018NamingAmt(long amt)
    {
        var reply = await PayAsync(amt: amt);

        WireAssert.Code(90018, reply);
        Assert.Contains("amt", reply.GetProperty("errmsg").GetString());
        await AssertNothingChangedAsync();
    }

    [Theory]
    [InlineData("bill no with spaces")]
    [InlineData("B/1")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public async Task Pay_ForbiddenBillNo_Answers90018NamingBillNo(string billNo)
    {
        var reply = await PayAsync(billNo: billNo);

        WireAssert.Code(90018, reply);
        Assert.Contains("bill_no", reply.GetProperty("errmsg").GetString());
        await AssertNothingChangedAsync();
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("appid")]
    [InlineData("offer_id")]
    [InlineData("ts")]
    [InlineData("zone_id")]
    [InlineData("pf")]
    [InlineData("amt")]
    [InlineData("bill_no")]
    [InlineData("sig")]
    public async Task Pay_MissingRequiredField_Answers90018NamingIt(string field)
    {
        var reply = await PayAsync(tamper: body => body.Remove(field));

        WireAssert.Code(90018, reply);
        Assert.Equal($"{field} missing", reply.GetProperty("errmsg").GetString());
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_MissingField_LegacyOptionAnswers40101()
    {
        using var legacy = new EmulatorApp(new Dictionary<string, string?> { ["Midas:LegacyMissingParam"] = "true" });

        var reply = await legacy.CreateGameBackend().CallAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "L-1" }, tamper: b => b.Remove("openid"));

        Assert.Equal((40101, "openid missing"), (reply.Errcode(), reply.GetProperty("errmsg").GetString()));
    }

    [Theory]
    [InlineData("amt", "true")]
    [InlineData("amt", "[1]")]
    [InlineData("amt", "1.5")]
    [InlineData("amt", "\"ten\"")]
    [InlineData("bill_no", "{\"a\":1}")]
    [InlineData("openid", "false")]
    public async Task Pay_WrongType_Answers90018NamingTheField(string field, string json)
    {
        var reply = await PayAsync(tamper: body => body[field] = JsonNode.Parse(json));

        WireAssert.Code(90018, reply);
        Assert.Contains(field, reply.GetProperty("errmsg").GetString());
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_AmountAsNumericString_IsSignedByItsTextUnlessStrict()
    {
        // wxgamevp sends numbers as strings (docs/wechat-api.md §10.10): lenient by default.
        WireAssert.Ok(await Backend.CallAsync("pay", User, new() { ["amt"] = "7", ["bill_no"] = "S-1" }));

        using var strict = new EmulatorApp(new Dictionary<string, string?> { ["Midas:StrictTypes"] = "true" });
        WireAssert.Code(90018, await strict.CreateGameBackend().CallAsync("pay", User, new() { ["amt"] = "7", ["bill_no"] = "S-1" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"openid\":")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"openid\":\"a\"}{\"openid\":\"b\"}")]
    [InlineData("openid=odkx20ENSNa2w5y3g_qOkOvBNM1g&amt=1")]
    public async Task Pay_MalformedBody_Answers90018(string body)
    {
        var token = await Backend.AccessTokenAsync();

        WireAssert.Code(90018, await Backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", body));
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Pay_DuplicatedField_Answers90018()
    {
        var token = await Backend.AccessTokenAsync();

        var reply = await Backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", "{\"amt\":1,\"amt\":2}");

        WireAssert.Code(90018, reply);
        Assert.Contains("amt appears twice", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_BodyTooLarge_Answers90018()
    {
        var token = await Backend.AccessTokenAsync();
        var huge = "{\"pad\":\"" + new string('x', 70_000) + "\"}";

        var reply = await Backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", huge);

        WireAssert.Code(90018, reply);
        Assert.Contains("larger than", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_UnknownExtraKeys_AreIgnoredAndNotSigned()
    {
        // Real game code has sent api, env and even session_key in the body (docs/wechat-api.md §1).
        var reply = await PayAsync(tamper: body =>
        {
            body["api"] = "pay";
            body["env"] = 1;
            body["session_key"] = User.SessionKey;
        });

        WireAssert.Ok(reply);
    }

    [Fact]
    public async Task Pay_NoContentType_IsStillParsedAsJson()
    {
        var token = await Backend.AccessTokenAsync();
        var body = new JsonObject { ["x"] = 1 }.ToJsonString();
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        using var response = await Backend.Http.PostAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", content);

        var reply = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("openid missing", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_NonUtf8Body_Answers90018()
    {
        var token = await Backend.AccessTokenAsync();
        using var content = new ByteArrayContent([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        using var response = await Backend.Http.PostAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", content);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var reply = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        WireAssert.Code(90018, reply);
    }

    [Fact]
    public async Task Present_ZeroCount_Answers90018()
    {
        WireAssert.Code(90018, await Backend.PresentAsync(User, "P-0", 0));
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task SandboxCall_AppWithoutSandboxKey_Answers90017()
    {
        using var register = await Admin.Http.PostAsync("/admin/apps", new StringContent(
            """{"appid":"wxprodonly","secret":"s","offer_id":"555","app_key":"prodkey"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, register.StatusCode);
        var token = System.Text.Json.JsonDocument.Parse(await Admin.Http.GetStringAsync("/cgi-bin/token?grant_type=client_credential&appid=wxprodonly&secret=s"))
            .RootElement.GetProperty("access_token").GetString()!;

        var reply = await Backend.CallAsync("getbalance", User, [], accessToken: token, tamper: b =>
        {
            b["appid"] = "wxprodonly";
            b["offer_id"] = "555";
        });

        WireAssert.Code(90017, reply);
    }

    [Fact]
    public async Task TokenOfAnotherApp_Answers90017()
    {
        using var register = await Admin.Http.PostAsync("/admin/apps", new StringContent(
            """{"appid":"wxother","secret":"s2","offer_id":"777","app_key":"k","sandbox_app_key":"sk"}""", System.Text.Encoding.UTF8, "application/json"));
        var otherToken = System.Text.Json.JsonDocument.Parse(await Admin.Http.GetStringAsync("/cgi-bin/token?grant_type=client_credential&appid=wxother&secret=s2"))
            .RootElement.GetProperty("access_token").GetString()!;

        WireAssert.Code(90017, await Backend.CallAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "X-1" }, accessToken: otherToken));
        await AssertNothingChangedAsync();
    }
}

public class WrongMethodTests : EmulatorTest
{
    [Theory]
    [InlineData("GET", "/cgi-bin/midas/sandbox/pay", 43002)]
    [InlineData("PUT", "/cgi-bin/midas/getbalance", 43002)]
    [InlineData("DELETE", "/cgi-bin/midas/sandbox/cancelpay", 43002)]
    [InlineData("HEAD", "/cgi-bin/midas/sandbox/present", 43002)]
    [InlineData("OPTIONS", "/cgi-bin/midas/pay", 43002)]
    [InlineData("POST", "/cgi-bin/token", 43001)]
    [InlineData("POST", "/sns/jscode2session", 43001)]
    public async Task WrongMethod_AnswersWeChatErrcodeNot405(string method, string path, int errcode)
    {
        using var response = await Admin.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        if (method != "HEAD")
        {
            WireAssert.Code(errcode, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        }
    }
}
