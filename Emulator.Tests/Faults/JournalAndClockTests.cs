using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Faults;

/// <summary>/admin/requests (what the emulator saw and answered) and /admin/clock (every expiry reads it).</summary>
public sealed class JournalAndClockTests : EmulatorTest
{
    [Fact]
    public async Task Journal_SigWrong_KeepsTheStringToSignWithTheKeyHidden()
    {
        var reply = await Backend.CallAsync("getbalance", User, [], appKey: "not-the-sandbox-key");

        WireAssert.Code(90011, reply);
        var entry = (await JournalAsync("errcode=90011")).Single();
        var toSign = entry.GetProperty("string_to_sign").GetString()!;
        Assert.Equal("appid=wx1234567&offer_id=12345678&openid=odkx20ENSNa2w5y3g_qOkOvBNM1g&pf=android&ts="
            + App.Clock.GetUtcNow().ToUnixTimeSeconds() + "&zone_id=1&org_loc=/cgi-bin/midas/sandbox/getbalance&method=POST&secret=***", toSign);
        Assert.DoesNotContain(MidasDefaults.SandboxKey, entry.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_MpSigWrong_HidesTheSessionKeyAndTheAccessToken()
    {
        var token = await Backend.AccessTokenAsync();

        var reply = await Backend.CallAsync("getbalance", User, [], sessionKey: "d3Jvbmcgc2Vzc2lvbiBrZXk=");

        WireAssert.Code(90009, reply);
        var entry = (await JournalAsync("errcode=90009")).Single();
        var toSign = entry.GetProperty("string_to_sign").GetString()!;
        Assert.StartsWith("access_token=***&appid=wx1234567&", toSign, StringComparison.Ordinal);
        Assert.EndsWith("&org_loc=/cgi-bin/midas/sandbox/getbalance&method=POST&session_key=***", toSign, StringComparison.Ordinal);
        Assert.DoesNotContain(token, entry.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(User.SessionKey, entry.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("?access_token=***", entry.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Journal_RecordsEachCall_NewestFirst_WithBodyStatusAndFilters()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "JR-1", 10));
        WireAssert.Code(90012, await Backend.PayAsync(User, "JR-1", 10));
        WireAssert.Ok(await Backend.GetBalanceAsync(User));

        var all = await JournalAsync("");
        var pays = await JournalAsync("endpoint=pay&bill_no=JR-1");

        Assert.Equal(["getbalance", "pay", "pay", "token"], all.Select(e => e.GetProperty("endpoint").GetString()));
        Assert.Equal([90012, 0], pays.Select(e => e.GetProperty("errcode").GetInt32()));
        var paid = pays[1];
        Assert.Equal("/cgi-bin/midas/sandbox/pay", paid.GetProperty("path").GetString());
        Assert.Equal("sandbox", paid.GetProperty("env").GetString());
        Assert.Equal(User.Openid, paid.GetProperty("openid").GetString());
        Assert.Equal(200, paid.GetProperty("http_status").GetInt32());
        Assert.Equal(10, JsonNode.Parse(paid.GetProperty("body").GetString()!)!["amt"]!.GetValue<long>());
        Assert.Single(await JournalAsync("limit=1"));
        Assert.Contains("secret=***", all[^1].GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(MidasDefaults.Secret, all[^1].GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_IsBoundedBySize_AndWipedByReset()
    {
        using var small = new EmulatorApp(new Dictionary<string, string?> { ["Midas:JournalSize"] = "3" });
        var backend = small.CreateGameBackend();
        for (var i = 0; i < 5; i++)
        {
            await backend.GetBalanceAsync(User);
        }
        var admin = small.CreateClient();

        var kept = (await admin.GetFromJsonAsync<JsonElement[]>("/admin/requests"))!;
        await admin.PostAsJsonAsync("/admin/reset", new { });

        Assert.Equal([6L, 5L, 4L], kept.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>("/admin/requests"))!);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("errcode=abc", "errcode must be an integer")]
    public async Task Journal_BadQuery_Answers400(string query, string expected)
    {
        using var response = await Admin.Http.GetAsync($"/admin/requests?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clock_Advance7201Seconds_TheOldAccessTokenAnswers42001_AndANewOneWorks()
    {
        WireAssert.Ok(await Backend.GetBalanceAsync(User));

        var clock = await SetClockAsync(new { advance_s = 7201 });

        Assert.Equal(7201, clock.GetProperty("offset_s").GetDouble());
        Assert.False(clock.GetProperty("real").GetBoolean());
        WireAssert.Code(42001, await Backend.GetBalanceAsync(User));
        Backend.ForgetAccessToken();
        WireAssert.Ok(await Backend.GetBalanceAsync(User));
    }

    [Fact]
    public async Task Clock_Past48Hours_ABillNoIsForgotten_AndItsCancelAnswers90014()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "CK-1", 10));

        await SetClockAsync(new { advance_s = 48 * 3600 + 1 });
        Backend.ForgetAccessToken();

        WireAssert.Code(90014, await Backend.CancelPayAsync(User, "CK-1"));
    }

    [Fact]
    public async Task Clock_BackAfterTheBillNoMemoryLetABillNoGo_TheBillNoIsNotChargedAgain()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "CK-2", 10));
        var start = App.Clock.GetUtcNow();
        // 49 h pass on the source clock: the writer's once-a-minute sweep lets CK-2 go at the next commit.
        App.Clock.Advance(TimeSpan.FromHours(49));
        Backend.ForgetAccessToken();
        WireAssert.Ok(await Backend.PayAsync(User, "CK-3", 1));

        await SetClockAsync(new { now = start.AddHours(1).ToString("O") });
        Backend.ForgetAccessToken();

        WireAssert.Code(90012, await Backend.PayAsync(User, "CK-2", 10));
        Assert.Single(await Admin.OrdersAsync("bill_no=CK-2"));
        var invariants = await Admin.InvariantsAsync();
        Assert.True(invariants.Ok, string.Join("; ", invariants.Violations));
    }

    [Fact]
    public async Task Clock_LoginCodeExpires_AndNowAndRealSetIt()
    {
        using var issued = await Admin.Http.PostAsJsonAsync("/admin/login-codes", new { openid = "oClockPlayer01" });
        var code = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
        await SetClockAsync(new { advance_s = 301 });

        var login = await Admin.Http.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}&grant_type=authorization_code");
        var set = await SetClockAsync(new { now = "2030-01-01T00:00:00Z" });
        var real = await SetClockAsync(new { real = true });

        WireAssert.Code(40029, login);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), set.GetProperty("now").GetDateTimeOffset());
        Assert.True(real.GetProperty("real").GetBoolean());
        Assert.Equal(App.Clock.GetUtcNow(), (await Admin.Http.GetFromJsonAsync<JsonElement>("/admin/clock")).GetProperty("now").GetDateTimeOffset());
    }

    [Fact]
    public async Task Clock_AdvancePastTheTsWindow_AnswersParameterError_ForATsThatWasFresh()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:TsWindowSeconds"] = "60" });
        var backend = app.CreateGameBackend();
        var admin = app.CreateClient();
        WireAssert.Ok(await backend.GetBalanceAsync(User));

        // The backend's ts still reads the wall clock; the emulator's clock is now 61 s ahead of it.
        (await admin.PostAsJsonAsync("/admin/clock", new { advance_s = 61 })).EnsureSuccessStatusCode();

        var reply = await backend.GetBalanceAsync(User);
        WireAssert.Code(90018, reply);
        Assert.Contains("ts", reply.GetProperty("errmsg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clock_AdvancePastTheSessionTtl_EndsTheSession_90010()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:SessionTtlSeconds"] = "600" });
        var admin = app.CreateClient();
        var player = await admin.AsAdmin().LoginAsync("oShortSession01", "c2hvcnQgc2Vzc2lvbg==");
        var backend = app.CreateGameBackend();
        await backend.AccessTokenAsync();
        WireAssert.Ok(await backend.GetBalanceAsync(player));

        (await admin.PostAsJsonAsync("/admin/clock", new { advance_s = 601 })).EnsureSuccessStatusCode();

        WireAssert.Code(90010, await backend.GetBalanceAsync(player));
    }

    [Theory]
    [InlineData("""{"advance_s":-1}""")]
    [InlineData("""{"now":"yesterday"}""")]
    [InlineData("""{"advance_s":5,"real":true}""")]
    [InlineData("""{}""")]
    [InlineData("""{"real":false}""")]
    public async Task Clock_BadRequest_Answers400_AndLeavesTheClock(string json)
    {
        using var response = await Admin.Http.PostAsync("/admin/clock", new StringContent(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Admin.Http.GetFromJsonAsync<JsonElement>("/admin/clock")).GetProperty("real").GetBoolean());
    }

    private async Task<JsonElement[]> JournalAsync(string query) =>
        (await Admin.Http.GetFromJsonAsync<JsonElement[]>($"/admin/requests?{query}"))!;

    [Fact]
    public async Task Journal_JsonBodyWithAnAmpersandInAValue_IsShownWhole()
    {
        var (pathAndQuery, signed) = await Backend.SignAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "JR-AMP", ["app_remark"] = "a&secret=b" });
        // As a client whose JSON writer leaves '&' unescaped sends it (the same JSON).
        WireAssert.Ok(await Backend.PostRawAsync(pathAndQuery, signed.Replace("\\u0026", "&", StringComparison.Ordinal)));

        var entry = (await Admin.Http.GetFromJsonAsync<JsonElement[]>("/admin/requests?bill_no=JR-AMP"))!.Single();

        var body = entry.GetProperty("body").GetString()!;
        Assert.Contains("\"app_remark\":\"a&secret=b\"", body, StringComparison.Ordinal);
        Assert.Contains($"\"openid\":\"{User.Openid}\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"now\":\"0001-01-01T00:00:00Z\"}")]
    [InlineData("{\"now\":\"9999-12-31T23:59:59Z\"}")]
    [InlineData("{\"now\":\"1969-12-31T23:59:59Z\"}")]
    public async Task Clock_SetOutsideItsRange_Answers400_AndTheWriterKeepsWorking(string body)
    {
        using var response = await Admin.Http.PostAsync("/admin/clock", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the clock must stay between 1970-01-01 and 9000-01-01", await response.Content.ReadAsStringAsync());
        var clock = await Admin.Http.GetFromJsonAsync<JsonElement>("/admin/clock");
        Assert.True(clock.GetProperty("real").GetBoolean());
        WireAssert.Ok(await Backend.PayAsync(User, "CK-RANGE", 1));
    }

    [Fact]
    public async Task Clock_AdvancedPastItsRangeStepByStep_Answers400()
    {
        await SetClockAsync(new { now = "8950-01-01T00:00:00Z" });

        using var response = await Admin.Http.PostAsJsonAsync("/admin/clock", new { advance_s = TimeSpan.FromDays(365 * 60).TotalSeconds });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await SetClockAsync(new { real = true });
    }

    private async Task<JsonElement> SetClockAsync(object body)
    {
        using var response = await Admin.Http.PostAsJsonAsync("/admin/clock", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
