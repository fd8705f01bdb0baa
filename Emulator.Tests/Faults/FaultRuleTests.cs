using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Faults;

/// <summary>Fault rules over /admin/faults: scope, counting, reproducible probability, listing and deleting (docs/reference.md §1.3).</summary>
public sealed class FaultRuleTests : EmulatorTest
{
    [Fact]
    public async Task Fault_Probability03Seed42_GivesTheSameSequenceOnEveryRun()
    {
        var runs = new List<bool[]>();
        for (var run = 0; run < 2; run++)
        {
            await Admin.Http.PostAsJsonAsync("/admin/reset", new { });
            await Admin.AddFaultAsync(Fault.OnGetBalance().Probability(0.3, seed: 42));
            var outcomes = new bool[30];
            for (var i = 0; i < outcomes.Length; i++)
            {
                outcomes[i] = (await Backend.GetBalanceAsync(User)).Errcode() == -1;
            }
            runs.Add(outcomes);
        }

        // The documented draw: one Random(seed).NextDouble() per request in scope, fired when below the probability.
        var random = new Random(42);
        var expected = Enumerable.Range(0, 30).Select(_ => random.NextDouble() < 0.3).ToArray();
        Assert.Equal(expected, runs[0]);
        Assert.Equal(expected, runs[1]);
        Assert.InRange(expected.Count(fired => fired), 3, 20);
    }

    [Fact]
    public async Task Fault_TimesAndSkipFirst_LetTheFirstThrough_FireThatManyTimes_ThenRetire()
    {
        var id = (await Admin.AddFaultAsync(Fault.OnGetBalance().SkipFirst(1).Times(2))).Id;

        var codes = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((await Backend.GetBalanceAsync(User)).Errcode());
        }

        Assert.Equal([0, -1, -1, 0, 0], codes);
        var rule = (await ListAsync()).Single();
        Assert.Equal(id, rule.GetProperty("id").GetString());
        Assert.Equal(2, rule.GetProperty("hits").GetInt32());
        Assert.Equal(3, rule.GetProperty("matched").GetInt32());
        Assert.False(rule.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Fault_ScopedByOpenidAndBillNo_FiresOnlyOnThatCall()
    {
        var other = await StartSessionAsync("oOtherPlayer0001");
        await Admin.AddFaultAsync(Fault.OnPay().ForOpenid(User.Openid).ForBillNo("SC-2").Errcode(90013, "balance not enough"));

        WireAssert.Ok(await Backend.PayAsync(User, "SC-1", 1));
        WireAssert.Ok(await Backend.PayAsync(other, "SC-2", 1));
        var hit = await Backend.PayAsync(User, "SC-2", 1);

        WireAssert.Code(90013, hit);
        Assert.Equal("balance not enough", hit.GetProperty("errmsg").GetString());
        WireAssert.Ok(await Backend.GetBalanceAsync(User));
    }

    [Fact]
    public async Task Fault_OnTheTokenEndpoint_ShapesTheAuthCallToo()
    {
        await Admin.AddFaultAsync(Fault.OnToken().Times(1));

        var first = await Admin.Http.GetFromJsonAsync<JsonElement>($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}");
        var second = await Admin.Http.GetFromJsonAsync<JsonElement>($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}");

        WireAssert.Code(-1, first);
        Assert.False(string.IsNullOrEmpty(second.GetProperty("access_token").GetString()));
    }

    [Fact]
    public async Task Fault_EveryEndpointStar_AppliesToEachMidasOperation()
    {
        await Backend.AccessTokenAsync(); // "*" covers /cgi-bin/token too
        await Admin.AddFaultAsync(Fault.OnAny().HttpStatus(503));
        var (pathAndQuery, body) = await Backend.SignAsync("present", User, new() { ["bill_no"] = "ST-1", ["present_counts"] = 5L });

        using var response = await Backend.Http.PostAsync(pathAndQuery, new StringContent(body));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(await Admin.OrdersAsync("bill_no=ST-1"));
    }

    [Fact]
    public async Task DeleteFault_OneOrAll_StopsThem()
    {
        var first = (await Admin.AddFaultAsync(Fault.OnGetBalance())).Id;
        await Admin.AddFaultAsync(Fault.OnPay());

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.Http.DeleteAsync($"/admin/faults/{first}")).StatusCode);
        WireAssert.Ok(await Backend.GetBalanceAsync(User));
        WireAssert.Code(-1, await Backend.PayAsync(User, "DF-1", 1));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.Http.DeleteAsync($"/admin/faults/{first}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.Http.DeleteAsync("/admin/faults")).StatusCode);
        WireAssert.Ok(await Backend.PayAsync(User, "DF-1", 1));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Reset_WipesFaultRules()
    {
        await Admin.AddFaultAsync(Fault.OnGetBalance());

        await Admin.Http.PostAsJsonAsync("/admin/reset", new { });

        Assert.Empty(await ListAsync());
        WireAssert.Ok(await Backend.GetBalanceAsync(User));
    }

    [Theory]
    [InlineData("""{"endpoint":"refund"}""", "endpoint must be one of")]
    [InlineData("""{"action":"explode"}""", "action must be")]
    [InlineData("""{"action":"delay"}""", "delay_ms")]
    [InlineData("""{"action":"http_status","http_status":200}""", "http_status must be from 400 to 599")]
    [InlineData("""{"probability":1.5}""", "probability must be from 0 to 1")]
    [InlineData("""{"times":0}""", "times must be 1 or more")]
    [InlineData("""{"skip_first":-1}""", "skip_first")]
    [InlineData("""{"delay_ms":-5}""", "delay_ms must be from 0")]
    [InlineData("""{"openid":""}""", "must not be empty")]
    [InlineData("""{"times":"1"}""", "times")]
    public async Task AddFault_InvalidRule_Answers400NamingTheField_AndAddsNothing(string json, string expected)
    {
        using var response = await Admin.Http.PostAsync("/admin/faults", new StringContent(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task AddFault_EmptyBody_IsSystemBusyOnEveryCallUntilDeleted()
    {
        await Backend.AccessTokenAsync(); // "*" covers /cgi-bin/token too
        using var response = await Admin.Http.PostAsync("/admin/faults", null);
        var rule = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/admin/faults/{rule.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        Assert.Equal("*", rule.GetProperty("endpoint").GetString());
        Assert.Equal("errcode", rule.GetProperty("action").GetString());
        Assert.Equal(-1, rule.GetProperty("errcode").GetInt32());
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("times").ValueKind);
        for (var i = 0; i < 3; i++)
        {
            WireAssert.Code(-1, await Backend.GetBalanceAsync(User));
        }
    }

    private async Task<JsonElement[]> ListAsync() => (await Admin.Http.GetFromJsonAsync<JsonElement[]>("/admin/faults"))!;

    private async Task<MidasPlayer> StartSessionAsync(string openid)
    {
        var player = await Admin.LoginAsync(openid);
        await Admin.TopupAsync(openid, 100);
        return player;
    }
}
