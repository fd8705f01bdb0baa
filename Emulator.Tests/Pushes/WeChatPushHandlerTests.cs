using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using GameBackend.Push;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MidasEmulator.Tests.Pushes;

/// <summary>The sample receiver on a real Kestrel socket, sent pushes built from the documented formulas.</summary>
public sealed class WeChatPushHandlerTests : IAsyncLifetime
{
    private const string Token = "push-token";
    private const string EncodingAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    private const string Appid = "wx1234567890abcdef";
    private const string AppKey = "production-app-key";
    private const string SandboxAppKey = "sandbox-app-key";
    private const string CoinEvent = "minigame_coin_deliver_completed";
    private const string GoodsEvent = "minigame_game_pay_goods_deliver_notify";
    private const string RefundEvent = "minigame_pay_refund_succ_notify";

    // Set up and disposed by the IAsyncLifetime methods (a new receiver per test, so each starts with no deliveries).
    private WebApplication app = null!;
    private HttpClient Http { get; set; } = null!;
    private Deliveries deliveries = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.Configure<WeChatPushOptions>(options =>
        {
            options.Token = Token;
            options.EncodingAesKey = EncodingAesKey;
            options.Appid = Appid;
            options.AppKey = AppKey;
            options.SandboxAppKey = SandboxAppKey;
        });
        builder.Services.AddSingleton<Deliveries>();
        app = builder.Build();
        app.MapWeChatPush();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        deliveries = app.Services.GetRequiredService<Deliveries>();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task UrlCheck_SignedWithTheToken_AnswersEchostrVerbatimAsText()
    {
        var signature = WeChatPushCrypto.UrlSignature(Token, "1714036504", "1514711492");

        using var response = await Http.GetAsync($"/wechat/push?signature={signature}&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("4375120948345356249", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UrlCheck_WrongSignature_IsRefusedWithoutEcho()
    {
        using var response = await Http.GetAsync("/wechat/push?signature=0000&timestamp=1714036504&nonce=1514711492&echostr=42");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("42", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_PlaintextCoinDelivered_DeliversTheCoinsAndAnswersSuccess()
    {
        var payload = CoinPayload("coin-1", env: 0);

        using var response = await PostPlainAsync(Envelope(CoinEvent, payload, AppKey));

        await AssertSuccessAsync(response);
        var delivery = Assert.Single(deliveries.All);
        Assert.Equal((Deliveries.Kinds.Coin, "coin-1", "player-1"), (delivery.Kind, delivery.OutTradeNo, delivery.OpenId));
        var received = Assert.Single(deliveries.Received);
        Assert.Equal((CoinEvent, "coin-1", "player-1", false, 0, payload, false),
            (received.Event, received.OutTradeNo, received.OpenId, received.IsMock, received.Env, received.Payload, received.Encrypted));
    }

    [Fact]
    public async Task Push_SafeModeItemDelivery_DecryptsDeliversAndAnswersPlaintextSuccess()
    {
        using var response = await PostSafeAsync(Envelope(GoodsEvent, GoodsPayload("item-1", env: 1), SandboxAppKey));

        await AssertSuccessAsync(response);
        var delivery = Assert.Single(deliveries.All);
        Assert.Equal((Deliveries.Kinds.Item, "item-1"), (delivery.Kind, delivery.OutTradeNo));
        Assert.True(Assert.Single(deliveries.Received).Encrypted);
    }

    [Fact]
    public async Task Push_SafeModeWrongMsgSignature_IsRefusedAndDeliversNothing()
    {
        using var response = await PostSafeAsync(Envelope(GoodsEvent, GoodsPayload("item-1", env: 1), SandboxAppKey), tamperMsgSignature: true);

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Push_SameOutTradeNoTwice_DeliversOnceAndAnswersSuccessBothTimes()
    {
        var body = Envelope(GoodsEvent, GoodsPayload("item-2", env: 0), AppKey);

        using var first = await PostPlainAsync(body);
        using var second = await PostSafeAsync(body);

        await AssertSuccessAsync(first);
        await AssertSuccessAsync(second);
        Assert.Single(deliveries.All);
        Assert.Equal(2, deliveries.Received.Count);
    }

    [Fact]
    public async Task Push_WrongPayEventSig_IsRefusedAndDeliversNothing()
    {
        using var response = await PostPlainAsync(Envelope(CoinEvent, CoinPayload("coin-2", env: 0), "not-the-app-key"));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Push_SandboxEnvSignedWithTheProductionKey_IsRefused()
    {
        using var response = await PostPlainAsync(Envelope(CoinEvent, CoinPayload("coin-3", env: 1), AppKey));

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Push_WrongQuerySignature_IsRefusedAndDeliversNothing()
    {
        using var response = await PostPlainAsync(Envelope(CoinEvent, CoinPayload("coin-4", env: 0), AppKey), tamperSignature: true);

        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Push_IsMock_AnswersSuccessAndDeliversNothing()
    {
        using var response = await PostPlainAsync(Envelope(GoodsEvent, GoodsPayload("mock-1", env: 0), AppKey, isMock: true));

        await AssertSuccessAsync(response);
        Assert.Empty(deliveries.All);
        Assert.True(Assert.Single(deliveries.Received).IsMock);
    }

    [Fact]
    public async Task Push_PayloadWithAStringWhereANumberIsDocumented_IsRefused()
    {
        var payload = """{"OpenId":"player-1","Env":0,"OutTradeNo":"item-3","GoodsInfo":{"ProductId":"sword","Quantity":"1"}}""";

        using var response = await PostPlainAsync(Envelope(GoodsEvent, payload, AppKey, isMock: true));

        await AssertRefusedAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Push_TwoRefundsOfOneOrder_AreEachDeliveredOnceByRefundId()
    {
        using var first = await PostPlainAsync(Envelope(RefundEvent, RefundPayload("order-9", "refund-1"), AppKey));
        using var again = await PostPlainAsync(Envelope(RefundEvent, RefundPayload("order-9", "refund-1"), AppKey));
        using var second = await PostPlainAsync(Envelope(RefundEvent, RefundPayload("order-9", "refund-2"), AppKey));

        await AssertSuccessAsync(first);
        await AssertSuccessAsync(again);
        await AssertSuccessAsync(second);
        Assert.Equal(["refund-1", "refund-2"], deliveries.All.Select(delivery => delivery.Key));
    }

    [Fact]
    public async Task Push_UnknownEvent_IsRecordedAndAnsweredSuccess()
    {
        using var response = await PostPlainAsync(Envelope("minigame_some_future_event", """{"Env":0}""", AppKey));

        await AssertSuccessAsync(response);
        Assert.Empty(deliveries.All);
        Assert.Equal("minigame_some_future_event", Assert.Single(deliveries.Received).Event);
    }

    private static string CoinPayload(string outTradeNo, int env) =>
        $$$"""{"OpenId":"player-1","OutTradeNo":"{{{outTradeNo}}}","Env":{{{env}}},"CoinInfo":{"ZoneId":"1","TotalPrice":100,"BuyQuantity":10,"OrigPrice":100}}""";

    private static string GoodsPayload(string outTradeNo, int env) =>
        $$$"""{"OpenId":"player-1","Env":{{{env}}},"OutTradeNo":"{{{outTradeNo}}}","GoodsInfo":{"ProductId":"sword","Quantity":1,"ZoneId":"1","OrigPrice":600,"ActualPrice":600,"Attach":"","OrderSource":1}}""";

    private static string RefundPayload(string outTradeNo, string refundId) =>
        $$$"""{"OpenId":"player-1","RefundId":"{{{refundId}}}","RefundAmount":100,"RefundSource":1,"Env":0,"OutTradeNo":"{{{outTradeNo}}}","WeChatPayInfo":{"MchOrderNo":"m","TransactionId":"t"}}""";

    private static string Envelope(string eventName, string payload, string signingKey, bool isMock = false) =>
        JsonSerializer.Serialize(new
        {
            ToUserName = "gh_0123456789ab",
            FromUserName = "oUrsf0TSXNtiZjP7JL9UUFiGJzmQ",
            CreateTime = 1714112445,
            MsgType = "event",
            Event = eventName,
            MiniGame = new { Payload = payload, PayEventSig = WeChatPushCrypto.PayEventSig(signingKey, eventName, payload), IsMock = isMock },
        });

    private async Task<HttpResponseMessage> PostPlainAsync(string body, bool tamperSignature = false)
    {
        var (timestamp, nonce) = TimestampAndNonce();
        var signature = tamperSignature ? WeChatPushCrypto.UrlSignature("other-token", timestamp, nonce) : WeChatPushCrypto.UrlSignature(Token, timestamp, nonce);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Http.PostAsync($"/wechat/push?signature={signature}&timestamp={timestamp}&nonce={nonce}", content);
    }

    private async Task<HttpResponseMessage> PostSafeAsync(string message, bool tamperMsgSignature = false)
    {
        var (timestamp, nonce) = TimestampAndNonce();
        var encrypt = WeChatPushCrypto.Encrypt(EncodingAesKey, Appid, message, Guid.NewGuid().ToByteArray());
        var msgSignature = WeChatPushCrypto.MsgSignature(tamperMsgSignature ? "other-token" : Token, timestamp, nonce, encrypt);
        var signature = WeChatPushCrypto.UrlSignature(Token, timestamp, nonce);
        var body = JsonSerializer.Serialize(new { ToUserName = "gh_0123456789ab", Encrypt = encrypt });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Http.PostAsync(
            $"/wechat/push?signature={signature}&timestamp={timestamp}&nonce={nonce}&encrypt_type=aes&msg_signature={msgSignature}", content);
    }

    private static (string Timestamp, string Nonce) TimestampAndNonce() =>
        (DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
         Random.Shared.Next(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture));

    private static async Task AssertSuccessAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"ErrCode":0,"ErrMsg":"Success"}""", await response.Content.ReadAsStringAsync());
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotEqual(0, answer.RootElement.GetProperty("ErrCode").GetInt32());
        Assert.Empty(deliveries.All);
        Assert.Empty(deliveries.Received);
        Assert.Single(deliveries.Rejected);
    }
}
