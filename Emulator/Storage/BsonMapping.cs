using LiteDB;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;

namespace MidasEmulator.Storage;

/// <summary>
/// Every stored type to its LiteDB document and back, written by hand: field names are the wire's snake_case, so a
/// person reading the file with LiteDB Studio sees the admin API's words, and no mapper reflects at start-up.
/// </summary>
internal static class BsonMapping
{
    public static BsonDocument ToDocument(Account a) => new()
    {
        ["_id"] = a.Key.ToString(),
        ["env"] = a.Key.Env.ToWire(),
        ["offer_id"] = a.Key.OfferId,
        ["zone_id"] = a.Key.ZoneId,
        ["openid"] = a.Key.Openid,
        ["balance"] = a.Balance,
        ["gen_balance"] = a.GenBalance,
        ["first_save"] = a.FirstSave,
        ["save_amt"] = a.SaveAmt,
        ["save_sum"] = a.SaveSum,
        ["cost_sum"] = a.CostSum,
        ["present_sum"] = a.PresentSum,
    };

    public static Account ToAccount(BsonDocument d) => new(KeyOf(d))
    {
        Balance = d["balance"].AsInt64,
        GenBalance = d["gen_balance"].AsInt64,
        FirstSave = d["first_save"].AsBoolean,
        SaveAmt = d["save_amt"].AsInt64,
        SaveSum = d["save_sum"].AsInt64,
        CostSum = d["cost_sum"].AsInt64,
        PresentSum = d["present_sum"].AsInt64,
    };

    // Fields that are usually null (cancelled_at, pay_item, app_remark) are left out: smaller documents, fewer
    // BSON writes per pay. A missing field reads as null.
    public static BsonDocument ToDocument(Order o)
    {
        var document = new BsonDocument
        {
            ["_id"] = o.Id,
            ["kind"] = Order.KindName(o.Kind),
            ["env"] = o.Account.Env.ToWire(),
            ["offer_id"] = o.Account.OfferId,
            ["zone_id"] = o.Account.ZoneId,
            ["openid"] = o.Account.Openid,
            ["appid"] = o.Appid,
            ["bill_no"] = o.BillNo,
            ["amt"] = o.Amt,
            ["gen_amt"] = o.GenAmt,
            ["status"] = o.Status == OrderStatus.Applied ? "applied" : "cancelled",
            ["created_at"] = o.CreatedAt.ToUnixTimeMilliseconds(),
            ["balance_after"] = o.BalanceAfter,
        };
        if (o.CancelledAt is { } at)
        {
            document["cancelled_at"] = at.ToUnixTimeMilliseconds();
        }
        if (o.PayItem is { } payItem)
        {
            document["pay_item"] = payItem;
        }
        if (o.AppRemark is { } appRemark)
        {
            document["app_remark"] = appRemark;
        }
        if (o.PayBillNo is { } payBillNo)
        {
            document["pay_bill_no"] = payBillNo;
        }
        if (o.RefundedAmt != 0)
        {
            document["refunded_amt"] = o.RefundedAmt;
            document["refunded_gen_amt"] = o.RefundedGenAmt;
        }
        if (o.OutTradeNo is { } outTradeNo)
        {
            document["out_trade_no"] = outTradeNo;
        }
        return document;
    }

    public static Order ToOrder(BsonDocument d)
    {
        if (!Order.TryParseKind(d["kind"].AsString, out var kind))
        {
            throw new InvalidDataException($"order {d["_id"]} has an unknown kind {d["kind"]}");
        }
        return new Order
        {
            Id = d["_id"].AsInt64,
            Kind = kind,
            Account = KeyOf(d),
            Appid = d["appid"].AsString,
            BillNo = d["bill_no"].IsNull ? null : d["bill_no"].AsString,
            Amt = d["amt"].AsInt64,
            GenAmt = d["gen_amt"].AsInt64,
            Status = d["status"].AsString == "cancelled" ? OrderStatus.Cancelled : OrderStatus.Applied,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(d["created_at"].AsInt64),
            CancelledAt = d["cancelled_at"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["cancelled_at"].AsInt64),
            BalanceAfter = d["balance_after"].AsInt64,
            PayItem = d["pay_item"].IsNull ? null : d["pay_item"].AsString,
            AppRemark = d["app_remark"].IsNull ? null : d["app_remark"].AsString,
            PayBillNo = d["pay_bill_no"].IsNull ? null : d["pay_bill_no"].AsString,
            RefundedAmt = d["refunded_amt"].IsNull ? 0 : d["refunded_amt"].AsInt64,
            RefundedGenAmt = d["refunded_gen_amt"].IsNull ? 0 : d["refunded_gen_amt"].AsInt64,
            OutTradeNo = d["out_trade_no"].IsNull ? null : d["out_trade_no"].AsString,
        };
    }

    /// <summary>A client-side order's id: its appid and out_trade_no (an appid holds no '|', so the first one splits them).</summary>
    public static string ClientOrderId(string appid, string outTradeNo) => $"{appid}|{outTradeNo}";

    public static BsonDocument ToDocument(ClientOrder c)
    {
        var document = new BsonDocument
        {
            ["_id"] = ClientOrderId(c.Appid, c.OutTradeNo),
            ["out_trade_no"] = c.OutTradeNo,
            ["appid"] = c.Appid,
            ["env"] = c.Account.Env.ToWire(),
            ["offer_id"] = c.Account.OfferId,
            ["zone_id"] = c.Account.ZoneId,
            ["openid"] = c.Account.Openid,
            ["biz_id"] = (int)c.Biz,
            ["quantity"] = c.Quantity,
            ["price"] = c.Price,
            ["product_id"] = c.ProductId,
            ["attach"] = c.Attach,
            ["paid"] = c.Paid,
            ["delivered"] = c.Delivered,
            ["created_at"] = c.CreatedAt.ToUnixTimeMilliseconds(),
            ["pay_finish_time"] = c.PayFinishTime is { } finished ? finished.ToUnixTimeMilliseconds() : BsonValue.Null,
            ["mch_order_no"] = c.MchOrderNo,
            ["transaction_id"] = c.TransactionId,
            ["refunded_price"] = c.RefundedPrice,
            ["ledger_order_id"] = c.LedgerOrderId is { } id ? id : BsonValue.Null,
        };
        return document;
    }

    public static ClientOrder ToClientOrder(BsonDocument d) => new()
    {
        OutTradeNo = d["out_trade_no"].AsString,
        Appid = d["appid"].AsString,
        Account = KeyOf(d),
        Biz = (ClientOrderBiz)d["biz_id"].AsInt32,
        Quantity = d["quantity"].AsInt64,
        Price = d["price"].AsInt64,
        ProductId = d["product_id"].IsNull ? null : d["product_id"].AsString,
        Attach = d["attach"].IsNull ? null : d["attach"].AsString,
        Paid = d["paid"].AsBoolean,
        Delivered = d["delivered"].AsBoolean,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(d["created_at"].AsInt64),
        PayFinishTime = d["pay_finish_time"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["pay_finish_time"].AsInt64),
        MchOrderNo = d["mch_order_no"].AsString,
        TransactionId = d["transaction_id"].AsString,
        RefundedPrice = d["refunded_price"].AsInt64,
        LedgerOrderId = d["ledger_order_id"].IsNull ? null : d["ledger_order_id"].AsInt64,
    };

    public static BsonDocument ToDocument(MidasApp app) => new()
    {
        ["_id"] = app.Appid,
        ["secret"] = app.Secret,
        ["offer_id"] = app.OfferId,
        ["app_key"] = app.AppKey,
        ["sandbox_app_key"] = app.SandboxAppKey,
        ["zones"] = new BsonDocument
        {
            ["sandbox"] = new BsonArray(app.Zones.Sandbox.Select(z => new BsonValue(z))),
            ["production"] = new BsonArray(app.Zones.Production.Select(z => new BsonValue(z))),
        },
        ["original_id"] = app.RegisteredOriginalId,
    };

    public static MidasApp ToApp(BsonDocument d) => new(
        d["_id"].AsString, d["secret"].AsString, d["offer_id"].AsString, d["app_key"].AsString,
        d["sandbox_app_key"].IsNull ? null : d["sandbox_app_key"].AsString)
    {
        // Apps saved before 2.0 have no zones: zone "1" in both environments, as the platform gives an old game.
        Zones = d["zones"].IsDocument
            ? new AppZones(ZoneList(d["zones"]["sandbox"]), ZoneList(d["zones"]["production"]))
            : AppZones.Default,
        RegisteredOriginalId = d["original_id"].IsNull ? null : d["original_id"].AsString,
    };

    private static string[] ZoneList(BsonValue value) => value.IsArray ? value.AsArray.Select(z => z.AsString).ToArray() : [];

    public static BsonDocument ToDocument(AccessTokenRecord token) => new()
    {
        ["_id"] = token.Token,
        ["appid"] = token.Appid,
        ["expires_at"] = token.ExpiresAt.ToUnixTimeMilliseconds(),
        ["replaced"] = token.Replaced,
    };

    public static AccessTokenRecord ToToken(BsonDocument d) =>
        new(d["_id"].AsString, d["appid"].AsString, DateTimeOffset.FromUnixTimeMilliseconds(d["expires_at"].AsInt64), d["replaced"].AsBoolean);

    public static BsonDocument ToDocument(SessionRecord session) => new()
    {
        ["_id"] = session.Id,
        ["appid"] = session.Appid,
        ["openid"] = session.Openid,
        ["session_key"] = session.SessionKey,
        ["expires_at"] = session.ExpiresAt is { } at ? at.ToUnixTimeMilliseconds() : BsonValue.Null,
    };

    public static SessionRecord ToSession(BsonDocument d) => new(
        d["appid"].AsString, d["openid"].AsString, d["session_key"].AsString,
        d["expires_at"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["expires_at"].AsInt64));

    public static BsonDocument ToDocument(PushReceiver r) => new()
    {
        ["_id"] = r.Id,
        ["appid"] = r.Appid,
        ["channel"] = PushNames.Of(r.Channel),
        ["url"] = r.Url,
        ["token"] = r.Token,
        ["encoding_aes_key"] = r.EncodingAesKey,
        ["mode"] = PushNames.Of(r.Mode),
        ["saved_at"] = r.SavedAt.ToUnixTimeMilliseconds(),
    };

    public static PushReceiver ToPushReceiver(BsonDocument d) => new(
        d["appid"].AsString,
        PushNames.TryParse(d["channel"].AsString, out PushChannel channel) ? channel : throw Unknown(d, "channel"),
        d["url"].AsString, d["token"].AsString,
        d["encoding_aes_key"].IsNull ? null : d["encoding_aes_key"].AsString,
        PushNames.TryParse(d["mode"].AsString, out PushMode mode) ? mode : throw Unknown(d, "mode"),
        DateTimeOffset.FromUnixTimeMilliseconds(d["saved_at"].AsInt64));

    public static BsonDocument ToDocument(Push p) => new()
    {
        ["_id"] = p.Id,
        ["appid"] = p.Appid,
        ["event"] = p.Event,
        ["openid"] = p.Openid,
        ["env"] = p.Env.ToWire(),
        ["out_trade_no"] = p.OutTradeNo,
        ["is_mock"] = p.IsMock,
        ["from_order"] = p.FromOrder,
        ["status"] = PushNames.Of(p.Status),
        ["created_at"] = p.CreatedAt.ToUnixTimeMilliseconds(),
        ["next_attempt_at"] = p.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : BsonValue.Null,
        ["payload"] = p.Payload,
        ["scheduled_attempts"] = p.ScheduledAttempts,
        ["attempts"] = new BsonArray(p.Attempts.Select(a => new BsonDocument
        {
            ["at"] = a.At.ToUnixTimeMilliseconds(),
            ["http_status"] = a.HttpStatus is { } status ? status : BsonValue.Null,
            ["reply"] = a.Reply,
            ["error"] = a.Error,
            ["duration_ms"] = a.DurationMs,
            ["fault_id"] = a.FaultId,
        })),
    };

    public static Push ToPush(BsonDocument d) => new()
    {
        Id = d["_id"].AsInt64,
        Appid = d["appid"].AsString,
        Event = d["event"].AsString,
        Openid = d["openid"].AsString,
        Env = EnvNames.TryParse(d["env"].AsString, out var env) ? env : throw Unknown(d, "env"),
        OutTradeNo = d["out_trade_no"].IsNull ? null : d["out_trade_no"].AsString,
        IsMock = d["is_mock"].AsBoolean,
        FromOrder = d["from_order"].AsBoolean,
        Status = PushNames.TryParse(d["status"].AsString, out PushStatus status) ? status : throw Unknown(d, "status"),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(d["created_at"].AsInt64),
        NextAttemptAt = d["next_attempt_at"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["next_attempt_at"].AsInt64),
        Payload = d["payload"].AsString,
        ScheduledAttempts = d["scheduled_attempts"].AsInt32,
        Attempts = d["attempts"].AsArray.Select(v => v.AsDocument).Select(a => new PushAttempt(
            DateTimeOffset.FromUnixTimeMilliseconds(a["at"].AsInt64),
            a["http_status"].IsNull ? null : a["http_status"].AsInt32,
            a["reply"].IsNull ? null : a["reply"].AsString,
            a["error"].IsNull ? null : a["error"].AsString,
            a["duration_ms"].AsDouble,
            a["fault_id"].IsNull ? null : a["fault_id"].AsString)).ToList(),
    };

    private static InvalidDataException Unknown(BsonDocument d, string field) =>
        new($"document {d["_id"]} has an unknown {field} {d[field]}");

    private static AccountKey KeyOf(BsonDocument d)
    {
        if (!EnvNames.TryParse(d["env"].AsString, out var env))
        {
            throw new InvalidDataException($"document {d["_id"]} has an unknown env {d["env"]}");
        }
        return new AccountKey(env, d["offer_id"].AsString, d["zone_id"].AsString, d["openid"].AsString);
    }
}
