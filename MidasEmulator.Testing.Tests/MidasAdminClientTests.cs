using System.Net;
using System.Net.Http.Json;

namespace MidasEmulator.Testing.Tests;

/// <summary>Every admin call once, on one emulator per test (the calls change the ledger).</summary>
public sealed class MidasAdminClientTests : IAsyncLifetime
{
    private static readonly MidasPlayer Doc = MidasDefaults.DocPlayer;
    private MidasEmulatorServer _server = null!;

    private MidasAdminClient Admin => _server.Admin;

    public async Task InitializeAsync() => _server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.Small });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Accounts_TopupAndSet_BookedAsOrders()
    {
        Assert.Equal(1500, (await Admin.TopupAsync(Doc.Openid, 500)).Balance);
        var set = await Admin.SetBalanceAsync(Doc.Openid, 40, 10);
        var production = await Admin.TopupAsync(Doc.Openid, 7, MidasEnv.Production);

        Assert.Equal((40, 10), (set.Balance, set.GenBalance));
        Assert.Equal(("production", 7L), (production.Env, production.Balance));
        Assert.Equal(["set", "topup", "set"], (await Admin.OrdersAsync(new() { Openid = Doc.Openid, Env = "sandbox" })).Select(o => o.Kind));
        Assert.Single(await Admin.OrdersAsync(new() { Kind = "topup", Env = "production" }));
        Assert.Equal(6, (await Admin.AllOrdersAsync(pageSize: 2)).Count); // 3 seeded, the topup, the set, the production topup
    }

    [Fact]
    public async Task Sessions_LoginCodeAndEnd_DriveTheGameClient()
    {
        var game = _server.CreateGameClient();
        var code = await Admin.LoginCodeAsync("oNewPlayer0001");
        var player = await game.LoginAsync(code.Code);
        await Admin.TopupAsync(player.Openid, 50);

        Assert.Equal(0, (await game.PayAsync(player, "S-1", 20)).Errcode());
        Assert.True(await Admin.EndSessionAsync(player.Openid));
        Assert.False(await Admin.EndSessionAsync(player.Openid));
        Assert.Equal(90010, (await game.PayAsync(player, "S-2", 20)).Errcode());

        var again = await Admin.LoginAsync(player.Openid, "bmV3IGtleQ==");
        Assert.Equal("bmV3IGtleQ==", again.SessionKey);
        Assert.Equal(0, (await game.PayAsync(again, "S-2", 20)).Errcode());
    }

    [Fact]
    public async Task Faults_FluentRule_FiresOnceAfterCommit()
    {
        var game = _server.CreateGameClient();
        var rule = await Admin.AddFaultAsync(Fault.OnPay().AfterCommit().Errcode(-1).Times(1).ForOpenid(Doc.Openid));

        Assert.Equal(("pay", "errcode", true, 1), (rule.Endpoint, rule.Action, rule.AfterCommit, rule.Times));
        Assert.Equal(-1, (await game.PayAsync(Doc, "F-1", 30)).Errcode());
        Assert.Equal(90012, (await game.PayAsync(Doc, "F-1", 30)).Errcode());
        Assert.Equal(970, (await Admin.AccountAsync(Doc.Openid)).Balance);
        var listed = Assert.Single(await Admin.FaultsAsync());
        Assert.Equal((1, false), (listed.Hits, listed.Active));
        var journal = await Admin.RequestsAsync(new() { BillNo = "F-1" });
        Assert.Equal([90012, -1], journal.Select(e => e.Errcode));
        Assert.Equal(rule.Id, journal[1].FaultId);

        Assert.True(await Admin.DeleteFaultAsync(rule.Id));
        Assert.False(await Admin.DeleteFaultAsync(rule.Id));
        await Admin.AddFaultAsync(Fault.OnGetBalance().HttpStatus(503).Probability(0.5, seed: 1).SkipFirst(2).WithDelay(TimeSpan.FromMilliseconds(1)));
        await Admin.AddFaultAsync(Fault.OnAny().Drop().ForBillNo("nothing"));
        await Admin.AddFaultAsync(Fault.On("present").Delay(TimeSpan.FromMilliseconds(5)));
        Assert.Equal(3, (await Admin.FaultsAsync()).Length);
        await Admin.ClearFaultsAsync();
        Assert.Empty(await Admin.FaultsAsync());
    }

    [Fact]
    public async Task AddFaultAsync_BadRule_ThrowsWithTheProblem()
    {
        var refused = await Assert.ThrowsAsync<MidasAdminException>(() => Admin.AddFaultAsync(Fault.OnPay().HttpStatus(200)));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("http_status", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clock_AdvanceSetAndReal_Move()
    {
        var before = await Admin.ClockAsync();
        var advanced = await Admin.AdvanceClockAsync(TimeSpan.FromHours(2));
        var set = await Admin.SetClockAsync(new DateTimeOffset(2031, 5, 6, 0, 0, 0, TimeSpan.Zero));
        var real = await Admin.RealClockAsync();

        Assert.True(before.Real);
        Assert.InRange(advanced.OffsetS, 7199, 7201);
        Assert.Equal(2031, set.Now.Year);
        Assert.True(real.Real);
    }

    [Fact]
    public async Task Apps_AddAndReset_KeepTheApp()
    {
        await Admin.TopupAsync(Doc.Openid, 1);
        await Admin.AddAppAsync(new MidasAppInfo("wxSecondApp01", "s3cret", "87654321", "a-production-key", "a-sandbox-key"));

        var reset = await Admin.ResetAsync();

        Assert.Equal(2, (await Admin.AppsAsync()).Length);
        Assert.Equal(3, reset.SeededUsers);
        Assert.Equal(1000, (await new MidasAdminClient(_server.CreateClient(), appid: MidasDefaults.Appid).AccountAsync(Doc.Openid)).Balance);
    }

    [Fact]
    public async Task AssertBooksBalancedAsync_CleanLedger_AnswersTheReport()
    {
        var report = await Admin.AssertBooksBalancedAsync();

        Assert.True(report.Ok);
        Assert.Equal(3, report.Accounts);
    }

    [Fact]
    public void BooksUnbalanced_Violations_SpelledOutInTheMessage()
    {
        var report = new MidasInvariants(false, 1, 2, 2,
        [
            new("ledger_sum", "balance 90 but the orders add up to 100", "sandbox/12345678/1/oA", null, null),
            new("bill_no_twice", "applied twice", null, "B-1", 7),
        ]);

        var message = new MidasBooksUnbalancedException(report).Message;

        Assert.Contains("2 violation(s)", message, StringComparison.Ordinal);
        Assert.Contains("ledger_sum: balance 90 but the orders add up to 100 (account sandbox/12345678/1/oA)", message, StringComparison.Ordinal);
        Assert.Contains("bill_no_twice: applied twice (bill_no B-1) (order 7)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_UntypedCall_StillReachable()
    {
        var health = await Admin.Http.GetFromJsonAsync<MidasHealth>("/admin/health", MidasAdminClient.Json);

        Assert.Equal("ok", health!.Status);
    }

    [Fact]
    public async Task Pushes_TriggerWithoutReceiver_WaitsAsNoReceiver_RetryAndCancel()
    {
        var triggered = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Doc.Openid,
            new Dictionary<string, object?> { ["OutTradeNo"] = "client-push-1" });
        var waiting = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.NoReceiver, new() { OutTradeNo = "client-push-1" });
        var cancelled = await Admin.CancelPushAsync(triggered.Id);
        // A cancelled push can be retried; with still no configuration it goes back to waiting, and a retry of a
        // waiting push with nowhere to go is refused, naming the call that would send it.
        var retried = await Admin.RetryPushAsync(triggered.Id);
        await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.NoReceiver, new() { OutTradeNo = "client-push-1" });
        var nowhere = await Assert.ThrowsAsync<MidasAdminException>(() => Admin.RetryPushAsync(triggered.Id));

        Assert.Equal((MidasPushChannels.Events, "client-push-1"), (triggered.Channel, triggered.OutTradeNo));
        Assert.Empty(waiting.Attempts);
        Assert.Equal(MidasPushStatus.Cancelled, cancelled.Status);
        Assert.Contains(retried.Status, new[] { MidasPushStatus.Pending, MidasPushStatus.NoReceiver });
        Assert.Equal(HttpStatusCode.Conflict, nowhere.Status);
        Assert.Contains("PUT /admin/apps/", nowhere.Message, StringComparison.Ordinal);
        Assert.Equal((null, null), ((await Admin.PushReceiversAsync(MidasDefaults.Appid)).Events, (await Admin.PushReceiversAsync(MidasDefaults.Appid)).Goods));
    }

    [Fact]
    public async Task Pushes_ReceiverThatDoesNotAnswer_Is422_AndWaitForPushTimesOutNamingWhatItSaw()
    {
        var refused = await Assert.ThrowsAsync<MidasAdminException>(() =>
            Admin.SetPushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Goods, "http://127.0.0.1:9/wechat/push", "token42"));
        var saved = await Admin.SetPushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Goods, "http://127.0.0.1:9/wechat/push", "token42", verify: false);
        await Admin.TriggerPushAsync(MidasPushEvents.GamePayGoodsDeliverNotify, Doc.Openid);
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, timeout: TimeSpan.FromSeconds(1)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("plain", saved.Mode);
        Assert.Contains(MidasPushEvents.GamePayGoodsDeliverNotify, timeout.Message, StringComparison.Ordinal);
        Assert.True(await Admin.DeletePushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Goods));
    }
}
