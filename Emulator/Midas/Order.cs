namespace MidasEmulator.Midas;

/// <summary>Byte-sized: the bill memory holds one per live bill_no.</summary>
public enum OrderKind : byte
{
    Pay,
    Cancel,
    Present,
    Topup,
    Set,
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

    private static readonly WireNames<OrderKind> KindNames = new(
        (OrderKind.Pay, "pay"), (OrderKind.Cancel, "cancel"), (OrderKind.Present, "present"), (OrderKind.Topup, "topup"), (OrderKind.Set, "set"));

    public static string KindName(OrderKind kind) => KindNames.Of(kind);

    public static bool TryParseKind(string text, out OrderKind kind) => KindNames.TryParse(text, out kind);
}
