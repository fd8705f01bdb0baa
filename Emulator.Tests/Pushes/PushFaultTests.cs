using System.Net;
using System.Net.Http.Json;
using GameBackend.Push;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Pushes;

/// <summary>
/// The push faults no platform gives you, each against two game servers on real sockets: a naive one that hands out on
/// every push, which the fault catches, and the sample receiver, which delivers once by OutTradeNo and survives it.
/// </summary>
public sealed class PushFaultTests : EmulatorTest
{
    private const string Player = "o-player-1";

    public static TheoryData<string> Handlers() => ["naive", "sample"];

    [Theory]
    [MemberData(nameof(Handlers))]
    public async Task DuplicatePush_OnlyTheSampleReceiverDeliversOnce(string handler)
    {
        await using var game = await StartAsync(handler);
        await Admin.AddFaultAsync(Fault.OnPush(MidasPushEvents.GamePayGoodsDeliverNotify).Duplicate());

        await Admin.BuyItemOnPhoneAsync(Player, "sword", 600, outTradeNo: "dup-0001");
        var push = await Admin.WaitForPushAsync(p => p.Attempts.Count == 2 && p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = "dup-0001" });

        Assert.All(push.Attempts, a => Assert.Equal(200, a.HttpStatus));
        Assert.All(push.Attempts, a => Assert.NotNull(a.FaultId));
        Assert.Equal(handler == "sample" ? 1 : 2, game.Deliveries("dup-0001"));
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public async Task DelayedPush_AfterTheGameDeliveredFromItsOwnOrderQuery_OnlyTheSampleReceiverDeliversOnce(string handler)
    {
        await using var game = await StartAsync(handler);
        var rule = await Admin.AddFaultAsync(Fault.OnPush().Delay(TimeSpan.FromMilliseconds(1500)));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Admin.BuyItemOnPhoneAsync(Player, "sword", 600, outTradeNo: "late-0001");
        // The game's other path (WeChat's advice: query the order until the push comes): it sees the order paid and delivers.
        var order = Assert.Single(await Admin.ClientOrdersAsync(outTradeNo: "late-0001"));
        Assert.Equal(2, order.PayState);
        game.DeliverFromOrderQuery("late-0001");
        var push = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = "late-0001" });

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(1500), $"delivered after {started.Elapsed}");
        Assert.Equal(rule.Id, Assert.Single(push.Attempts).FaultId);
        Assert.Equal("order query", game.FirstArrival);
        Assert.Equal(handler == "sample" ? 1 : 2, game.Deliveries("late-0001"));
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public async Task ReorderedPushes_RefundBeforeDelivery_OnlyTheSampleReceiverKeepsTheItemBack(string handler)
    {
        await using var game = await StartAsync(handler);
        await Admin.AddFaultAsync(Fault.OnPush(MidasPushEvents.GamePayGoodsDeliverNotify).Reorder() with { TimesValue = 1 });

        await Admin.BuyItemOnPhoneAsync(Player, "sword", 600, outTradeNo: "reorder-0001");
        await Task.Delay(400); // the delivery push is due and held
        var held = (await Admin.PushesAsync(new() { OutTradeNo = "reorder-0001" })).Single();
        await Admin.RefundOnPlatformAsync("reorder-0001");
        var pushes = await WaitAllDeliveredAsync("reorder-0001", 2);

        Assert.Empty(held.Attempts);
        var goods = pushes.Single(p => p.Event == MidasPushEvents.GamePayGoodsDeliverNotify);
        Assert.NotNull(Assert.Single(goods.Attempts).FaultId);
        Assert.Equal(MidasPushEvents.PayRefundSuccNotify, game.FirstArrival);
        Assert.Equal(handler == "sample" ? 0 : 1, game.ItemsHeld(Player));
    }

    [Fact]
    public async Task HeldPushes_ManyMoreThanCanBeInFlight_DoNotHoldBackTheOthers()
    {
        await using var game = await StartAsync("sample");
        var rule = await Admin.AddFaultAsync(Fault.OnPush().Reorder() with { TimesValue = 80 });
        for (var i = 0; i < 80; i++)
        {
            await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, $"o-held-{i:D2}");
        }
        // Attempts start in parallel, in no set order: the rule must have held all 80 before the free push is made.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await Admin.FaultsAsync()).Single(f => f.Id == rule.Id).Hits < 80)
        {
            Assert.True(DateTime.UtcNow < deadline, "the reorder rule did not hold 80 pushes");
            await Task.Delay(50);
        }

        var free = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-free");
        await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = free.OutTradeNo });

        Assert.Equal(80, (await Admin.PushesAsync(new() { Status = MidasPushStatus.Pending, Limit = 1000 })).Count(p => p.Attempts.Count == 0));
        Assert.Equal("o-free", Assert.Single(game.Sample!.Received).OpenId);
    }

    [Fact]
    public async Task Reset_ForgetsAHeldPush_SoANewReorderRuleHoldsThatPlayersNextPush()
    {
        await using var game = await StartAsync("sample");
        var before = await Admin.AddFaultAsync(Fault.OnPush().Reorder() with { TimesValue = 1 });
        await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Player);
        await WaitForHitsAsync(before.Id);

        // The held push goes with the reset; the player's next push is not the one that releases it.
        await Admin.ResetAsync(reseed: false);
        var after = await Admin.AddFaultAsync(Fault.OnPush().Reorder() with { TimesValue = 1 });
        var held = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Player);
        await WaitForHitsAsync(after.Id);
        var releasing = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Player);
        var delivered = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = held.OutTradeNo });

        Assert.Equal(after.Id, Assert.Single(delivered.Attempts).FaultId);
        Assert.Equal([releasing.OutTradeNo, held.OutTradeNo], game.Sample!.Received.Select(r => r.OutTradeNo));
    }

    private async Task WaitForHitsAsync(string ruleId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await Admin.FaultsAsync()).Single(f => f.Id == ruleId).Hits < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fault rule {ruleId} was never hit");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task FailAttempt_RecordsTheFirstAttemptAsFailedUnsent_AndTheScheduleMovesOn()
    {
        await using var game = await StartAsync("sample");
        var rule = await Admin.AddFaultAsync(Fault.OnPush() with { Action = "fail_attempt", TimesValue = 1 });

        var triggered = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Player);
        var failed = await Admin.WaitForPushAsync(p => p.Attempts.Count == 1, new() { OutTradeNo = triggered.OutTradeNo });
        await Admin.AdvanceClockAsync(TimeSpan.FromSeconds(15));
        var delivered = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = triggered.OutTradeNo });

        Assert.Equal("fault", failed.Attempts[0].Error);
        Assert.Equal(rule.Id, failed.Attempts[0].FaultId);
        Assert.Null(failed.Attempts[0].HttpStatus);
        Assert.Equal(2, delivered.Attempts.Count);
        Assert.Single(game.Sample!.Received);
    }

    [Fact]
    public async Task PushForAPlayerTheGameDoesNotKnow_IsAnsweredAndRecorded()
    {
        await using var game = await StartAsync("sample");

        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-nobody-knows");
        await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = push.OutTradeNo });

        Assert.Equal("o-nobody-knows", Assert.Single(game.Sample!.Received).OpenId);
    }

    [Theory]
    [InlineData("""{"endpoint":"push","action":"errcode"}""", "push rule's action")]
    [InlineData("""{"endpoint":"pay","action":"duplicate"}""", "is for pushes")]
    [InlineData("""{"endpoint":"push:minigame_nothing"}""", "endpoint must be one of")]
    [InlineData("""{"endpoint":"push","action":"reorder","bill_no":"b1"}""", "takes no bill_no")]
    public async Task PushFaultRule_BadInput_Is400(string body, string problem)
    {
        using var http = App.CreateClient();

        using var response = await http.PostAsync("/admin/faults", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Admin.FaultsAsync());
    }

    [Fact]
    public async Task CallRuleOnEverything_DoesNotTouchPushes()
    {
        await using var game = await StartAsync("sample");
        await Admin.AddFaultAsync(Fault.OnAny().Drop());

        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, Player);
        var delivered = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = push.OutTradeNo });

        Assert.Null(Assert.Single(delivered.Attempts).FaultId);
    }

    private async Task<IReadOnlyList<MidasPush>> WaitAllDeliveredAsync(string outTradeNo, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var pushes = await Admin.PushesAsync(new() { OutTradeNo = outTradeNo });
            if (pushes.Length == count && pushes.All(p => p.Status == MidasPushStatus.Delivered))
            {
                return pushes;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not all delivered: {string.Join("; ", pushes.Select(p => p.ToString()))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Starts the game server and points both channels of the default app at it (plain for naive, safe for the sample).</summary>
    private async Task<Game> StartAsync(string handler)
    {
        Game game = handler == "naive" ? new(await GameServers.StartNaiveAsync(), null) : new(null, await GameServers.StartSampleAsync());
        var safe = game.Sample is not null;
        foreach (var channel in new[] { MidasPushChannels.Events, MidasPushChannels.Goods })
        {
            await Admin.SetPushReceiverAsync(MidasDefaults.Appid, channel, game.Url.ToString(), GameServers.Token,
                safe ? GameServers.EncodingAesKey : null, safe);
        }
        return game;
    }

    /// <summary>One of the two game servers, asked the same questions.</summary>
    private sealed class Game(GameServer<NaiveGame>? naive, GameServer<Deliveries>? sample) : IAsyncDisposable
    {
        public Deliveries? Sample => sample?.State;

        public Uri Url => naive?.Url ?? sample!.Url;

        public int Deliveries(string outTradeNo) => naive is not null
            ? naive.State.DeliveriesOf(outTradeNo)
            : sample!.State.All.Count(d => d.OutTradeNo == outTradeNo && d.Kind == GameBackend.Push.Deliveries.Kinds.Item);

        /// <summary>What reached the game first: a push's event, or "order query" for the game's own delivery.</summary>
        public string FirstArrival => naive is not null
            ? naive.State.Arrivals[0]
            : sample!.State.All.Count > 0 && sample.State.All[0].Detail == "from the order query" ? "order query" : sample.State.Received[0].Event;

        public int ItemsHeld(string openid) => naive is not null ? naive.State.ItemsHeld.Count : sample!.State.ItemsHeld(openid).Count;

        public void DeliverFromOrderQuery(string outTradeNo)
        {
            if (naive is not null)
            {
                naive.State.Handle("order query", outTradeNo);
            }
            else
            {
                sample!.State.TryDeliver(GameBackend.Push.Deliveries.Kinds.Item, outTradeNo, Player, "from the order query");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (naive is not null)
            {
                await naive.DisposeAsync();
            }
            if (sample is not null)
            {
                await sample.DisposeAsync();
            }
        }
    }
}
