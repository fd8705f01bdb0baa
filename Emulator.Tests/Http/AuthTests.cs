using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

public class AuthTests : IDisposable
{
    private readonly EmulatorApp _app = new();

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<JsonElement> GetAsync(string url) => await _app.CreateClient().GetFromJsonAsync<JsonElement>(url);

    [Fact]
    public async Task Token_RightSecret_IssuesTokenFor7200Seconds()
    {
        var reply = await GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}");

        Assert.True(reply.GetProperty("access_token").GetString()!.Length >= 64);
        Assert.Equal(7200, reply.GetProperty("expires_in").GetInt32());
        Assert.False(reply.TryGetProperty("errcode", out _));
    }

    [Theory]
    [InlineData("grant_type=client_credential&appid=wx1234567&secret=wrong", 40001)]
    [InlineData("grant_type=client_credential&appid=wxnobody&secret=x", 40013)]
    [InlineData("grant_type=client_credential&secret=x", 41002)]
    [InlineData("grant_type=client_credential&appid=wx1234567", 41004)]
    [InlineData("grant_type=password&appid=wx1234567&secret=midas-emulator-default-secret-0001", 40002)]
    public async Task Token_BadRequest_AnswersWeChatErrcode(string query, int errcode)
    {
        WireAssert.Code(errcode, await GetAsync($"/cgi-bin/token?{query}"));
    }

    [Fact]
    public async Task Token_AfterExpiry_Answers42001AndANewTokenWorks()
    {
        var backend = _app.CreateGameBackend();
        var old = await backend.AccessTokenAsync();
        WireAssert.Ok(await backend.GetBalanceAsync(MidasDefaults.DocPlayer));

        _app.Clock.Advance(TimeSpan.FromSeconds(7201));

        WireAssert.Code(42001, await backend.GetBalanceAsync(MidasDefaults.DocPlayer));
        backend.ForgetAccessToken();
        Assert.NotEqual(old, await backend.AccessTokenAsync());
        WireAssert.Ok(await backend.GetBalanceAsync(MidasDefaults.DocPlayer));
    }

    [Fact]
    public async Task Token_Renewed_PreviousTokenWorksFiveMoreMinutesThenIsNotLatest()
    {
        var first = _app.CreateGameBackend();
        await first.AccessTokenAsync();
        await _app.CreateGameBackend().AccessTokenAsync();

        _app.Clock.Advance(TimeSpan.FromMinutes(4));
        WireAssert.Ok(await first.GetBalanceAsync(MidasDefaults.DocPlayer));
        _app.Clock.Advance(TimeSpan.FromMinutes(2));
        // "invalid credential, access_token is invalid or not latest" (docs/wechat-api.md §5), not "expired".
        WireAssert.Code(40001, await first.GetBalanceAsync(MidasDefaults.DocPlayer));
    }

    [Fact]
    public async Task Midas_WithoutOrWithUnknownToken_Answers41001Or40001()
    {
        var backend = _app.CreateGameBackend();

        WireAssert.Code(41001, await backend.PostRawAsync("/cgi-bin/midas/sandbox/getbalance", "{}"));
        WireAssert.Code(40001, await backend.CallAsync("getbalance", MidasDefaults.DocPlayer, [], accessToken: "not-a-token"));
    }

    private async Task<string> LoginCodeAsync(string openid)
    {
        using var response = await _app.CreateClient().PostAsJsonAsync("/admin/login-codes", new { openid });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    private static string SessionUrl(string code, string secret = MidasDefaults.Secret) =>
        $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={secret}&js_code={code}&grant_type=authorization_code";

    [Fact]
    public async Task JsCode2Session_FreshCode_GivesSessionUsableForMpSig()
    {
        var code = await LoginCodeAsync("oNewPlayer000000000000000001");

        var reply = await GetAsync(SessionUrl(code));

        Assert.Equal("oNewPlayer000000000000000001", reply.GetProperty("openid").GetString());
        var sessionKey = reply.GetProperty("session_key").GetString()!;
        Assert.Equal(16, Convert.FromBase64String(sessionKey).Length);
        var player = new MidasPlayer("oNewPlayer000000000000000001", sessionKey);
        var balance = await _app.CreateGameBackend().GetBalanceAsync(player);
        WireAssert.Ok(balance);
        Assert.Equal(0, balance.Number("balance"));
    }

    [Fact]
    public async Task JsCode2Session_CodeUsedTwice_Answers40163()
    {
        var code = await LoginCodeAsync("oNewPlayer000000000000000002");
        await GetAsync(SessionUrl(code));

        WireAssert.Code(40163, await GetAsync(SessionUrl(code)));
    }

    [Fact]
    public async Task JsCode2Session_UnknownOrExpiredCode_Answers40029()
    {
        var code = await LoginCodeAsync("oNewPlayer000000000000000003");
        _app.Clock.Advance(TimeSpan.FromSeconds(301));

        WireAssert.Code(40029, await GetAsync(SessionUrl(code)));
        WireAssert.Code(40029, await GetAsync(SessionUrl("made-up-code")));
    }

    [Fact]
    public async Task JsCode2Session_WrongSecretOrMissingCode_AnswersWeChatErrcode()
    {
        WireAssert.Code(40125, await GetAsync(SessionUrl("x", secret: "wrong")));
        WireAssert.Code(41008, await GetAsync($"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&grant_type=authorization_code"));
    }

    [Fact]
    public async Task NewLogin_ReplacesSessionKey_OldMpSigAnswers90009()
    {
        var code = await LoginCodeAsync(MidasDefaults.DocPlayer.Openid);
        var reply = await GetAsync(SessionUrl(code));
        var backend = _app.CreateGameBackend();

        WireAssert.Code(90009, await backend.GetBalanceAsync(MidasDefaults.DocPlayer));
        WireAssert.Ok(await backend.GetBalanceAsync(MidasDefaults.DocPlayer with { SessionKey = reply.GetProperty("session_key").GetString()! }));
    }

    [Fact]
    public async Task Midas_UserNeverLoggedIn_Answers90010()
    {
        var stranger = new MidasPlayer("oNeverLoggedIn00000000000001", "AAAAAAAAAAAAAAAAAAAAAA==");

        WireAssert.Code(90010, await _app.CreateGameBackend().GetBalanceAsync(stranger));
        WireAssert.Code(90010, await _app.CreateGameBackend().CallAsync("getbalance", stranger, [], withMpSig: false));
    }

    [Fact]
    public async Task Midas_SessionEndedOverAdmin_Answers90010()
    {
        var client = _app.CreateClient();
        using var response = await client.DeleteAsync($"/admin/sessions/{MidasDefaults.DocPlayer.Openid}");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);

        WireAssert.Code(90010, await _app.CreateGameBackend().GetBalanceAsync(MidasDefaults.DocPlayer));
    }
}
