using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

public class AdminTests : EmulatorTest
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Health_AnswersStatusVersionUptime()
    {
        var health = await Admin.Http.GetFromJsonAsync<JsonElement>("/admin/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(health.GetProperty("version").GetString()));
        Assert.True(health.GetProperty("uptime_s").GetInt64() >= 0);
    }

    [Fact]
    public async Task Apps_ListsTheSeededApp()
    {
        var apps = await Admin.Http.GetFromJsonAsync<JsonElement[]>("/admin/apps");

        var app = Assert.Single(apps!);
        Assert.Equal((MidasDefaults.Appid, MidasDefaults.OfferId), (app.GetProperty("appid").GetString(), app.GetProperty("offer_id").GetString()));
    }

    [Fact]
    public async Task Reset_WipesChangesAndReseeds()
    {
        var backend = App.CreateGameBackend();
        WireAssert.Ok(await backend.PayAsync(User, "RS-1", 100));

        using var reset = await Admin.Http.PostAsync("/admin/reset", Json("{}"));
        reset.EnsureSuccessStatusCode();

        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
        Assert.Empty(await Admin.OrdersAsync("kind=pay"));
        backend.ForgetAccessToken();
        WireAssert.Ok(await backend.PayAsync(User, "RS-1", 100));
    }

    [Fact]
    public async Task Reset_WithoutBody_Reseeds()
    {
        await Admin.SetBalanceAsync(User.Openid, 1, 0);

        using var reset = await Admin.Http.PostAsync("/admin/reset", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Reset_WithoutReseed_KeepsAppsButNoUsersOrTokens()
    {
        var backend = App.CreateGameBackend();
        await backend.AccessTokenAsync();
        using var register = await Admin.Http.PostAsync("/admin/apps", Json("""{"appid":"wxmine","secret":"s","offer_id":"42","app_key":"k"}"""));

        using var reset = await Admin.Http.PostAsync("/admin/reset", Json("""{"reseed":false}"""));
        reset.EnsureSuccessStatusCode();

        // docs/reference.md §1.2: reset wipes accounts, orders, sessions, tokens and login codes; registered apps stay.
        Assert.Equal(2, (await Admin.Http.GetFromJsonAsync<JsonElement[]>("/admin/apps"))!.Length);
        WireAssert.Code(40001, await backend.GetBalanceAsync(User));
        backend.ForgetAccessToken();
        WireAssert.Code(90010, await backend.GetBalanceAsync(User));
        Assert.Equal(0, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Sessions_NewSessionKey_ReplacesTheOld()
    {
        using var response = await Admin.Http.PostAsync("/admin/sessions", Json($$"""{"openid":"{{User.Openid}}"}"""));
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        var newKey = session.GetProperty("session_key").GetString()!;
        var backend = App.CreateGameBackend();

        Assert.NotEqual(User.SessionKey, newKey);
        WireAssert.Code(90009, await backend.GetBalanceAsync(User));
        WireAssert.Ok(await backend.GetBalanceAsync(User with { SessionKey = newKey }));
    }

    [Fact]
    public async Task Orders_FilterAndPage_OldestFirst()
    {
        var backend = App.CreateGameBackend();
        for (var i = 0; i < 5; i++)
        {
            WireAssert.Ok(await backend.PayAsync(User, $"PG-{i}", 1));
        }

        var page = await Admin.OrdersAsync($"openid={User.Openid}&kind=pay&limit=2&offset=1");

        Assert.Equal(["PG-1", "PG-2"], page.Select(o => o.BillNo));
        var order = page[0];
        Assert.Equal(1, order.Amt);
        Assert.Equal("applied", order.Status);
        Assert.Equal("sandbox", order.Env);
    }

    [Fact]
    public async Task Orders_PagedByAfterId_ReturnEachOrderOnceInOrder()
    {
        var backend = App.CreateGameBackend();
        for (var i = 0; i < 5; i++)
        {
            WireAssert.Ok(await backend.PayAsync(User, $"AI-{i}", 1));
        }

        var seen = new List<string?>();
        long? after = 0;
        while (after is { } last)
        {
            var page = await Admin.OrdersAsync($"openid={User.Openid}&kind=pay&limit=2&after_id={last}");
            seen.AddRange(page.Select(o => o.BillNo));
            after = page.Length == 0 ? null : page[^1].Id;
        }

        Assert.Equal(["AI-0", "AI-1", "AI-2", "AI-3", "AI-4"], seen);
    }

    [Theory]
    [InlineData("/admin/orders?kind=refunds")]
    [InlineData("/admin/orders?env=staging")]
    [InlineData("/admin/orders?limit=0")]
    [InlineData("/admin/orders?limit=10001")]
    [InlineData("/admin/orders?limit=abc")]
    [InlineData("/admin/orders?offset=-1")]
    [InlineData("/admin/orders?after_id=-5")]
    [InlineData("/admin/orders?after_id=x")]
    [InlineData("/admin/accounts/bad%20openid")]
    [InlineData("/admin/accounts/oX?env=staging")]
    [InlineData("/admin/accounts/oX?appid=wxnobody")]
    public async Task BadAdminQuery_Answers400ProblemDetails(string url)
    {
        using var response = await Admin.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Topup_FormContentTypeAsCurlDashDSends_IsReadAsJson()
    {
        using var response = await Admin.Http.PostAsync($"/admin/accounts/{User.Openid}/topup",
            new StringContent("{\"amount\":5}", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1005, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt64());
    }

    [Theory]
    [InlineData("{\"amount\":\"5\"}", "amount")]
    [InlineData("{\"amount\":1e30}", "amount")]
    [InlineData("{bad", "not valid")]
    [InlineData("", "needs a JSON object body")]
    public async Task Topup_UnreadableBody_Answers400NamingTheProblem(string body, string named)
    {
        using var response = await Admin.Http.PostAsync($"/admin/accounts/{User.Openid}/topup", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"appid":"wx|bad","secret":"s","offer_id":"1","app_key":"k"}""", "appid")]
    [InlineData("""{"appid":"wxok","secret":"s","offer_id":"","app_key":"k"}""", "offer_id")]
    [InlineData("""{"appid":"wxok","offer_id":"1","app_key":"k"}""", "secret")]
    [InlineData("""{"appid":"wxok","secret":"s","offer_id":"1","app_key":"k","sandbox_app_key":""}""", "sandbox_app_key")]
    public async Task RegisterApp_InvalidField_Answers400NamingIt(string body, string named)
    {
        using var response = await Admin.Http.PostAsync("/admin/apps", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Single((await Admin.Http.GetFromJsonAsync<JsonElement[]>("/admin/apps"))!);
    }

    [Theory]
    [InlineData("{\"amount\":0}")]
    [InlineData("{\"amount\":-3}")]
    [InlineData("{\"amount\":\"ten\"}")]
    [InlineData("{\"amount\":")]
    [InlineData("{}")]
    public async Task Topup_BadBody_Answers400AndChangesNothing(string body)
    {
        using var response = await Admin.Http.PostAsync($"/admin/accounts/{User.Openid}/topup", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task PutAccount_GiftAboveBalance_Answers400()
    {
        using var response = await Admin.Http.PutAsync($"/admin/accounts/{User.Openid}", Json("""{"balance":5,"gen_balance":9}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Topup_IsBookedAsAnOrder()
    {
        await Admin.TopupAsync(User.Openid, 25);

        var topup = Assert.Single(await Admin.OrdersAsync("kind=topup"));
        Assert.Equal((25, 1025), (topup.Amt, topup.BalanceAfter));
    }

    [Fact]
    public async Task AdminToken_WhenConfigured_IsRequired()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:AdminToken"] = "s3cret" });
        var client = app.CreateClient();

        using var without = await client.GetAsync("/admin/health");
        using var wrong = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/health") { Headers = { { "Authorization", "Bearer nope" } } });
        using var right = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/health") { Headers = { { "Authorization", "Bearer s3cret" } } });

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        // The WeChat surface is not behind the admin token.
        WireAssert.Ok(await app.CreateGameBackend().GetBalanceAsync(User));
    }
}
