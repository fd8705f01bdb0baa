namespace MidasEmulator.Midas;

/// <summary>Byte-sized: the bill memory holds one per live bill_no.</summary>
public enum OrderKind : byte
{
    Pay,
    Cancel,
    Present,
    Topup,
    Set,
    /// <summary>A 2.0 cancelpay: all or part of a pay given back, under its own bill_no (docs/wechat-vp2-api.md §6).</summary>
    Refund,
    /// <summary>Coins bought on the phone (a client-side coin order, docs/wechat-vp2-api.md §3.6): paid coins, like a top-up.</summary>
    Purchase,
}

public enum OrderStatus : byte
{
    /// <summary>The change took effect.</summary>
    Applied,
    /// <summary>A pay that a later cancelpay reversed.</summary>
    Cancelled,
}

/// <summary>
/// One ledger entry: every change to an account is one order. <see cref="Amt"/> is the coins moved
/// (for <see cref="OrderKind.Set"/> the signed change of balance) and <see cref="GenAmt"/> the gift part of it.
/// </summary>
public sealed record Order
{
    public required long Id { get; init; }
    public required OrderKind Kind { get; init; }
    public required AccountKey Account { get; init; }
    public required string Appid { get; init; }
    public string? BillNo { get; init; }
    public required long Amt { get; init; }
    public required long GenAmt { get; init; }
    public OrderStatus Status { get; init; } = OrderStatus.Applied;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>The account balance right after this order: what the reply reported.</summary>
    public required long BalanceAfter { get; init; }
    public string? PayItem { get; init; }
    public string? AppRemark { get; init; }
    /// <summary>A refund's pay: the bill_no of the pay it gives coins back from.</summary>
    public string? PayBillNo { get; init; }

    /// <summary>
    /// A 64-bit digest of <see cref="PayBillNo"/> (0 without one): what the compact bill_no memory keeps of it, enough to tell
    /// whether a repeated refund names the same pay. Read from <see cref="PayBillNo"/> when the order has it.
    /// </summary>
    public long PayBillNoDigest { get => field != 0 || PayBillNo is null ? field : DigestOf(PayBillNo); init; }

    /// <summary>The first 8 bytes of the SHA-256 of the text: two pay_bill_nos sharing them would be a SHA-256 collision.</summary>
    public static long DigestOf(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    /// <summary>A pay's coins given back so far by 2.0 refunds (never above <see cref="Amt"/>).</summary>
    public long RefundedAmt { get; init; }
    /// <summary>The gift part of <see cref="RefundedAmt"/> (never above <see cref="GenAmt"/>).</summary>
    public long RefundedGenAmt { get; init; }
    /// <summary>A purchase's client-side order number.</summary>
    public string? OutTradeNo { get; init; }

    private static readonly WireNames<OrderKind> KindNames = new(
        (OrderKind.Pay, "pay"), (OrderKind.Cancel, "cancel"), (OrderKind.Present, "present"), (OrderKind.Topup, "topup"), (OrderKind.Set, "set"),
        (OrderKind.Refund, "refund"), (OrderKind.Purchase, "purchase"));

    /// <summary>The kinds whose bill_no the 48 h memory keeps: pay, present and a refund's own bill_no share one space.</summary>
    public static bool HoldsBill(OrderKind kind) => kind is OrderKind.Pay or OrderKind.Present or OrderKind.Refund;

    /// <summary>What of a pay is left to give back: its coins, and of them the gift part.</summary>
    public (long Amt, long GenAmt) Refundable => (Amt - RefundedAmt, GenAmt - RefundedGenAmt);

    public static string KindName(OrderKind kind) => KindNames.Of(kind);

    public static bool TryParseKind(string text, out OrderKind kind) => KindNames.TryParse(text, out kind);
}
