using System.ComponentModel;
using System.Text.Json.Serialization;

namespace MidasEmulator.Endpoints;

// Documentation only: these records describe the 2.0 bodies and replies in /openapi/wechat.json. GamePayRequest.Parse
// reads a body by hand and GamePayReply writes the replies. Names and types follow docs/wechat-vp2-api.md §2–§3. A request
// field that may be null is optional; a reply field outside "required" is sent with errcode 0 only.

/// <summary>The fields every 2.0 call carries (docs/wechat-vp2-api.md §2.1).</summary>
public abstract record GamePayCommonFields
{
    [JsonPropertyOrder(-1), Description("The player's openid: 1–128 characters of [0-9A-Za-z_-].")] public required string Openid { get; init; }
    [JsonPropertyOrder(-1), Description("The 2.0 offer id of the app the access_token was issued to.")] public required string OfferId { get; init; }
    [JsonPropertyOrder(-1), Description("UNIX seconds, a JSON integer.")] public required long Ts { get; init; }
    [JsonPropertyOrder(-1), Description("A zone published for env (zone \"1\" unless the app was registered with others).")] public required string ZoneId { get; init; }
    [JsonPropertyOrder(-1), Description("0 production, 1 sandbox: a JSON number.")] public required int Env { get; init; }
    [JsonPropertyOrder(-1), Description("Optional: the player's IP.")] public string? UserIp { get; init; }
}

public sealed record GamePayGetBalanceRequest : GamePayCommonFields
{
    [Description("Optional: 0 game coins (default), 1 the recharge-centre balance (zone_id \"1\").")] public int? CoinType { get; init; }
}

public sealed record GamePayPayRequest : GamePayCommonFields
{
    [Description("Coins to deduct: 1 … 2147483647. Gift coins go first.")] public required long Amount { get; init; }
    [Description("The order number, 1–63 of [0-9A-Za-z_-], not starting with _: never deducted twice.")] public required string BillNo { get; init; }
    [Description("Optional; kept on the order.")] public string? Payitem { get; init; }
    [Description("Optional; kept on the order.")] public string? Remark { get; init; }
}

public sealed record GamePayCancelPayRequest : GamePayCommonFields
{
    [Description("Coins to give back this time: 1 … what the pay has left.")] public required long Amount { get; init; }
    [Description("The refund's own order number (same rules as a pay's): never refunded twice.")] public required string BillNo { get; init; }
    [Description("The bill_no of the pay to give coins back from.")] public required string PayBillNo { get; init; }
}

public sealed record GamePayPresentRequest : GamePayCommonFields
{
    [Description("Gift coins to give: 1 … 2147483647.")] public required long Amount { get; init; }
    [Description("The order number, same rules as a pay's: never applied twice.")] public required string BillNo { get; init; }
}

public sealed record GamePayQueryOrderRequest
{
    [Description("The player's openid.")] public required string Openid { get; init; }
    [Description("The app's 2.0 offer id.")] public required string OfferId { get; init; }
    [Description("UNIX seconds, a JSON integer.")] public required long Ts { get; init; }
    [Description("Optional here (the official sample omits it); when sent it must be the order's zone.")] public string? ZoneId { get; init; }
    [Description("0 production, 1 sandbox.")] public required int Env { get; init; }
    [Description("The outTradeNo the phone's payment call used.")] public required string OutTradeNo { get; init; }
    [Description("1 coins (wx.requestMidasPayment), 2 an item (wx.requestMidasPaymentGameItem).")] public required int BizId { get; init; }
}

public record GamePayErrorReply
{
    [JsonPropertyOrder(-2), Description("0 on success.")] public required int Errcode { get; init; }
    [JsonPropertyOrder(-2), Description("ok, or the problem followed by traceid and rid.")] public required string Errmsg { get; init; }
}

public sealed record GamePayGetBalanceReply : GamePayErrorReply
{
    [Description("All coins, paid and gift.")] public long Balance { get; init; }
    [Description("Gift coins (1.0's gen_balance).")] public long PresentBalance { get; init; }
    [Description("Coins ever bought (save_amt).")] public long SumSave { get; init; }
    [Description("Coins ever given (present_sum).")] public long SumPresent { get; init; }
    [Description("Coins ever received, bought and given (save_sum).")] public long SumBalance { get; init; }
    [Description("Coins ever deducted, less refunds (cost_sum).")] public long SumCost { get; init; }
    [Description("True until the first paid top-up.")] public bool FirstSave { get; init; }
}

public sealed record GamePayPayReply : GamePayErrorReply
{
    [Description("The pay's bill_no.")] public string? BillNo { get; init; }
    [Description("The balance after the deduction.")] public long Balance { get; init; }
    [Description("Gift coins this deduction used.")] public long UsedPresentAmount { get; init; }
}

public sealed record GamePayCancelPayReply : GamePayErrorReply
{
    [Description("The refund's bill_no.")] public string? BillNo { get; init; }
}

public sealed record GamePayPresentReply : GamePayErrorReply
{
    [Description("The present's bill_no.")] public string? BillNo { get; init; }
    [Description("The balance after the gift.")] public long Balance { get; init; }
}

public sealed record GamePayQueryOrderReply : GamePayErrorReply
{
    [Description("The order's out_trade_no.")] public string? OutTradeNo { get; init; }
    [Description("When it was paid (UNIX seconds; 0 while unpaid).")] public long PayFinishTime { get; init; }
    [Description("The item's product id (empty for coins).")] public string? ProductId { get; init; }
    [Description("1 not delivered, 2 delivered (coins credited, or the game acknowledged the item).")] public int DeliverState { get; init; }
    [Description("1 unpaid, 2 paid.")] public int PayState { get; init; }
    [Description("The WeChat Pay merchant order number.")] public string? MchOrderNo { get; init; }
    [Description("The WeChat Pay transaction id.")] public string? TransactionId { get; init; }
}
