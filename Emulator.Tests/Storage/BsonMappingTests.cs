using LiteDB;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;
using MidasEmulator.Storage;

namespace MidasEmulator.Tests.Storage;

/// <summary>Every stored type comes back from its document as it went in, through BSON bytes as LiteDB keeps it.</summary>
public sealed class BsonMappingTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_795_570_648_123);

    // Through the serialized bytes, not the in-memory document: what a restart reads is what was written to the file.
    private static BsonDocument ThroughBytes(BsonDocument document) => BsonSerializer.Deserialize(BsonSerializer.Serialize(document));

    [Fact]
    public void Account_RoundTrip_KeepsEveryField()
    {
        var account = new Account(new AccountKey(Env.Production, "offer-1", "zone|2", "oPlayer_-1"))
        {
            Balance = 900, GenBalance = 40, FirstSave = false, SaveAmt = 700, SaveSum = 960, CostSum = 60, PresentSum = 260,
        };

        Assert.Equal(account, BsonMapping.ToAccount(ThroughBytes(BsonMapping.ToDocument(account))));
    }

    [Theory]
    [InlineData(OrderKind.Pay, true)]
    [InlineData(OrderKind.Cancel, false)]
    [InlineData(OrderKind.Present, false)]
    [InlineData(OrderKind.Topup, false)]
    [InlineData(OrderKind.Set, true)]
    public void Order_RoundTrip_KeepsEveryField(OrderKind kind, bool withOptionalFields)
    {
        var order = new Order
        {
            Id = 4_000_000_001,
            Kind = kind,
            Account = new AccountKey(Env.Sandbox, "offer-1", "1", "oPlayer"),
            Appid = "wx1234567",
            BillNo = kind is OrderKind.Topup or OrderKind.Set ? null : "bill-1",
            Amt = kind == OrderKind.Set ? -25 : 120,
            GenAmt = 30,
            Status = withOptionalFields ? OrderStatus.Cancelled : OrderStatus.Applied,
            CreatedAt = At,
            CancelledAt = withOptionalFields ? At.AddSeconds(5) : null,
            BalanceAfter = 410,
            PayItem = withOptionalFields ? "gem" : null,
            AppRemark = withOptionalFields ? "月卡 x1" : null,
        };

        Assert.Equal(order, BsonMapping.ToOrder(ThroughBytes(BsonMapping.ToDocument(order))));
    }

    [Theory]
    [InlineData("sandbox-key")]
    [InlineData(null)]
    public void MidasApp_RoundTrip_KeepsEveryField(string? sandboxAppKey)
    {
        var app = new MidasApp("wx1234567", "secret", "12345678", "production-key", sandboxAppKey);

        Assert.Equal(app, BsonMapping.ToApp(ThroughBytes(BsonMapping.ToDocument(app))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AccessToken_RoundTrip_KeepsEveryField(bool replaced)
    {
        var token = new AccessTokenRecord(new string('t', 128), "wx1234567", At, replaced);

        Assert.Equal(token, BsonMapping.ToToken(ThroughBytes(BsonMapping.ToDocument(token))));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Session_RoundTrip_KeepsEveryField(bool expires)
    {
        var session = new SessionRecord("wx1234567", "oPlayer", "9hAb/NEYUlkaMBEsmFgzig==", expires ? At : null);

        var document = BsonMapping.ToDocument(session);

        Assert.Equal(session.Id, document["_id"].AsString);
        Assert.Equal(session, BsonMapping.ToSession(ThroughBytes(document)));
    }

    [Theory]
    [InlineData(PushStatus.Pending, true)]
    [InlineData(PushStatus.Delivered, false)]
    [InlineData(PushStatus.NoReceiver, false)]
    public void Push_RoundTrip_KeepsEveryFieldAndAttempt(PushStatus status, bool withOptionalFields)
    {
        var push = new Push
        {
            Id = 42, Appid = "wx1234567", Event = PushEvents.GoodsDeliver, Openid = "oPlayer", Env = Env.Production,
            OutTradeNo = withOptionalFields ? "order-1" : null, IsMock = !withOptionalFields, Status = status, CreatedAt = At,
            NextAttemptAt = withOptionalFields ? At.AddSeconds(15) : null, Payload = """{"OpenId":"oPlayer","Env":0}""", ScheduledAttempts = 2,
            Attempts =
            [
                new PushAttempt(At, null, null, "refused", 1.5, null),
                new PushAttempt(At.AddSeconds(15), 200, """{"ErrCode":0}""", null, 12.25, "f3"),
            ],
        };

        var back = BsonMapping.ToPush(ThroughBytes(BsonMapping.ToDocument(push)));

        Assert.Equal(push with { Attempts = [] }, back with { Attempts = [] });
        Assert.Equal(push.Attempts, back.Attempts);
    }

    [Theory]
    [InlineData(PushChannel.Events, PushMode.Plain, null)]
    [InlineData(PushChannel.Goods, PushMode.Safe, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")]
    public void PushReceiver_RoundTrip_KeepsEveryField(PushChannel channel, PushMode mode, string? key)
    {
        var receiver = new PushReceiver("wx1234567", channel, "http://127.0.0.1:5000/wechat/push?x=1", "token42", key, mode, At);

        Assert.Equal(receiver, BsonMapping.ToPushReceiver(ThroughBytes(BsonMapping.ToDocument(receiver))));
    }

    [Fact]
    public void Order_UnknownKind_FailsLoudly()
    {
        var document = BsonMapping.ToDocument(new Order
        {
            Id = 1, Kind = OrderKind.Pay, Account = new AccountKey(Env.Sandbox, "o", "1", "p"), Appid = "wx", BillNo = "b",
            Amt = 1, GenAmt = 0, Status = OrderStatus.Applied, CreatedAt = At, BalanceAfter = 0,
        });
        document["kind"] = "chargeback";

        Assert.Throws<InvalidDataException>(() => BsonMapping.ToOrder(document));
    }
}
