using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MidasEmulator.Storage;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>When a change cannot be saved the caller is told so: -1 on the WeChat surface, 503 on /admin, never a 500.</summary>
public sealed class NotCommittedTests : IDisposable
{
    private readonly EmulatorApp _app = new();

    public void Dispose() => _app.Dispose();

    private async Task<HttpClient> StopWriterAsync()
    {
        var client = _app.CreateClient();
        // A stopped writer refuses every write, as a failed disk does.
        await _app.Services.GetRequiredService<LedgerWriter>().StopAsync();
        return client;
    }

    [Fact]
    public async Task Token_WhenItCannotBeSaved_AnswersMinusOne()
    {
        var client = await StopWriterAsync();

        var reply = await client.GetFromJsonAsync<JsonElement>($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}");

        WireAssert.Code(-1, reply);
    }

    [Fact]
    public async Task JsCode2Session_WhenTheSessionCannotBeSaved_AnswersMinusOneAndKeepsTheCode()
    {
        var client = _app.CreateClient();
        using var codeResponse = await client.PostAsJsonAsync("/admin/login-codes", new { openid = "oCodeKept0000000000000000001" });
        var code = (await codeResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
        await StopWriterAsync();

        var reply = await client.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}&grant_type=authorization_code");
        var again = await client.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}&grant_type=authorization_code");

        WireAssert.Code(-1, reply);
        WireAssert.Code(-1, again);
    }

    [Fact]
    public async Task Pay_WhenItCannotBeSaved_AnswersMinusOneAndChangesNothing()
    {
        var backend = _app.CreateGameBackend();
        await backend.AccessTokenAsync();
        await StopWriterAsync();

        WireAssert.Code(-1, await backend.PayAsync(MidasDefaults.DocPlayer, "NC-1", 10));
        Assert.Equal(1000, (await _app.CreateClient().AsAdmin().AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
    }

    [Theory]
    [InlineData("/admin/sessions", "{\"openid\":\"oAdminSession000000000000001\"}")]
    [InlineData("/admin/apps", "{\"appid\":\"wxnew\",\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"}")]
    [InlineData("/admin/accounts/oAdminSession000000000000001/topup", "{\"amount\":5}")]
    [InlineData("/admin/reset", "{}")]
    public async Task AdminWrite_WhenItCannotBeSaved_Answers503(string path, string body)
    {
        var client = await StopWriterAsync();

        using var response = await client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
