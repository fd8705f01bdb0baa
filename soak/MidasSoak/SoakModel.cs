namespace MidasSoak;

/// <summary>
/// The driver's own model of one user's account: the balance it must have after everything the client was told
/// (seed + top-ups + presents − pays + cancels), and every bill_no the client used with the outcome it learned.
/// Only the worker that owns the user touches it, so it needs no lock; checks run while the workers wait.
/// </summary>
internal sealed class SoakUser(string openid)
{
    public string Openid { get; } = openid;

    public string SessionKey { get; set; } = "";

    public long Balance { get; private set; }

    /// <summary>The gift part of <see cref="Balance"/>: presents add to it, pays take from it first (docs/wechat-api.md §4).</summary>
    public long GenBalance { get; private set; }

    public int Topups { get; private set; }

    /// <summary>Every pay and present bill_no of this user, by bill_no, with what the client knows of it.</summary>
    public Dictionary<string, BillOutcome> Bills { get; } = new(StringComparer.Ordinal);

    /// <summary>Acknowledged pays not cancelled yet: the candidates for a cancelpay.</summary>
    public List<string> OpenPays { get; } = [];

    public void Start(long balance, long genBalance)
    {
        Balance = balance;
        GenBalance = genBalance;
    }

    public void ApplyTopup(long amount)
    {
        Balance += amount;
        Topups++;
    }

    /// <summary>A pay the emulator applied: gift coins go first.</summary>
    public BillOutcome ApplyPay(string billNo, long amt)
    {
        var usedGen = Math.Min(GenBalance, amt);
        GenBalance -= usedGen;
        Balance -= amt;
        var bill = new BillOutcome(BillKind.Pay, amt, usedGen, Applied: true);
        Bills.Add(billNo, bill);
        OpenPays.Add(billNo);
        return bill;
    }

    /// <summary>A pay the emulator refused (90013): it must leave no order behind.</summary>
    public void RefusePay(string billNo, long amt) => Bills.Add(billNo, new BillOutcome(BillKind.Pay, amt, 0, Applied: false));

    /// <summary>A cancelpay the emulator applied: the whole pay goes back, its gift part to the gift balance.</summary>
    public void ApplyCancel(string billNo)
    {
        var pay = Bills[billNo];
        Balance += pay.Amt;
        GenBalance += pay.GenAmt;
        Bills[billNo] = pay with { Cancelled = true };
        OpenPays.Remove(billNo);
    }

    public void ApplyPresent(string billNo, long count)
    {
        Balance += count;
        GenBalance += count;
        Bills.Add(billNo, new BillOutcome(BillKind.Present, count, count, Applied: true));
    }
}

internal enum BillKind
{
    Pay,
    Present,
}

/// <summary>What the client learned of one bill_no: applied (0, or 90012 on a retry) or refused (90013), and whether a cancelpay undid it.</summary>
internal sealed record BillOutcome(BillKind Kind, long Amt, long GenAmt, bool Applied, bool Cancelled = false);
