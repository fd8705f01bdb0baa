using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>
/// The Payload of each push (docs/wechat-vp2-api.md §7.4), as compact JSON in a fixed field order. Built once when the
/// push is made: the string stored is the string signed and sent on every attempt.
/// </summary>
public static class PushPayloads
{
    /// <summary>The fixed WeChat account delivery pushes come from (the platform's samples).</summary>
    public const string WeChatFromUserName = "oUrsf0TSXNtiZjP7JL9UUFiGJzmQ";

    /// <summary>OrderSource of an item bought in the game (1); the mall is 2, its test orders 3.</summary>
    private const int InGameOrder = 1;

    /// <summary>RefundSource of a refund made on the platform (1); 2 is the MP console, 3 the API.</summary>
    private const int PlatformRefund = 1;

    /// <summary>
    /// How pushes write JSON: quotes as \" and other text as it is, as the platform's samples show, not the web default's
    /// \u0022 and \uXXXX (both parse the same; this one reads like the platform's own).
    /// </summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The 2.0 env number in a payload: 0 production, 1 sandbox.</summary>
    public static int EnvNumber(Env env) => env == Env.Production ? 0 : 1;

    /// <summary>minigame_coin_deliver_completed for a paid coin order.</summary>
    public static string CoinDelivered(ClientOrder order) => new JsonObject
    {
        ["OpenId"] = order.Account.Openid,
        ["OutTradeNo"] = order.OutTradeNo,
        ["Env"] = EnvNumber(order.Account.Env),
        ["CoinInfo"] = CoinInfo(order.Account.ZoneId, order.Price, order.Quantity),
        ["WeChatPayInfo"] = WeChatPayInfo(order.MchOrderNo, order.TransactionId),
    }.ToJsonString(Json);

    /// <summary>minigame_game_pay_goods_deliver_notify for a paid item order.</summary>
    public static string GoodsDeliver(ClientOrder order) => new JsonObject
    {
        ["OpenId"] = order.Account.Openid,
        ["Env"] = EnvNumber(order.Account.Env),
        ["OutTradeNo"] = order.OutTradeNo,
        ["GoodsInfo"] = GoodsInfo(order.ProductId ?? "", order.Quantity, order.Account.ZoneId, order.Price, order.Attach ?? "", InGameOrder),
        ["WeChatPayInfo"] = WeChatPayInfo(order.MchOrderNo, order.TransactionId),
    }.ToJsonString(Json);

    /// <summary>minigame_pay_refund_succ_notify for a platform refund of <paramref name="amount"/> cents.</summary>
    public static string RefundSucceeded(ClientOrder order, string refundId, long amount) => new JsonObject
    {
        ["OpenId"] = order.Account.Openid,
        ["RefundId"] = refundId,
        ["RefundAmount"] = amount,
        ["RefundSource"] = PlatformRefund,
        ["Env"] = EnvNumber(order.Account.Env),
        ["OutTradeNo"] = order.OutTradeNo,
        ["WeChatPayInfo"] = WeChatPayInfo(order.MchOrderNo, order.TransactionId),
    }.ToJsonString(Json);

    /// <summary>
    /// A realistic payload of <paramref name="eventName"/> for POST /admin/pushes, with fresh order numbers; a mock one
    /// (IsMock) has random amounts, as the platform's test pushes do.
    /// </summary>
    public static JsonObject Sample(string eventName, string openid, Env env, string zoneId, bool mock)
    {
        var quantity = mock ? RandomNumberGenerator.GetInt32(1, 100) : 60;
        var price = mock ? RandomNumberGenerator.GetInt32(1, 100_000) : 600;
        var payInfo = WeChatPayInfo(OrderNumbers.RandomDigits(28), "42" + OrderNumbers.RandomDigits(26));
        return eventName switch
        {
            PushEvents.GoodsDeliver or PushEvents.MallGoodsDeliver => new JsonObject
            {
                ["OpenId"] = openid,
                ["Env"] = EnvNumber(env),
                ["OutTradeNo"] = "order" + OrderNumbers.RandomDigits(20),
                ["GoodsInfo"] = GoodsInfo(mock ? "mock_product_" + OrderNumbers.RandomDigits(4) : "item_001", mock ? quantity : 1, zoneId, price, "",
                    eventName == PushEvents.GoodsDeliver ? InGameOrder : 2),
                ["WeChatPayInfo"] = payInfo,
            },
            PushEvents.RefundSucceeded => new JsonObject
            {
                ["OpenId"] = openid,
                ["RefundId"] = "refund" + OrderNumbers.RandomDigits(20),
                ["RefundAmount"] = price,
                ["RefundSource"] = PlatformRefund,
                ["Env"] = EnvNumber(env),
                ["OutTradeNo"] = "order" + OrderNumbers.RandomDigits(20),
                ["WeChatPayInfo"] = payInfo,
            },
            PushEvents.RechargeCenterCoinDelivered => new JsonObject
            {
                ["OpenId"] = openid,
                ["OutTradeNo"] = "_" + OrderNumbers.RandomDigits(20),
                ["Env"] = EnvNumber(env),
                ["CoinInfo"] = CoinInfo(null, price, quantity),
                ["WeChatPayInfo"] = payInfo,
            },
            _ => new JsonObject
            {
                ["OpenId"] = openid,
                ["OutTradeNo"] = "_" + OrderNumbers.RandomDigits(20),
                ["Env"] = EnvNumber(env),
                ["CoinInfo"] = CoinInfo(zoneId, price, quantity),
                ["WeChatPayInfo"] = payInfo,
            },
        };
    }

    /// <summary>
    /// Lays <paramref name="fields"/> over <paramref name="payload"/>: a field replaces the one of the same name, an object
    /// merges into the object of the same name (so {"GoodsInfo":{"Attach":"x"}} keeps the other GoodsInfo fields), null
    /// removes the field.
    /// </summary>
    public static void Merge(JsonObject payload, JsonObject fields)
    {
        foreach (var (name, value) in fields.ToList())
        {
            if (value is null)
            {
                payload.Remove(name);
            }
            else if (value is JsonObject inner && payload[name] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                payload[name] = value.DeepClone();
            }
        }
    }

    /// <summary>A string field of a payload, or null when it is absent or not a string.</summary>
    public static string? StringField(JsonObject payload, string name) =>
        payload[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    // The pages name the paid price ActualPrice in their tables and TotalPrice in their samples: both are sent, equal.
    private static JsonObject CoinInfo(string? zoneId, long price, long quantity)
    {
        var info = new JsonObject();
        if (zoneId is not null)
        {
            info["ZoneId"] = zoneId;
        }
        info["ActualPrice"] = price;
        info["TotalPrice"] = price;
        info["BuyQuantity"] = quantity;
        info["OrigPrice"] = price;
        return info;
    }

    private static JsonObject GoodsInfo(string productId, long quantity, string zoneId, long price, string attach, int orderSource) => new()
    {
        ["ProductId"] = productId,
        ["Quantity"] = quantity,
        ["ZoneId"] = zoneId,
        ["OrigPrice"] = price,
        ["ActualPrice"] = price,
        ["Attach"] = attach,
        ["OrderSource"] = orderSource,
    };

    private static JsonObject WeChatPayInfo(string mchOrderNo, string transactionId) => new()
    {
        ["MchOrderNo"] = mchOrderNo,
        ["TransactionId"] = transactionId,
    };
}
