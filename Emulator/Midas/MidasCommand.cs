namespace MidasEmulator.Midas;

/// <summary>A change handed to the single writer (docs/architecture.md §2.1). Each names the account it touches.</summary>
public abstract record MidasCommand(AccountKey Account, string Appid)
{
    /// <summary>Sent through the 2.0 surface (/wxa/game/*): its refusals take 2.0's form, never a 1.0 legacy one.</summary>
    public bool ViaGamePay { get; init; }
}

public sealed record PayCommand(AccountKey Account, string Appid, string BillNo, long Amt, string? PayItem, string? AppRemark)
    : MidasCommand(Account, Appid);

public sealed record CancelPayCommand(AccountKey Account, string Appid, string BillNo, string? PayItem)
    : MidasCommand(Account, Appid);

public sealed record PresentCommand(AccountKey Account, string Appid, string BillNo, long PresentCounts)
    : MidasCommand(Account, Appid);

/// <summary>A successful coin purchase (what wx.requestMidasPayment does): paid coins, ends first_save.</summary>
public sealed record TopupCommand(AccountKey Account, string Appid, long Amount)
    : MidasCommand(Account, Appid);

/// <summary>Sets balance and/or gift balance directly (admin PUT, seed data); the change is booked as a "set" order.</summary>
public sealed record SetBalanceCommand(AccountKey Account, string Appid, long? Balance, long? GenBalance, bool? FirstSave = null)
    : MidasCommand(Account, Appid);

/// <summary>A 2.0 cancelpay: gives back <paramref name="Amount"/> coins of the pay <paramref name="PayBillNo"/>, under the refund's own bill_no.</summary>
public sealed record RefundCommand(AccountKey Account, string Appid, string BillNo, string PayBillNo, long Amount)
    : MidasCommand(Account, Appid);

/// <summary>What the player's phone does (wx.requestMidasPayment / …GameItem): records the client-side order, and credits a paid coin order.</summary>
public sealed record PurchaseCommand(AccountKey Account, string Appid, ClientOrder Order)
    : MidasCommand(Account, Appid);

/// <summary>A platform refund of a client-side order: <paramref name="Price"/> cents; a coin order's coins are taken back first.</summary>
public sealed record ClientRefundCommand(AccountKey Account, string Appid, string OutTradeNo, long Price)
    : MidasCommand(Account, Appid);
