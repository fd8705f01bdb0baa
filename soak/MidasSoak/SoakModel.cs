namespace MidasSoak;

/// <summary>
/// The driver's own model of one user's account: the balance it must have after everything the client was told
/// (seed + top-ups + presents − pays + cancels + 2.0 refunds), and every bill_no the client used with the outcome it learned.
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

    /// <summary>Every pay, present and 2.0 refund bill_no of this user, by bill_no, with what the client knows of it.</summary>
    public Dictionary<string, BillOutcome> Bills { get; } = new(StringComparer.Ordinal);

    /// <summary>Acknowledged pays not cancelled yet with something left to give back: the candidates for a cancelpay or a refund.</summary>
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

    /// <summary>A cancelpay the emulator applied: what refunds left of the pay goes back, its gift part to the gift balance.</summary>
    public void ApplyCancel(string billNo)
    {
        var pay = Bills[billNo];
        Balance += pay.Amt - pay.Refunded;
        GenBalance += pay.GenAmt - pay.RefundedGen;
        Bills[billNo] = pay with { Cancelled = true };
        OpenPays.Remove(billNo);
    }

    /// <summary>A 2.0 refund the emulator applied: gift coins go back first, up to what the pay took of them.</summary>
    public BillOutcome ApplyRefund(string billNo, string payBillNo, long amount)
    {
        var pay = Bills[payBillNo];
        var gen = Math.Min(amount, pay.GenAmt - pay.RefundedGen);
        Balance += amount;
        GenBalance += gen;
        Bills[payBillNo] = pay with { Refunded = pay.Refunded + amount, RefundedGen = pay.RefundedGen + gen };
        if (pay.Refunded + amount == pay.Amt)
        {
            // Nothing left to give back: a cancelpay would answer 90015, a refund 90018.
            OpenPays.Remove(payBillNo);
        }
        var refund = new BillOutcome(BillKind.Refund, amount, gen, Applied: true, PayBillNo: payBillNo);
        Bills.Add(billNo, refund);
        return refund;
    }

    /// <summary>A 2.0 refund the emulator refused (90018, more than the pay has left): it must leave no order behind.</summary>
    public void RefuseRefund(string billNo, string payBillNo, long amount) =>
        Bills.Add(billNo, new BillOutcome(BillKind.Refund, amount, 0, Applied: false, PayBillNo: payBillNo));

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
    Refund,
}

/// <summary>
/// What the client learned of one bill_no: applied (0, or 90012 on a retry) or refused (90013, or 90018 for a refund),
/// whether a cancelpay undid it, and for a pay what 2.0 refunds gave back of it; a refund names its pay.
/// </summary>
internal sealed record BillOutcome(BillKind Kind, long Amt, long GenAmt, bool Applied, bool Cancelled = false, long Refunded = 0, long RefundedGen = 0,
    string? PayBillNo = null);
