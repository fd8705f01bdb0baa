using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GameBackend.Push;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Pushes;

/// <summary>
/// The emulator as the sender of WeChat's payment pushes, end to end: a game server on a real loopback socket receives
/// them, verifies and answers; the emulator retries on its clock and shows every attempt in GET /admin/pushes.
/// </summary>
public sealed class PushDeliveryTests : EmulatorTest
{
    private const string Appid = MidasDefaults.Appid;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    // 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h: the event pushes' schedule, written out here, not read from the code.
    private static readonly int[] EventRetryWaitsInSeconds = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800];

    public static TheoryData<string, bool> EveryEventInBothModes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var eventName in MidasPushEvents.All)
        {
            data.Add(eventName, false);
            data.Add(eventName, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryEventInBothModes))]
    public async Task TriggeredPush_EveryEventInBothModes_IsVerifiedAndDeliveredOnce(string eventName, bool safe)
    {
        await using var game = await GameServers.StartSampleAsync();
        await ReceiveAsync(game.Url, safe, ChannelOf(eventName));

        var push = await Admin.TriggerPushAsync(eventName, "o-player-1");
        var settled = await DeliveredAsync(push.Id);

        var attempt = Assert.Single(settled.Attempts);
        Assert.Equal(200, attempt.HttpStatus);
        Assert.Null(attempt.Error);
        var received = Assert.Single(game.State.Received);
        Assert.Equal(eventName, received.Event);
        Assert.Equal(safe, received.Encrypted);
        Assert.Equal(push.OutTradeNo, received.OutTradeNo);
        Assert.Equal(push.Payload, received.Payload);
        Assert.Empty(game.State.Rejected);
        Assert.Single(game.State.All, d => d.OutTradeNo == push.OutTradeNo);
    }

    [Fact]
    public async Task CoinOrderOnThePhone_CreditsThenPushesCoinDelivered()
    {
        await using var game = await GameServers.StartSampleAsync();
        await ReceiveAsync(game.Url, safe: true, MidasPushChannels.Events);

        var before = (await Admin.AccountAsync("o-player-1")).Balance;
        var order = await Admin.BuyCoinsOnPhoneAsync("o-player-1", 60, outTradeNo: "coins-0001");
        var push = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = "coins-0001" });

        Assert.Equal(MidasPushEvents.CoinDeliverCompleted, push.Event);
        var payload = JsonNode.Parse(push.Payload)!;
        Assert.Equal(60, payload["CoinInfo"]!["BuyQuantity"]!.GetValue<long>());
        Assert.Equal(1, payload["Env"]!.GetValue<int>());
        Assert.Equal(order.MchOrderNo, payload["WeChatPayInfo"]!["MchOrderNo"]!.GetValue<string>());
        Assert.Equal(before + 60, (await Admin.AccountAsync("o-player-1")).Balance);
        Assert.Single(game.State.All, d => d.Kind == Deliveries.Kinds.Coin && d.OutTradeNo == "coins-0001");
    }

    [Fact]
    public async Task ItemOrder_AnsweredWithSuccess_TurnsDeliverStateTo2()
    {
        await using var game = await GameServers.StartScriptedAsync(n => n == 1 ? new Answer(200, """{"ErrCode":99999,"ErrMsg":"internal error"}""") : Answer.Success);
        await ReceiveAsync(game.Url, safe: false, MidasPushChannels.Goods);

        await Admin.BuyItemOnPhoneAsync("o-player-1", "sword", 600, outTradeNo: "item-0001", attach: "slot=3");
        var failedOnce = await AttemptsAsync("item-0001", 1);
        var stillUndelivered = Assert.Single(await Admin.ClientOrdersAsync(outTradeNo: "item-0001"));
        await Admin.AdvanceClockAsync(Wait);
        var delivered = await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = "item-0001" });

        Assert.Equal("bad_reply", failedOnce.Attempts[0].Error);
        Assert.Equal(1, stillUndelivered.DeliverState);
        Assert.Equal(2, Assert.Single(await Admin.ClientOrdersAsync(outTradeNo: "item-0001")).DeliverState);
        var goods = JsonNode.Parse(delivered.Payload)!["GoodsInfo"]!;
        Assert.Equal("sword", goods["ProductId"]!.GetValue<string>());
        Assert.Equal("slot=3", goods["Attach"]!.GetValue<string>());
        Assert.Equal(1, goods["OrderSource"]!.GetValue<int>());
        var envelope = JsonNode.Parse(game.State.Received[^1].Body)!;
        Assert.Equal("gh_1234567", envelope["ToUserName"]!.GetValue<string>());
        Assert.Equal(MidasPushEvents.GamePayGoodsDeliverNotify, envelope["Event"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlatformRefund_PushesRefundSucceededWithTheAmount()
    {
        await using var game = await GameServers.StartSampleAsync();
        await ReceiveAsync(game.Url, safe: true, MidasPushChannels.Goods);
        await ReceiveAsync(game.Url, safe: true, MidasPushChannels.Events);
        await Admin.BuyItemOnPhoneAsync("o-player-1", "shield", 900, outTradeNo: "item-0002");
        await Admin.WaitForPushAsync(p => p.Status == MidasPushStatus.Delivered, new() { OutTradeNo = "item-0002" });

        await Admin.RefundOnPlatformAsync("item-0002", 300);
        var refund = await Admin.WaitForPushAsync(p => p.Event == MidasPushEvents.PayRefundSuccNotify && p.Status == MidasPushStatus.Delivered,
            new() { OutTradeNo = "item-0002" });

        var payload = JsonNode.Parse(refund.Payload)!;
        Assert.Equal(300, payload["RefundAmount"]!.GetValue<long>());
        Assert.Equal(1, payload["RefundSource"]!.GetValue<int>());
        Assert.Single(game.State.All, d => d.Kind == Deliveries.Kinds.Refund && d.OutTradeNo == "item-0002");
    }

    public static TheoryData<string> FailingAnswers() => ["wrong answer", "HTTP 500", "hang past 3 s", "errcode lower-case"];

    [Theory]
    [MemberData(nameof(FailingAnswers))]
    public async Task FailedAttempt_IsRetriedAfter15SecondsOfEmulatorTime(string failure)
    {
        var first = failure switch
        {
            "wrong answer" => new Answer(200, """{"ErrCode":1,"ErrMsg":"not yet"}"""),
            "HTTP 500" => new Answer(500, WeChatPushEndpoints.SuccessAnswer),
            "hang past 3 s" => new Answer(200, WeChatPushEndpoints.SuccessAnswer, TimeSpan.FromSeconds(4)),
            _ => new Answer(200, """{"errcode":0,"errmsg":"ok"}"""),
        };
        await using var game = await GameServers.StartScriptedAsync(n => n == 1 ? first : Answer.Success);
        await ReceiveAsync(game.Url, safe: false, MidasPushChannels.Events);

        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-player-1");
        var afterFirst = await AttemptsAsync(push.OutTradeNo!, 1);
        await Task.Delay(500);
        var beforeTheWait = (await Admin.PushesAsync(new() { OutTradeNo = push.OutTradeNo })).Single();
        await Admin.AdvanceClockAsync(Wait);
        var settled = await DeliveredAsync(push.Id);

        var attempt = afterFirst.Attempts[0];
        Assert.Equal(failure == "hang past 3 s" ? "timeout" : "bad_reply", attempt.Error);
        Assert.Equal(attempt.At + Wait, afterFirst.NextAttemptAt);
        Assert.Single(beforeTheWait.Attempts);
        Assert.Equal(2, settled.Attempts.Count);
        Assert.Equal(attempt.At + Wait, settled.Attempts[1].At);
        if (failure == "hang past 3 s")
        {
            Assert.InRange(attempt.DurationMs, 2900, 3900);
        }
        if (failure == "HTTP 500")
        {
            Assert.Equal(500, attempt.HttpStatus);
        }
    }

    [Fact]
    public async Task SafeModePush_CarriesBothQuerySignatures_AndAnEncryptedEnvelope()
    {
        await using var game = await GameServers.StartScriptedAsync(_ => Answer.Success);
        await ReceiveAsync(game.Url, safe: true, MidasPushChannels.Goods);

        var push = await Admin.TriggerPushAsync(MidasPushEvents.GamePayGoodsDeliverNotify, "o-player-1");
        await DeliveredAsync(push.Id);

        var (query, body) = Assert.Single(game.State.Received);
        var q = System.Web.HttpUtility.ParseQueryString(query);
        var encrypt = JsonNode.Parse(body)!["Encrypt"]!.GetValue<string>();
        Assert.Equal("aes", q["encrypt_type"]);
        Assert.Equal(WeChatPushCrypto.UrlSignature(GameServers.Token, q["timestamp"]!, q["nonce"]!), q["signature"]);
        Assert.Equal(WeChatPushCrypto.MsgSignature(GameServers.Token, q["timestamp"]!, q["nonce"]!, encrypt), q["msg_signature"]);
        var envelope = JsonNode.Parse(WeChatPushCrypto.Decrypt(GameServers.EncodingAesKey, encrypt, out var appid))!;
        Assert.Equal(Appid, appid);
        Assert.Equal(push.Payload, envelope["MiniGame"]!["Payload"]!.GetValue<string>());
        Assert.Equal(WeChatPushCrypto.PayEventSig(MidasDefaults.SandboxKey, push.Event, push.Payload), envelope["MiniGame"]!["PayEventSig"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(body)!["ToUserName"]!.GetValue<string>(), envelope["ToUserName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"ErrCode":0,"ErrMsg":"Success"}""", "application/json; charset=bogus")]
    [InlineData("""{"ErrCode":1,"ErrCode":1}""", "application/json")]
    [InlineData("not json at all", "text/plain")]
    public async Task OddAnswer_IsRecordedOnceAsAnAttempt_NotSentAgainOutsideTheSchedule(string reply, string contentType)
    {
        await using var game = await GameServers.StartScriptedAsync(_ => new Answer(200, reply, ContentType: contentType));
        await ReceiveAsync(game.Url, safe: false, MidasPushChannels.Events);

        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-player-1");
        var recorded = await Admin.WaitForPushAsync(p => p.Attempts.Count >= 1, new() { OutTradeNo = push.OutTradeNo }, TimeSpan.FromSeconds(15));
        await Task.Delay(1000);

        Assert.Single(game.State.Received);
        var attempt = Assert.Single((await Admin.PushesAsync(new() { OutTradeNo = push.OutTradeNo })).Single().Attempts);
        var charsetOnly = contentType.Contains("bogus", StringComparison.Ordinal);
        Assert.Equal(charsetOnly ? MidasPushStatus.Delivered : MidasPushStatus.Pending, recorded.Status);
        Assert.Equal(charsetOnly ? null : "bad_reply", attempt.Error);
    }

    [Fact]
    public async Task ClosedPort_IsRetriedOnTheWholeScheduleThenFails()
    {
        await ReceiveAsync(ClosedPortUrl(), safe: false, MidasPushChannels.Events, verify: false);

        var push = await Admin.TriggerPushAsync(MidasPushEvents.PayRefundSuccNotify, "o-player-1");
        var waits = EventRetryWaitsInSeconds.Select(s => TimeSpan.FromSeconds(s)).ToList();
        var latest = await AttemptsAsync(push.OutTradeNo!, 1);
        foreach (var (wait, i) in waits.Select((w, i) => (w, i)))
        {
            Assert.Equal(latest.Attempts[^1].At + wait, latest.NextAttemptAt);
            await Admin.AdvanceClockAsync(wait);
            latest = await AttemptsAsync(push.OutTradeNo!, i + 2);
        }

        Assert.Equal(MidasPushStatus.Failed, latest.Status);
        Assert.Equal(14, latest.Attempts.Count);
        Assert.All(latest.Attempts, a => Assert.Equal("refused", a.Error));
        Assert.Null(latest.NextAttemptAt);
        await Admin.AdvanceClockAsync(TimeSpan.FromDays(1));
        await Task.Delay(500);
        Assert.Equal(14, (await Admin.PushesAsync(new() { OutTradeNo = push.OutTradeNo })).Single().Attempts.Count);
    }

    [Fact]
    public async Task Delivered_IsNeverSentAgain_AndCannotBeRetried()
    {
        await using var game = await GameServers.StartSampleAsync();
        await ReceiveAsync(game.Url, safe: false, MidasPushChannels.Events);
        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-player-1");
        await DeliveredAsync(push.Id);

        await Admin.AdvanceClockAsync(TimeSpan.FromDays(2));
        await Task.Delay(500);
        var retry = await Assert.ThrowsAsync<MidasAdminException>(() => Admin.RetryPushAsync(push.Id));

        Assert.Equal(HttpStatusCode.Conflict, retry.Status);
        Assert.Single(game.State.Received);
    }

    [Fact]
    public async Task NoReceiver_PushWaits_ThenIsSentWhenAConfigurationIsSaved()
    {
        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-player-1");
        var waiting = await Admin.WaitForPushAsync(p => p.Id == push.Id && p.Status == MidasPushStatus.NoReceiver);
        await using var game = await GameServers.StartSampleAsync();

        await ReceiveAsync(game.Url, safe: true, MidasPushChannels.Events);
        await DeliveredAsync(push.Id);

        Assert.Empty(waiting.Attempts);
        Assert.Single(game.State.Received);
    }

    [Fact]
    public async Task Cancel_StopsTheRetries_RetrySendsNow()
    {
        await using var game = await GameServers.StartScriptedAsync(n => n == 1 ? new Answer(503, "busy") : Answer.Success);
        await ReceiveAsync(game.Url, safe: false, MidasPushChannels.Events);
        var push = await Admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-player-1");
        await AttemptsAsync(push.OutTradeNo!, 1);

        var cancelled = await Admin.CancelPushAsync(push.Id);
        await Admin.AdvanceClockAsync(TimeSpan.FromMinutes(5));
        await Task.Delay(500);
        var stillCancelled = (await Admin.PushesAsync(new() { OutTradeNo = push.OutTradeNo })).Single();
        await Admin.RetryPushAsync(push.Id);
        var delivered = await DeliveredAsync(push.Id);

        Assert.Equal(MidasPushStatus.Cancelled, cancelled.Status);
        Assert.Single(stillCancelled.Attempts);
        Assert.Equal(2, delivered.Attempts.Count);
    }

    [Fact]
    public async Task SaveReceiver_UrlThatDoesNotEcho_Is422AndNothingIsSaved()
    {
        await using var game = await GameServers.StartScriptedAsync(_ => Answer.Success);
        using var http = App.CreateClient();

        using var wrongEcho = await http.PutAsJsonAsync($"/admin/apps/{Appid}/push/goods",
            new { url = game.Url + "/elsewhere", token = GameServers.Token });
        using var closed = await http.PutAsJsonAsync($"/admin/apps/{Appid}/push/goods",
            new { url = ClosedPortUrl().ToString(), token = GameServers.Token });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongEcho.StatusCode);
        Assert.Contains("HTTP 404", await wrongEcho.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, closed.StatusCode);
        Assert.Contains("refused", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await Admin.PushReceiversAsync(Appid)).Goods);
    }

    [Theory]
    [InlineData("""{"url":"ftp://x/","token":"abc"}""", "url must be")]
    [InlineData("""{"url":"http://127.0.0.1:9/","token":"a b"}""", "token must be")]
    [InlineData("""{"url":"http://127.0.0.1:9/","token":"abc","mode":"safe"}""", "needs encoding_aes_key")]
    [InlineData("""{"url":"http://127.0.0.1:9/","token":"abc","mode":"safe","encoding_aes_key":"short"}""", "43 ASCII")]
    [InlineData("""{"url":"http://127.0.0.1:9/","token":"abc","mode":"loud"}""", "mode must be")]
    public async Task SaveReceiver_BadInput_Is400NamingTheField(string body, string problem)
    {
        using var http = App.CreateClient();

        using var response = await http.PutAsync($"/admin/apps/{Appid}/push/events", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await Admin.PushReceiversAsync(Appid)).Events);
    }

    [Theory]
    [InlineData("""{"event":"minigame_unknown","openid":"o"}""", "event must be one of")]
    [InlineData("""{"event":"minigame_coin_deliver_completed"}""", "openid is required")]
    [InlineData("""{"event":"minigame_coin_deliver_completed","openid":"o","fields":{"Env":3}}""", "Env must be 0")]
    [InlineData("""{"event":"minigame_coin_deliver_completed","openid":"o","env":"staging"}""", "env must be")]
    public async Task Trigger_BadInput_Is400AndMakesNoPush(string body, string problem)
    {
        using var http = App.CreateClient();

        using var response = await http.PostAsync("/admin/pushes", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Admin.PushesAsync());
    }

    [Fact]
    public async Task Trigger_Fields_AreLaidOverTheSamplePayload()
    {
        var push = await Admin.TriggerPushAsync(MidasPushEvents.GamePayGoodsDeliverNotify, "o-player-1",
            new Dictionary<string, object?> { ["OutTradeNo"] = "game-order-7", ["GoodsInfo"] = new Dictionary<string, object?> { ["ProductId"] = "gem" } });

        var payload = JsonNode.Parse(push.Payload)!;
        Assert.Equal("game-order-7", push.OutTradeNo);
        Assert.Equal("gem", payload["GoodsInfo"]!["ProductId"]!.GetValue<string>());
        Assert.Equal(1, payload["GoodsInfo"]!["Quantity"]!.GetValue<long>());
        Assert.Equal(MidasPushChannels.Goods, push.Channel);
    }

    private async Task ReceiveAsync(Uri url, bool safe, string channel, bool verify = true) =>
        await Admin.SetPushReceiverAsync(Appid, channel, url.ToString(), GameServers.Token, safe ? GameServers.EncodingAesKey : null, safe, verify);

    private Task<MidasPush> DeliveredAsync(long id) =>
        Admin.WaitForPushAsync(p => p.Id == id && p.Status == MidasPushStatus.Delivered, timeout: TimeSpan.FromSeconds(15));

    private Task<MidasPush> AttemptsAsync(string outTradeNo, int count) =>
        Admin.WaitForPushAsync(p => p.Attempts.Count >= count, new() { OutTradeNo = outTradeNo }, TimeSpan.FromSeconds(15));

    private static string ChannelOf(string eventName) =>
        eventName is MidasPushEvents.GamePayGoodsDeliverNotify or MidasPushEvents.H5GoodsDeliverNotify ? MidasPushChannels.Goods : MidasPushChannels.Events;

    /// <summary>A loopback URL nothing listens on: the port was just free.</summary>
    internal static Uri ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}{GameServers.PushPath}");
    }
}
