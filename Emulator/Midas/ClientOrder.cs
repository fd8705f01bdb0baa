using System.Security.Cryptography;

namespace MidasEmulator.Midas;

/// <summary>What a client-side order bought (docs/wechat-vp2-api.md §3.5): <c>biz_id</c> 1 coins, 2 an item.</summary>
public enum ClientOrderBiz
{
    Coins = 1,
    Item = 2,
}

/// <summary>
/// An order the player's phone made (wx.requestMidasPayment for coins, wx.requestMidasPaymentGameItem for an item),
/// as /wxa/game/queryorderinfo answers it (docs/wechat-vp2-api.md §3.5, §3.6). A paid coin order is also a
/// "purchase" in the ledger (<see cref="LedgerOrderId"/>); an item order moves no coins.
/// </summary>
public sealed record ClientOrder
{
    public required string OutTradeNo { get; init; }
    public required string Appid { get; init; }
    /// <summary>The player's account (env, offer_id, zone_id, openid).</summary>
    public required AccountKey Account { get; init; }
    public required ClientOrderBiz Biz { get; init; }
    /// <summary>Coins bought (biz 1) or items bought (biz 2).</summary>
    public required long Quantity { get; init; }
    /// <summary>What the player paid, in cents.</summary>
    public required long Price { get; init; }
    public string? ProductId { get; init; }
    /// <summary>The game's own data for an item order, echoed in its delivery push.</summary>
    public string? Attach { get; init; }
    public required bool Paid { get; init; }
    /// <summary>Coins credited (biz 1) or the game acknowledged the item's delivery (biz 2).</summary>
    public required bool Delivered { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PayFinishTime { get; init; }
    public required string MchOrderNo { get; init; }
    public required string TransactionId { get; init; }
    /// <summary>Cents given back to the player by platform refunds.</summary>
    public long RefundedPrice { get; init; }
    /// <summary>The ledger's "purchase" order of a paid coin order.</summary>
    public long? LedgerOrderId { get; init; }

    public int PayState => Paid ? 2 : 1;

    public int DeliverState => Delivered ? 2 : 1;

    /// <summary>
    /// An out_trade_no: 1 to 32 of [0-9A-Za-z_-|*@], not starting with '_' when the game chose it (the platform's own,
    /// made when the game gave none, start with one: <paramref name="platformMade"/> lets those through, as a lookup must).
    /// </summary>
    public static string? CheckOutTradeNo(string? outTradeNo, bool platformMade = false)
    {
        if (outTradeNo is not { Length: > 0 and <= 32 })
        {
            return "out_trade_no must be 1 to 32 characters";
        }
        if (outTradeNo[0] == '_' && !platformMade)
        {
            return "out_trade_no must not start with _ (the platform's generated numbers do)";
        }
        foreach (var c in outTradeNo)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '|' or '*' or '@'))
            {
                return "out_trade_no may hold only digits, ASCII letters and _ - | * @";
            }
        }
        return null;
    }
}

/// <summary>The platform's order numbers (out_trade_no, mch_order_no, transaction_id, refund ids) are strings of decimal digits.</summary>
public static class OrderNumbers
{
    /// <summary><paramref name="count"/> random decimal digits.</summary>
    public static string RandomDigits(int count) =>
        string.Create(count, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
            }
        });
}
