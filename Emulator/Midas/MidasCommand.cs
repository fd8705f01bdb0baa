namespace MidasEmulator.Midas;

/// <summary>A change handed to the single writer (docs/architecture.md §2.1). Each names the account it touches.</summary>
public abstract record MidasCommand(AccountKey Account, string Appid);

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
