using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// One concurrent game backend. It owns its users outright (no other worker touches them), so after each operation
/// its model of them is exact and every reply can be checked against it at once. A share of its getbalances, pays and
/// presents (<see cref="SoakOptions.GamePayShare"/>) goes through virtual payment 2.0 (/wxa/game/*) on the same players
/// and ledger, and as large a share of its reversals are 2.0 refunds (partial, several per pay, some over what is left,
/// some with a used bill_no) rather than 1.0 cancelpays; a pay from either API is reversed through either.
/// </summary>
internal sealed class SoakWorker(int index, IReadOnlyList<SoakUser> users, GameBackendCaller caller, MidasAdminClient admin, string runTag,
    SoakOptions options, SoakCounters counters, Violations violations)
{
    // The operation mix, in percent: getbalance, pay, reversal (1.0 cancelpay or 2.0 refund), present, admin top-up.
    private const int GetBalanceShare = 30, PayShare = 35, CancelShare = 15, PresentShare = 10;

    /// <summary>Of the 2.0 refunds, these shares (percent) ask for more than the pay has left (90018) or reuse a refund's bill_no (90012).</summary>
    private const int RefundOverLimitShare = 15, RefundRepeatShare = 10;

    /// <summary>Of the pays, this share (percent) asks for more than the balance, to check 90013 leaves nothing behind.</summary>
    private const int OverdrawShare = 5;

    // Not HashCode.Combine: that is salted per process, and a run must be repeatable from its seed.
    private readonly Random _random = new(unchecked((options.Seed * 7919) + index));
    private int _nextBill;

    public async Task RunAsync(int operations, CancellationToken cancellation)
    {
        for (var i = 0; i < operations && users.Count > 0; i++)
        {
            var user = users[_random.Next(users.Count)];
            var roll = _random.Next(100);
            if (roll < GetBalanceShare)
            {
                await GetBalanceAsync(user, cancellation).ConfigureAwait(false);
            }
            else if (roll < GetBalanceShare + PayShare)
            {
                await PayAsync(user, cancellation).ConfigureAwait(false);
            }
            else if (roll < GetBalanceShare + PayShare + CancelShare)
            {
                if (ViaGamePay())
                {
                    await RefundAsync(user, cancellation).ConfigureAwait(false);
                }
                else
                {
                    await CancelPayAsync(user, cancellation).ConfigureAwait(false);
                }
            }
            else if (roll < GetBalanceShare + PayShare + CancelShare + PresentShare)
            {
                await PresentAsync(user, cancellation).ConfigureAwait(false);
            }
            else
            {
                await TopupAsync(user, cancellation).ConfigureAwait(false);
            }
        }
    }

    private bool ViaGamePay() => _random.Next(100) < options.GamePayShare;

    /// <summary>The call through 2.0 or 1.0: the same operation, by 2.0's field names or 1.0's.</summary>
    private Task<MidasAnswer> CallAsync(bool viaGamePay, string op, SoakUser user, IReadOnlyList<KeyValuePair<string, object>> fields,
        CancellationToken cancellation)
    {
        if (viaGamePay)
        {
            Interlocked.Increment(ref counters.ViaGamePay);
            return caller.CallGamePayUntilDefiniteAsync(op, user, fields, cancellation);
        }
        return caller.CallUntilDefiniteAsync(op, user, fields, cancellation);
    }

    private async Task GetBalanceAsync(SoakUser user, CancellationToken cancellation)
    {
        var viaGamePay = ViaGamePay();
        var answer = await CallAsync(viaGamePay, "getbalance", user, [], cancellation).ConfigureAwait(false);
        Interlocked.Increment(ref counters.GetBalance);
        if (Expect(answer.Errcode == 0, $"{Api(viaGamePay)}getbalance of {user.Openid} answered {Describe(answer)}"))
        {
            var gen = answer.Number(viaGamePay ? "present_balance" : "gen_balance");
            Expect(answer.Number("balance") == user.Balance && gen == user.GenBalance,
                $"{Api(viaGamePay)}getbalance of {user.Openid}: balance {answer.Number("balance")} gift {gen}, the model says {user.Balance} and {user.GenBalance}");
        }
    }

    private async Task PayAsync(SoakUser user, CancellationToken cancellation)
    {
        var billNo = NextBillNo();
        var overdraw = user.Balance == 0 || _random.Next(100) < OverdrawShare;
        var amt = overdraw ? user.Balance + 1 + _random.Next(100) : 1 + _random.Next((int)Math.Min(user.Balance, 300));
        var viaGamePay = ViaGamePay();
        var answer = await CallAsync(viaGamePay, "pay", user, [new(viaGamePay ? "amount" : "amt", amt), new("bill_no", billNo)], cancellation)
            .ConfigureAwait(false);
        switch (answer.Errcode)
        {
            case 0 or 90012 when !overdraw:
                Expect(answer.Errcode == 0 || answer.Attempts > 1, $"pay {billNo}: a new bill_no answered 90012 on its first attempt");
                CountRepeat(answer);
                var bill = user.ApplyPay(billNo, amt);
                Interlocked.Increment(ref counters.PayApplied);
                // The first reply, or its replay (BillNoRepeat=Replay), shows the state right after this pay.
                if (answer.Has("balance") && viaGamePay)
                {
                    Expect(answer.Number("balance") == user.Balance && answer.Number("used_present_amount") == bill.GenAmt,
                        $"2.0 pay {billNo}: balance {answer.Number("balance")} used_present_amount {answer.Number("used_present_amount")}, the model says {user.Balance} and {bill.GenAmt}");
                }
                else if (answer.Has("balance"))
                {
                    Expect(answer.Number("balance") == user.Balance && answer.Number("used_gen_balance") == bill.GenAmt && answer.Number("used_gen_amt") == bill.GenAmt,
                        $"pay {billNo}: balance {answer.Number("balance")} used_gen_balance {answer.Number("used_gen_balance")}, the model says {user.Balance} and {bill.GenAmt}");
                }
                break;
            case 90013 when overdraw:
                await SettleRefusedPayAsync(user, billNo, amt, answer, cancellation).ConfigureAwait(false);
                break;
            default:
                Expect(false, $"{Api(viaGamePay)}pay {billNo} of {user.Openid}, amt {amt} against a balance of {user.Balance}, answered {Describe(answer)}");
                break;
        }
    }

    /// <summary>
    /// A 90013 is final only if no abandoned attempt can still commit. One that timed out may be held by the emulator
    /// (a slow commit) and pay later, once a top-up has made the balance enough. So the backend waits out the longest
    /// hold and cancels the bill_no, as docs/reference.md §1.3, "What a correct backend does", step 3 says: 90000 means it never paid.
    /// </summary>
    private async Task SettleRefusedPayAsync(SoakUser user, string billNo, long amt, MidasAnswer answer, CancellationToken cancellation)
    {
        Interlocked.Increment(ref counters.PayRefused);
        if (answer.LastTimedOutAttemptStarted is not { } started)
        {
            user.RefusePay(billNo, amt);
            return;
        }
        Interlocked.Increment(ref counters.Reconciled);
        // The hold, plus a margin for a loaded machine, where the held attempt may run later still.
        var wait = TimeSpan.FromMilliseconds(FaultPlan.LongDelayMs(options) + 2000) - Stopwatch.GetElapsedTime(started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellation).ConfigureAwait(false);
        }
        var cancel = await caller.CallUntilDefiniteAsync("cancelpay", user, [new("bill_no", billNo)], cancellation).ConfigureAwait(false);
        switch (cancel.Errcode)
        {
            case 90000:
                user.RefusePay(billNo, amt);
                break;
            case 0 or 90015:
                // The late attempt paid after all, and this cancel (or an earlier attempt of it) undid it.
                Interlocked.Increment(ref counters.ReconciledLatePays);
                user.ApplyPay(billNo, amt);
                user.ApplyCancel(billNo);
                break;
            default:
                Expect(false, $"cancelpay {billNo} settling a refused pay answered {Describe(cancel)}");
                break;
        }
    }

    private async Task CancelPayAsync(SoakUser user, CancellationToken cancellation)
    {
        if (user.OpenPays.Count == 0)
        {
            // Nothing of this user's to cancel yet: a getbalance instead, so every slice still makes its count of operations.
            await GetBalanceAsync(user, cancellation).ConfigureAwait(false);
            return;
        }
        var billNo = user.OpenPays[_random.Next(user.OpenPays.Count)];
        var answer = await caller.CallUntilDefiniteAsync("cancelpay", user, [new("bill_no", billNo)], cancellation).ConfigureAwait(false);
        // 90015 "already rolled back" on a retry means an earlier attempt of this very cancel went through.
        if (Expect(answer.Errcode == 0 || (answer.Errcode == 90015 && answer.Attempts > 1), $"cancelpay {billNo} of {user.Openid} answered {Describe(answer)}"))
        {
            CountRepeat(answer);
            user.ApplyCancel(billNo);
            Interlocked.Increment(ref counters.CancelPay);
        }
    }

    /// <summary>
    /// A 2.0 cancelpay: a refund of part (or the rest) of an open pay by a bill_no of its own; or one asking for more than
    /// the pay has left, which must answer 90018 and leave nothing; or one reusing a refund's bill_no (another amount, so
    /// BillNoRepeat=Replay does not take it for the same request), which must answer 90012 and refund nothing.
    /// </summary>
    private async Task RefundAsync(SoakUser user, CancellationToken cancellation)
    {
        if (user.OpenPays.Count == 0)
        {
            await GetBalanceAsync(user, cancellation).ConfigureAwait(false);
            return;
        }
        var payBillNo = user.OpenPays[_random.Next(user.OpenPays.Count)];
        var pay = user.Bills[payBillNo];
        var left = pay.Amt - pay.Refunded;
        var roll = _random.Next(100);
        var usedRefunds = roll < RefundRepeatShare ? user.Bills.Where(b => b.Value.Kind == BillKind.Refund && b.Value.Applied).Select(b => b.Key).ToList() : [];
        if (usedRefunds.Count > 0)
        {
            var used = usedRefunds[_random.Next(usedRefunds.Count)];
            var amount = user.Bills[used].Amt + 1;
            var repeat = await caller.CallGamePayUntilDefiniteAsync("cancelpay", user,
                [new("amount", amount), new("bill_no", used), new("pay_bill_no", payBillNo)], cancellation).ConfigureAwait(false);
            Interlocked.Increment(ref counters.ViaGamePay);
            Interlocked.Increment(ref counters.RefundBillNoRepeated);
            Expect(repeat.Errcode == 90012, $"2.0 cancelpay of pay {payBillNo} with the used refund bill_no {used}, amount {amount}, answered {Describe(repeat)}");
            return;
        }
        var billNo = NextBillNo();
        var overLimit = roll < RefundRepeatShare + RefundOverLimitShare;
        var refundAmount = overLimit ? left + 1 + _random.Next(20) : _random.Next(3) == 0 ? left : 1 + _random.Next((int)Math.Min(left, int.MaxValue));
        var answer = await CallAsync(true, "cancelpay", user, [new("amount", refundAmount), new("bill_no", billNo), new("pay_bill_no", payBillNo)], cancellation)
            .ConfigureAwait(false);
        if (overLimit)
        {
            Interlocked.Increment(ref counters.RefundOverLimit);
            if (Expect(answer.Errcode == 90018, $"2.0 cancelpay {billNo} of {refundAmount} of pay {payBillNo} with {left} left answered {Describe(answer)}"))
            {
                user.RefuseRefund(billNo, payBillNo, refundAmount);
            }
            return;
        }
        if (Expect(answer.Errcode == 0 || (answer.Errcode == 90012 && answer.Attempts > 1),
            $"2.0 cancelpay {billNo} of {refundAmount} of pay {payBillNo} with {left} left, of {user.Openid}, answered {Describe(answer)}"))
        {
            CountRepeat(answer);
            user.ApplyRefund(billNo, payBillNo, refundAmount);
            Interlocked.Increment(ref counters.Refund);
        }
    }

    private async Task PresentAsync(SoakUser user, CancellationToken cancellation)
    {
        var billNo = NextBillNo();
        var count = 1 + _random.Next(50);
        var viaGamePay = ViaGamePay();
        var answer = await CallAsync(viaGamePay, "present", user, [new("bill_no", billNo), new(viaGamePay ? "amount" : "present_counts", count)], cancellation)
            .ConfigureAwait(false);
        if (Expect(answer.Errcode == 0 || (answer.Errcode == 90012 && answer.Attempts > 1), $"{Api(viaGamePay)}present {billNo} of {user.Openid} answered {Describe(answer)}"))
        {
            CountRepeat(answer);
            user.ApplyPresent(billNo, count);
            Interlocked.Increment(ref counters.Present);
            if (answer.Has("balance"))
            {
                Expect(answer.Number("balance") == user.Balance, $"present {billNo}: balance {answer.Number("balance")}, the model says {user.Balance}");
            }
        }
    }

    /// <summary>A top-up over the admin API (it stands in for wx.requestMidasPayment); the admin API is never faulted.</summary>
    private async Task TopupAsync(SoakUser user, CancellationToken cancellation)
    {
        var amount = 100 + _random.Next(900);
        var account = await admin.TopupAsync(user.Openid, amount, cancellation: cancellation).ConfigureAwait(false);
        user.ApplyTopup(amount);
        Interlocked.Increment(ref counters.Topup);
        Expect(account.Balance == user.Balance, $"topup of {user.Openid}: balance {account.Balance}, the model says {user.Balance}");
    }

    private static string Api(bool viaGamePay) => viaGamePay ? "2.0 " : "";

    private string NextBillNo() => string.Create(CultureInfo.InvariantCulture, $"{runTag}-{index}-{++_nextBill}");

    private void CountRepeat(MidasAnswer answer)
    {
        if (answer.Errcode != 0)
        {
            Interlocked.Increment(ref counters.RetryAnsweredRepeat);
        }
    }

    private static string Describe(MidasAnswer answer) =>
        answer.Errcode is null ? $"nothing definite in {answer.Attempts} attempts" : $"{answer.Reply.GetRawText()} after {answer.Attempts} attempt(s)";

    private bool Expect(bool holds, string violation)
    {
        Interlocked.Increment(ref counters.Checks);
        if (!holds)
        {
            violations.Add(violation);
        }
        return holds;
    }
}
