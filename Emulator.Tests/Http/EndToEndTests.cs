using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>The README's flow over a real loopback socket on a real LiteDB file, as a game backend runs it.</summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task FullFlow_TokenLoginTopupPayRetryCancelBalance_OverRealSocket()
    {
        using var app = KestrelEmulatorApp.Start(new Dictionary<string, string?> { ["Midas:Database"] = Path.Combine(_dir, "midas.db") });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var backend = new MidasGameClient(http, clock: app.Clock);
        const string openid = "oE2EPlayer000000000000000001";

        // wx.login on the game client gives a code; the backend exchanges it for the session.
        using var codeResponse = await http.PostAsJsonAsync("/admin/login-codes", new { openid });
        var code = (await codeResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
        var session = await http.GetFromJsonAsync<JsonElement>(
            $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}&grant_type=authorization_code");
        var player = new MidasPlayer(openid, session.GetProperty("session_key").GetString()!);

        await http.AsAdmin().TopupAsync(openid, 500);
        var pay = await backend.PayAsync(player, "E2E-0001", 120);
        var retry = await backend.PayAsync(player, "E2E-0001", 120);
        var overspend = await backend.PayAsync(player, "E2E-0002", 381);
        var cancel = await backend.CancelPayAsync(player, "E2E-0001");
        var present = await backend.PresentAsync(player, "E2E-G-01", 30);
        var balance = await backend.GetBalanceAsync(player);

        WireAssert.Ok(pay);
        Assert.Equal(380, pay.Number("balance"));
        WireAssert.Code(90012, retry);
        WireAssert.Code(90013, overspend);
        WireAssert.Ok(cancel);
        Assert.Equal(530, present.Number("balance"));
        Assert.Equal((530, 30, 0, 500, 530, 0, 30), (balance.Number("balance"), balance.Number("gen_balance"), balance.Number("first_save"),
            balance.Number("save_amt"), balance.Number("save_sum"), balance.Number("cost_sum"), balance.Number("present_sum")));
        var orders = await http.AsAdmin().OrdersAsync($"openid={openid}");
        Assert.Equal(["topup", "pay", "cancel", "present"], orders.Select(o => o.Kind));
    }
}
