using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MidasEmulator.Testing;

namespace GameBackend.Tests;

/// <summary>
/// The backend's "buy item" against the Midas emulator: the same tests run on the in-process emulator
/// (<see cref="InProcessBuyItemTests"/>) and on the Docker image (<see cref="ContainerBuyItemTests"/>).
/// Each test logs in a player of its own, so the tests of a class share one emulator without meeting.
/// </summary>
public abstract class BuyItemTests : IDisposable
{
    private readonly WebApplicationFactory<Program> _backend;

    protected BuyItemTests(Uri midas, MidasAdminClient admin)
    {
        Admin = admin;
        // The backend under test, pointed at the emulator instead of api.weixin.qq.com.
        _backend = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("WeChat:BaseUrl", midas.ToString())
            .UseSetting("WeChat:Appid", MidasDefaults.Appid)
            .UseSetting("WeChat:Secret", MidasDefaults.Secret)
            .UseSetting("WeChat:OfferId", MidasDefaults.OfferId)
            .UseSetting("WeChat:AppKey", MidasDefaults.SandboxKey));
        Backend = _backend.CreateClient();
    }

    protected MidasAdminClient Admin { get; }

    protected HttpClient Backend { get; }

    [SkippableFact]
    public async Task Buy_HappyPath_GrantsTheItemAndCharges()
    {
        var openid = await NewPlayerAsync(coins: 500);

        var bought = await BuyAsync(openid, "sword", "order-1");

        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        Assert.Equal(400, (await Admin.AccountAsync(openid)).Balance);
        Assert.Equal(["sword"], await InventoryAsync(openid));
        await Admin.AssertBooksBalancedAsync();
    }

    [SkippableFact]
    public async Task Buy_MinusOneAfterCommit_RetryAnswers90012_GrantedAndChargedOnce()
    {
        var openid = await NewPlayerAsync(coins: 500);
        // The pay goes through, but the backend is told -1 "system busy": it must retry the same bill_no.
        await Admin.AddFaultAsync(Fault.OnPay().ForOpenid(openid).AfterCommit().Errcode(-1).Times(1));

        var bought = await BuyAsync(openid, "sword", "order-2");

        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        Assert.Equal(2, (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("attempts").GetInt32());
        var journal = await Admin.RequestsAsync(new() { BillNo = "buy-order-2" });
        Assert.Equal([90012, -1], journal.Select(e => e.Errcode)); // newest first: the retry saw 90012
        Assert.Equal(400, (await Admin.AccountAsync(openid)).Balance);
        Assert.Single(await Admin.OrdersAsync(new() { BillNo = "buy-order-2", Kind = "pay" }));
        Assert.Equal(["sword"], await InventoryAsync(openid));
        await Admin.AssertBooksBalancedAsync();
    }

    [SkippableFact]
    public async Task Buy_ConnectionDroppedAfterCommit_RetriedAndChargedOnce()
    {
        var openid = await NewPlayerAsync(coins: 500);
        await Admin.AddFaultAsync(Fault.OnPay().ForOpenid(openid).AfterCommit().Drop().Times(1));

        var bought = await BuyAsync(openid, "shield", "order-3");

        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        var journal = await Admin.RequestsAsync(new() { BillNo = "buy-order-3" });
        Assert.True(journal[^1].Dropped);
        Assert.Equal(440, (await Admin.AccountAsync(openid)).Balance);
        Assert.Equal(["shield"], await InventoryAsync(openid));
        await Admin.AssertBooksBalancedAsync();
    }

    [SkippableFact]
    public async Task Buy_SessionRevoked_AsksForLogin_AndBuysAfterReLogin()
    {
        var openid = await NewPlayerAsync(coins: 500);
        await Admin.EndSessionAsync(openid); // the next Midas call answers 90010

        var refused = await BuyAsync(openid, "sword", "order-4");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(500, (await Admin.AccountAsync(openid)).Balance);

        await LoginAsync(openid); // the game client logs in again (wx.login → /login)
        var bought = await BuyAsync(openid, "sword", "order-4");

        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        Assert.Equal(400, (await Admin.AccountAsync(openid)).Balance);
        Assert.Equal(["sword"], await InventoryAsync(openid));
        await Admin.AssertBooksBalancedAsync();
    }

    public void Dispose()
    {
        Backend.Dispose();
        _backend.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new player: logged in through the backend (a login code, as wx.login gives one), with coins bought.</summary>
    private async Task<string> NewPlayerAsync(long coins)
    {
        var openid = $"oSample{Guid.NewGuid():N}"[..28];
        await LoginAsync(openid);
        await Admin.TopupAsync(openid, coins);
        return openid;
    }

    private async Task LoginAsync(string openid)
    {
        var code = await Admin.LoginCodeAsync(openid);
        using var response = await Backend.PostAsJsonAsync("/login", new { code = code.Code });
        response.EnsureSuccessStatusCode();
    }

    private Task<HttpResponseMessage> BuyAsync(string openid, string item, string orderId) =>
        Backend.PostAsJsonAsync("/buy", new { openid, item, orderId });

    private async Task<string[]> InventoryAsync(string openid) => (await Backend.GetFromJsonAsync<string[]>($"/inventory/{openid}"))!;
}

/// <summary>On the in-process emulator: one per test class, started by the library's fixture.</summary>
public sealed class InProcessBuyItemTests(MidasEmulatorFixture midas) : BuyItemTests(midas.BaseAddress, midas.Admin), IClassFixture<MidasEmulatorFixture>;
