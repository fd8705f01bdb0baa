namespace MidasEmulator.Testing.Tests;

/// <summary>The 2.0 client and the client-side order calls, end to end on one emulator per test.</summary>
public sealed class MidasGamePayClientTests : IAsyncLifetime
{
    private static readonly MidasPlayer Doc = MidasDefaults.DocPlayer;
    private MidasEmulatorServer _server = null!;

    public async Task InitializeAsync() => _server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.Small });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PayRefundAndBalance_OnTheSameLedgerAs10()
    {
        var game = _server.CreateGamePayClient();

        Assert.Equal(0, (await game.PayAsync(Doc, "GP-1", 300)).Errcode());
        Assert.Equal(0, (await game.RefundAsync(Doc, "GP-1-R", "GP-1", 100)).Errcode());
        var balance = await game.GetBalanceAsync(Doc);

        Assert.Equal(800, balance.Number("balance"));
        Assert.Equal(800, (await _server.CreateGameClient().GetBalanceAsync(Doc)).Number("balance"));
        var pay = Assert.Single(await _server.Admin.OrdersAsync(new() { BillNo = "GP-1" }));
        Assert.Equal(100, pay.RefundedAmt);
        Assert.Equal("GP-1", Assert.Single(await _server.Admin.OrdersAsync(new() { Kind = "refund" })).PayBillNo);
        await _server.Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task PhoneOrders_AreWhatQueryOrderInfoFinds()
    {
        var game = _server.CreateGamePayClient();

        var coins = await _server.Admin.BuyCoinsOnPhoneAsync(Doc.Openid, 60, "PH-1");
        var item = await _server.Admin.BuyItemOnPhoneAsync(Doc.Openid, "sword", 600, "PH-2", attach: "slot=1");

        Assert.Equal((2, 2), (coins.PayState, coins.DeliverState));
        Assert.Equal((2, 1), (item.PayState, item.DeliverState));
        Assert.Equal(2, (await game.QueryOrderAsync(Doc, "PH-1", 1)).Number("deliver_state"));
        Assert.Equal("sword", (await game.QueryOrderAsync(Doc, "PH-2", 2)).GetProperty("product_id").GetString());
        Assert.Equal(90019, (await game.QueryOrderAsync(Doc, "PH-3", 1)).Errcode());
        var refunded = await _server.Admin.RefundOnPlatformAsync("PH-1");
        Assert.Equal(600, refunded.RefundedAmount);
        Assert.Equal(2, (await _server.Admin.ClientOrdersAsync(Doc.Openid)).Length);
        await _server.Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task CheckSession_AndFaultOnGamePay()
    {
        var game = _server.CreateGamePayClient();
        await _server.Admin.AddFaultAsync(Fault.OnGamePay().AfterCommit().Errcode(-1).Times(1));

        Assert.Equal(0, (await game.CheckSessionAsync(Doc)).Errcode());
        Assert.Equal(-1, (await game.PayAsync(Doc, "GP-2", 10)).Errcode());
        Assert.Equal(90012, (await game.PayAsync(Doc, "GP-2", 10)).Errcode());
    }
}
