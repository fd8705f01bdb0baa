using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// The checkpoint check, made from the admin API alone while the workers wait: every account equals the model and
/// is not negative, no bill_no is applied twice, every acknowledged operation is in the ledger exactly once, nothing
/// the client was told failed is there, and each user's ledger ends at the model's balance. For 2.0 refunds: each
/// acknowledged one is one "refund" order naming its pay, with the gift part the model gave back; a refused one (90018)
/// and a reused bill_no (90012) left nothing; each pay shows as refunded_amt and refunded_gen_amt what the model's
/// refunds gave back, never more than it took, and a cancel gave back only what the refunds left.
/// </summary>
internal sealed class LedgerCheck(MidasAdminClient admin, string openidPrefix, IReadOnlyList<SoakUser> users, SoakCounters counters, Violations violations)
{
    public async Task RunAsync(string checkpoint, CancellationToken cancellation)
    {
        await CheckAccountsAsync(checkpoint, cancellation).ConfigureAwait(false);
        CheckLedger(checkpoint, await ReadOrdersAsync(cancellation).ConfigureAwait(false));
        await CheckEmulatorAuditAsync(checkpoint, cancellation).ConfigureAwait(false);
    }

    /// <summary>The emulator's own money check too (GET /admin/invariants): every account, the whole ledger replayed.</summary>
    private async Task CheckEmulatorAuditAsync(string checkpoint, CancellationToken cancellation)
    {
        var audit = await admin.InvariantsAsync(cancellation).ConfigureAwait(false);
        Expect(audit.Ok, checkpoint, $"GET /admin/invariants: {audit.ViolationCount} violations: {string.Join("; ", audit.Violations)}");
    }

    private async Task CheckAccountsAsync(string checkpoint, CancellationToken cancellation)
    {
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation }, async (user, token) =>
        {
            var account = await admin.AccountAsync(user.Openid, cancellation: token).ConfigureAwait(false);
            var (balance, genBalance) = (account.Balance, account.GenBalance);
            Expect(balance == user.Balance, checkpoint, $"{user.Openid}: balance {balance}, the model says {user.Balance}");
            Expect(genBalance == user.GenBalance, checkpoint, $"{user.Openid}: gen_balance {genBalance}, the model says {user.GenBalance}");
            Expect(balance >= 0 && genBalance >= 0 && genBalance <= balance, checkpoint,
                $"{user.Openid}: balance {balance}, gen_balance {genBalance} breaks 0 ≤ gen_balance ≤ balance");
        }).ConfigureAwait(false);
    }

    /// <summary>This run's orders, oldest first (the emulator may hold others, from its seed or earlier runs).</summary>
    private async Task<List<MidasOrder>> ReadOrdersAsync(CancellationToken cancellation) =>
        (await admin.AllOrdersAsync(cancellation: cancellation).ConfigureAwait(false))
            .Where(o => o.Openid.StartsWith(openidPrefix, StringComparison.Ordinal)).ToList();

    private void CheckLedger(string checkpoint, List<MidasOrder> orders)
    {
        var byUser = users.ToDictionary(u => u.Openid, StringComparer.Ordinal);
        var applied = new Dictionary<string, MidasOrder>(StringComparer.Ordinal); // pay and present orders by bill_no
        var cancels = new Dictionary<string, MidasOrder>(StringComparer.Ordinal);
        var refunds = new Dictionary<string, MidasOrder>(StringComparer.Ordinal);
        var topups = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastBalance = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            lastBalance[order.Openid] = order.BalanceAfter;
            switch (order.Kind)
            {
                case "pay" or "present":
                    // A pay and a present share the bill_no scope: any second order for one bill_no is a double charge.
                    Expect(applied.TryAdd(order.BillNo ?? "", order), checkpoint, $"bill_no {order.BillNo} applied twice: orders {applied.GetValueOrDefault(order.BillNo ?? "")?.Id} and {order.Id}");
                    break;
                case "cancel":
                    Expect(cancels.TryAdd(order.BillNo ?? "", order), checkpoint, $"bill_no {order.BillNo} cancelled twice: orders {cancels.GetValueOrDefault(order.BillNo ?? "")?.Id} and {order.Id}");
                    break;
                case "refund":
                    // A refund's bill_no is in the same scope as pays and presents: a second order with it refunded twice.
                    Expect(!applied.ContainsKey(order.BillNo ?? "") && refunds.TryAdd(order.BillNo ?? "", order), checkpoint,
                        $"bill_no {order.BillNo} applied twice: refund order {order.Id} and order {(applied.GetValueOrDefault(order.BillNo ?? "") ?? refunds.GetValueOrDefault(order.BillNo ?? ""))?.Id}");
                    break;
                case "topup":
                    topups[order.Openid] = topups.GetValueOrDefault(order.Openid) + 1;
                    break;
                case "set":
                    break;
                default:
                    Expect(false, checkpoint, $"order {order.Id} has the unknown kind {order.Kind}");
                    break;
            }
        }

        foreach (var user in users)
        {
            Expect(lastBalance.GetValueOrDefault(user.Openid, -1) == user.Balance, checkpoint,
                $"{user.Openid}: the ledger's last balance_after is {lastBalance.GetValueOrDefault(user.Openid, -1)}, the model says {user.Balance}");
            Expect(topups.GetValueOrDefault(user.Openid) == user.Topups, checkpoint,
                $"{user.Openid}: {topups.GetValueOrDefault(user.Openid)} topup orders, {user.Topups} top-ups acknowledged");
            foreach (var (billNo, bill) in user.Bills)
            {
                if (bill.Kind == BillKind.Refund)
                {
                    CheckRefund(checkpoint, user, billNo, bill, refunds.GetValueOrDefault(billNo));
                }
                else
                {
                    CheckBill(checkpoint, user, billNo, bill, applied.GetValueOrDefault(billNo), cancels.GetValueOrDefault(billNo));
                }
            }
        }

        // Every order with a bill_no must be one the client knows of: nothing applied that the client was told was not.
        foreach (var order in applied.Values.Concat(cancels.Values).Concat(refunds.Values))
        {
            Expect(byUser.TryGetValue(order.Openid, out var owner) && owner.Bills.ContainsKey(order.BillNo ?? ""), checkpoint,
                $"order {order.Id} ({order.Kind} {order.BillNo} of {order.Openid}) is no operation the client made");
        }
    }

    private void CheckBill(string checkpoint, SoakUser user, string billNo, BillOutcome bill, MidasOrder? order, MidasOrder? cancel)
    {
        var kind = bill.Kind == BillKind.Pay ? "pay" : "present";
        if (!bill.Applied)
        {
            Expect(order is null && cancel is null, checkpoint, $"{kind} {billNo} was refused (90013) yet the ledger holds order {order?.Id ?? cancel?.Id}");
            return;
        }
        if (!Expect(order is not null, checkpoint, $"acknowledged {kind} {billNo} of {user.Openid} is not in the ledger"))
        {
            return;
        }
        Expect(order!.Kind == kind && order.Openid == user.Openid && order.Amt == bill.Amt && order.GenAmt == bill.GenAmt, checkpoint,
            $"{kind} {billNo}: the ledger has {order.Kind} of {order.Openid} amt {order.Amt} gen_amt {order.GenAmt}, the client acknowledged {kind} of {user.Openid} amt {bill.Amt} gen_amt {bill.GenAmt}");
        Expect(order.Status == (bill.Cancelled ? "cancelled" : "applied"), checkpoint,
            $"{kind} {billNo}: status {order.Status}, the client {(bill.Cancelled ? "cancelled it" : "never cancelled it")}");
        Expect((cancel is not null) == bill.Cancelled, checkpoint,
            $"{kind} {billNo}: {(cancel is null ? "no" : "a")} cancel order, the client {(bill.Cancelled ? "cancelled it" : "never cancelled it")}");
        Expect(cancel is null || (cancel.Openid == user.Openid && cancel.Amt == bill.Amt - bill.Refunded && cancel.GenAmt == bill.GenAmt - bill.RefundedGen), checkpoint,
            $"cancel {billNo}: the ledger has amt {cancel?.Amt} gen_amt {cancel?.GenAmt} of {cancel?.Openid}, the pay was amt {bill.Amt} gen_amt {bill.GenAmt} " +
            $"and refunds had given back {bill.Refunded} (gift {bill.RefundedGen})");
        if (bill.Kind == BillKind.Pay)
        {
            Expect(order.RefundedAmt == bill.Refunded && order.RefundedGenAmt == bill.RefundedGen && bill.Refunded <= bill.Amt, checkpoint,
                $"pay {billNo}: refunded_amt {order.RefundedAmt} refunded_gen_amt {order.RefundedGenAmt}, the client's acknowledged refunds gave back {bill.Refunded} (gift {bill.RefundedGen}) of {bill.Amt}");
        }
    }

    private void CheckRefund(string checkpoint, SoakUser user, string billNo, BillOutcome bill, MidasOrder? order)
    {
        if (!bill.Applied)
        {
            Expect(order is null, checkpoint, $"refund {billNo} was refused (90018) yet the ledger holds order {order?.Id}");
            return;
        }
        if (Expect(order is not null, checkpoint, $"acknowledged refund {billNo} of pay {bill.PayBillNo} of {user.Openid} is not in the ledger"))
        {
            Expect(order!.Openid == user.Openid && order.Amt == bill.Amt && order.GenAmt == bill.GenAmt && order.PayBillNo == bill.PayBillNo && order.Status == "applied",
                checkpoint, $"refund {billNo}: the ledger has {order.Status} refund of {order.Openid} amt {order.Amt} gen_amt {order.GenAmt} of pay {order.PayBillNo}, " +
                $"the client acknowledged amt {bill.Amt} gen_amt {bill.GenAmt} of pay {bill.PayBillNo} of {user.Openid}");
        }
    }

    private bool Expect(bool holds, string checkpoint, string violation)
    {
        Interlocked.Increment(ref counters.Checks);
        if (!holds)
        {
            violations.Add($"[{checkpoint}] {violation}");
        }
        return holds;
    }
}
