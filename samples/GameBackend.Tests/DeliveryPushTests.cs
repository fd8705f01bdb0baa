using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MidasEmulator.Testing;

namespace GameBackend.Tests;

/// <summary>
/// The backend's push handler (WeChatPush.cs) against the emulator as WeChat: the backend listens on a real port, the
/// emulator is told its URL (and checks it), and every push the emulator sends, repeats included, hands out once.
/// </summary>
public sealed class DeliveryPushTests(MidasEmulatorFixture midas) : IClassFixture<MidasEmulatorFixture>, IDisposable
{
    private const string Token = "sampleToken1";
    private const string EncodingAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private readonly WebApplicationFactory<Program> _backend = StartBackend();

    [Fact]
    public async Task ItemBoughtOnThePhone_SafeModePushSentTwice_IsDeliveredOnce()
    {
        var admin = midas.Admin;
        await admin.SetPushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Goods, PushUrl, Token, EncodingAesKey, safeMode: true);
        await admin.AddFaultAsync(Fault.OnPush(MidasPushEvents.GamePayGoodsDeliverNotify).Duplicate() with { TimesValue = 1, Openid = "o-sample-push" });

        await admin.BuyItemOnPhoneAsync("o-sample-push", "sword", 600, outTradeNo: "sample-push-1");
        var push = await admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered && p.Attempts.Count == 2,
            new() { OutTradeNo = "sample-push-1" });

        Assert.All(push.Attempts, a => Assert.Equal(200, a.HttpStatus));
        using var backend = _backend.CreateClient();
        var held = await backend.GetFromJsonAsync<JsonElement[]>("/deliveries/o-sample-push");
        Assert.Equal("sample-push-1", Assert.Single(held!).GetProperty("out_trade_no").GetString());
        Assert.Equal(2, Assert.Single(await admin.ClientOrdersAsync(outTradeNo: "sample-push-1")).DeliverState);
    }

    private string PushUrl => new Uri(_backend.ClientOptions.BaseAddress, "/wechat/push").ToString();

    // On Kestrel, not the in-memory test server: the emulator has to reach it over HTTP, as WeChat would.
    private static WebApplicationFactory<Program> StartBackend()
    {
        var backend = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("WeChat:Push:Token", Token)
            .UseSetting("WeChat:Push:EncodingAesKey", EncodingAesKey)
            .UseSetting("WeChat:Push:Appid", MidasDefaults.Appid)
            .UseSetting("WeChat:Push:AppKey", MidasDefaults.ProductionKey)
            .UseSetting("WeChat:Push:SandboxAppKey", MidasDefaults.SandboxKey));
        backend.UseKestrel(0);
        backend.StartServer();
        return backend;
    }

    public void Dispose() => _backend.Dispose();
}
