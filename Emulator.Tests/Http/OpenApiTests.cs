using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MidasEmulator.Endpoints;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

public class OpenApiTests : EmulatorTest
{
    private static readonly string[] WeChatPaths =
    [
        "/cgi-bin/token", "/sns/jscode2session",
        "/cgi-bin/midas/sandbox/getbalance", "/cgi-bin/midas/sandbox/pay", "/cgi-bin/midas/sandbox/cancelpay", "/cgi-bin/midas/sandbox/present",
        "/cgi-bin/midas/getbalance", "/cgi-bin/midas/pay", "/cgi-bin/midas/cancelpay", "/cgi-bin/midas/present",
        "/wxa/game/getbalance", "/wxa/game/pay", "/wxa/game/cancelpay", "/wxa/game/present", "/wxa/game/queryorderinfo", "/wxa/checksession",
    ];

    private static readonly string[] AdminPaths =
    [
        "/admin/health", "/admin/reset", "/admin/apps", "/admin/sessions", "/admin/sessions/{openid}", "/admin/login-codes",
        "/admin/accounts/{openid}", "/admin/accounts/{openid}/topup", "/admin/orders", "/admin/invariants", "/admin/faults", "/admin/faults/{id}",
        "/admin/requests", "/admin/clock", "/admin/client-orders", "/admin/client-orders/{outTradeNo}/refund",
        "/admin/apps/{appid}/push", "/admin/apps/{appid}/push/{channel}", "/admin/pushes", "/admin/pushes/{id}/retry", "/admin/pushes/{id}/cancel",
    ];

    private const string Common = "openid appid offer_id ts zone_id pf user_ip sig mp_sig";

    [Fact]
    public async Task WeChatDocument_ListsEveryWeChatPath_AndNothingElse()
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/wechat.json");

        Assert.Equal(WeChatPaths.Order(), Paths(doc).Order());
        Assert.False(string.IsNullOrEmpty(doc.GetProperty("info").GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(doc.GetProperty("info").GetProperty("description").GetString()));
        Assert.False(string.IsNullOrEmpty(doc.GetProperty("info").GetProperty("version").GetString()));
    }

    [Theory]
    [InlineData("getbalance", "coin_type", "balance present_balance sum_save sum_present sum_balance sum_cost first_save")]
    [InlineData("pay", "amount bill_no payitem remark", "bill_no balance used_present_amount")]
    [InlineData("cancelpay", "amount bill_no pay_bill_no", "bill_no")]
    [InlineData("present", "amount bill_no", "bill_no balance")]
    public async Task WeChatDocument_GamePayOperation_HasSignaturesBodyAndReplyInSnakeCase(string op, string fields, string replyFields)
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/wechat.json");

        var operation = Assert.Single(doc.GetProperty("paths").GetProperty($"/wxa/game/{op}").EnumerateObject());
        Assert.Equal("post", operation.Name);
        Assert.Contains("docs/wechat-vp2-api.md", operation.Value.GetProperty("description").GetString());
        Assert.Equal(Words("access_token signature sig_method pay_sig"),
            operation.Value.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        var body = Resolve(doc, operation.Value.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(Words("openid offer_id ts zone_id env user_ip " + fields), PropertyNames(body));
        var reply = Resolve(doc, operation.Value.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(Words("errcode errmsg " + replyFields), PropertyNames(reply));
    }

    [Theory]
    [InlineData("getbalance", "", "balance gen_balance first_save save_amt save_sum cost_sum present_sum")]
    [InlineData("pay", "amt bill_no pay_item app_remark", "bill_no balance used_gen_balance used_gen_amt")]
    [InlineData("cancelpay", "bill_no pay_item", "bill_no")]
    [InlineData("present", "bill_no present_counts", "bill_no balance")]
    public async Task WeChatDocument_MidasOperation_HasTokenBodyAndReplyInSnakeCase(string op, string fields, string replyFields)
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/wechat.json");

        foreach (var path in new[] { $"/cgi-bin/midas/sandbox/{op}", $"/cgi-bin/midas/{op}" })
        {
            // Only POST is described: the 43002 answers to other methods stay out of the document.
            var operation = Assert.Single(doc.GetProperty("paths").GetProperty(path).EnumerateObject());
            Assert.Equal("post", operation.Name);
            Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()));
            Assert.Contains("docs/wechat-api.md", operation.Value.GetProperty("description").GetString());
            var token = Assert.Single(operation.Value.GetProperty("parameters").EnumerateArray());
            Assert.Equal(("access_token", "query", true),
                (token.GetProperty("name").GetString(), token.GetProperty("in").GetString(), token.GetProperty("required").GetBoolean()));

            var body = Resolve(doc, operation.Value.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            Assert.Equal(Words($"{Common} {fields}").Order(), PropertyNames(body).Order());
            Assert.Equal("integer", body.GetProperty("properties").GetProperty("ts").GetProperty("type").GetString());
            var reply = Resolve(doc, operation.Value.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            Assert.Equal(Words($"errcode errmsg {replyFields}").Order(), PropertyNames(reply).Order());
        }
    }

    [Fact]
    public async Task WeChatDocument_Pay_MarksTheRequiredFields()
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/wechat.json");

        var pay = doc.GetProperty("paths").GetProperty("/cgi-bin/midas/pay").GetProperty("post");
        var body = Resolve(doc, pay.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        var required = body.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ToList();

        Assert.Equal(Words("openid appid offer_id ts zone_id pf sig amt bill_no").Order(), required.Order());
        Assert.Equal("integer", body.GetProperty("properties").GetProperty("amt").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("/cgi-bin/token", "grant_type appid secret", "access_token expires_in errcode errmsg")]
    [InlineData("/sns/jscode2session", "appid secret js_code grant_type", "openid session_key unionid errcode errmsg")]
    public async Task WeChatDocument_AuthCall_HasQueryAndReply(string path, string query, string replyFields)
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/wechat.json");

        var operation = Assert.Single(doc.GetProperty("paths").GetProperty(path).EnumerateObject());
        Assert.Equal("get", operation.Name);
        Assert.Equal(Words(query), operation.Value.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        var reply = Resolve(doc, operation.Value.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(Words(replyFields).Order(), PropertyNames(reply).Order());
    }

    [Fact]
    public async Task AdminDocument_ListsEveryAdminCall_WithSummaryAndTag()
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/admin.json");

        Assert.Equal(AdminPaths.Order(), Paths(doc).Order());
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name}");
                Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("description").GetString()), $"{operation.Name} {path.Name}");
                Assert.NotEqual(0, operation.Value.GetProperty("tags").GetArrayLength());
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _), $"{operation.Name} {path.Name} lacks 401");
            }
        }
    }

    [Fact]
    public async Task AdminCalls_EachRefusesUnknownQueryParameters_AndTakesExactlyTheOnesItDocuments()
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/admin.json");
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/admin", StringComparison.Ordinal) == true).ToList();

        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Single().ToLowerInvariant();
            var accepted = endpoint.Metadata.GetMetadata<AdminEndpoints.AcceptedQuery>();
            Assert.True(accepted is not null, $"{method} {endpoint.RoutePattern.RawText} does not check its query parameters (TakesQuery)");
            var operation = doc.GetProperty("paths").GetProperty(endpoint.RoutePattern.RawText!).GetProperty(method);
            var documented = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)
                : [];
            Assert.Equal(documented.Order(), accepted.Names.Order());
        }
    }

    [Fact]
    public async Task AdminDocument_RegisterApp_HasBodyReplyAndProblem()
    {
        var doc = await Admin.Http.GetFromJsonAsync<JsonElement>("/openapi/admin.json");

        var post = doc.GetProperty("paths").GetProperty("/admin/apps").GetProperty("post");
        var body = Resolve(doc, post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(Words("appid secret offer_id app_key sandbox_app_key zones original_id"), PropertyNames(body));
        Assert.Equal(Words("appid secret offer_id app_key"), body.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
        var created = Resolve(doc, post.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Contains("sandbox_app_key", PropertyNames(created));
        Assert.True(post.GetProperty("responses").GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Fact]
    public async Task ReferencePage_AnswersHtml_NamingBothDocuments()
    {
        using var response = await Admin.Http.GetAsync("/scalar/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/wechat.json", html);
        Assert.Contains("openapi/admin.json", html);
    }

    [Fact]
    public async Task ReferencePage_CloudButtonsOff()
    {
        var html = await Admin.Http.GetStringAsync("/scalar/");

        // Deploy .NET (the dotnet integration), Generate SDK and Share (developer tools), Ask AI (agent), MCP.
        Assert.Contains("\"_integration\":null", html);
        Assert.Contains("\"showDeveloperTools\":\"never\"", html);
        Assert.Contains("\"agent\":{\"disabled\":true}", html);
        Assert.Contains("\"mcp\":{\"disabled\":true}", html);
    }

    [Fact]
    public async Task Docs_RedirectsToTheReferencePage()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = App.BaseAddress };

        using var response = await client.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/scalar/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Docs_WithAdminTokenSet_NeedNoToken()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:AdminToken"] = "s3cret" });
        var client = app.CreateClient();

        foreach (var path in new[] { "/openapi/wechat.json", "/openapi/admin.json", "/scalar/", "/scalar/scalar.js" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
        using var admin = await client.GetAsync("/admin/health");
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task MidasCall_AnyContentType_IsStillReadAsJson(string? contentType)
    {
        // The documented request bodies must not turn into routing rules (a 415 for a Content-Type): docs/wechat-api.md §1.
        var backend = App.CreateGameBackend();
        var (pathAndQuery, body) = await backend.SignPayAsync(MidasDefaults.DocPlayer, "OA-CT-1", 10);
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new(contentType);

        using var response = await Admin.Http.PostAsync(pathAndQuery, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        WireAssert.Ok(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<string> Paths(JsonElement doc) => doc.GetProperty("paths").EnumerateObject().Select(p => p.Name);

    private static IEnumerable<string> PropertyNames(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name);

    // Schemas are shared components: follow "#/components/schemas/Name".
    private static JsonElement Resolve(JsonElement doc, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? doc.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
