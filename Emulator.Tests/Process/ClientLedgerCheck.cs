using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Seeding;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>How the audit's operations stood against the ledger.</summary>
public sealed record AuditFigures(int Orders, int Accounts, int Acknowledged, int AppliedByRepeat, int Refused, int OpenIn, int OpenOut);

/// <summary>
/// Checks the ledger and the accounts, read over the admin API, against what the clients were told and the seed file,
/// with no help from the emulator's own rules: every order is explained by a request a client sent, each bill_no is
/// applied at most once, every acknowledged operation is in exactly once and every refused one is out, each order's
/// balance_after follows from the orders before it on its account (gift coins first, never negative), and each
/// account's balance and sums are its seed plus top-ups and presents, minus pays, plus cancels and 2.0 refunds. Of the
/// refunds: each acknowledged one is in exactly once as a "refund" order naming its pay, a pay never gives back more
/// than it took (in all, and of gift coins), its refunded_amt and refunded_gen_amt are the sums of its refund orders,
/// a cancel reverses only what the refunds left, and a bill_no a refund already had never refunds again.
/// </summary>
public sealed class ClientLedgerCheck(IReadOnlyDictionary<string, SeedUser> seed, ClientBooks books)
{
    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations => _violations;

    public static async Task<IReadOnlyDictionary<string, JsonElement>> ReadAccountsAsync(HttpClient admin, IEnumerable<MidasPlayer> users)
    {
        var accounts = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            accounts[user.Openid] = await admin.GetFromJsonAsync<JsonElement>($"/admin/accounts/{user.Openid}?env=sandbox&appid={MidasDefaults.Appid}");
        }
        return accounts;
    }

    /// <summary>The orders that carry out <paramref name="operation"/>: by bill_no and kind, or a top-up by its amount.</summary>
    public static IReadOnlyList<MidasOrder> OrdersOf(Operation operation, ILookup<(string Kind, string Key), MidasOrder> index) =>
        index[(KindName(operation.Kind), operation.Key)].ToList();

    public static ILookup<(string Kind, string Key), MidasOrder> Index(IReadOnlyList<MidasOrder> orders) =>
        orders.Where(o => o.Kind != "set").ToLookup(o => (o.Kind, o.BillNo ?? o.Amt.ToString(CultureInfo.InvariantCulture)));

    public AuditFigures Check(IReadOnlyList<MidasOrder> orders, IReadOnlyDictionary<string, JsonElement> accounts)
    {
        for (var i = 1; i < orders.Count; i++)
        {
            if (orders[i].Id <= orders[i - 1].Id)
            {
                Fail($"order ids out of order when paging by after_id: {orders[i - 1].Id} then {orders[i].Id}");
            }
        }
        var index = Index(orders);
        CheckBillNos(orders, index);
        CheckRefunds(orders, index);
        CheckEveryOrderWasSent(orders);
        var figures = CheckEveryOperation(index);
        CheckRepeatedRefunds();
        var accountsSeen = CheckAccounts(orders, accounts);
        foreach (var anomaly in books.Anomalies)
        {
            Fail(anomaly);
        }
        return figures with { Orders = orders.Count, Accounts = accountsSeen };
    }

    // No bill_no applied twice: one pay or one present per bill_no (never both), at most one cancel, and a pay is
    // "cancelled" exactly when its cancel is in the ledger.
    private void CheckBillNos(IReadOnlyList<MidasOrder> orders, ILookup<(string Kind, string Key), MidasOrder> index)
    {
        foreach (var group in index.Where(g => g.Count() > 1))
        {
            Fail($"{group.Key.Kind} {group.Key.Key} is in the ledger {group.Count()} times: ids {string.Join(", ", group.Select(o => o.Id))}");
        }
        foreach (var order in orders)
        {
            switch (order.Kind)
            {
                case "pay":
                    if (index.Contains(("present", order.BillNo!)) || index.Contains(("refund", order.BillNo!)))
                    {
                        Fail($"bill_no {order.BillNo} is a pay and also a present or a refund");
                    }
                    var cancelled = index[("cancel", order.BillNo!)].Any(c => c.Openid == order.Openid);
                    if ((order.Status == "cancelled") != cancelled)
                    {
                        Fail($"pay {order.BillNo} (id {order.Id}) is {order.Status}, but the ledger {(cancelled ? "has" : "has no")} cancel for it");
                    }
                    break;
                case "cancel":
                    if (!index[("pay", order.BillNo!)].Any(p => p.Openid == order.Openid && p.Id < order.Id))
                    {
                        Fail($"cancel {order.BillNo} (id {order.Id}) reverses no earlier pay of {order.Openid}");
                    }
                    break;
            }
            if (order.Kind != "pay" && order.Status != "applied")
            {
                Fail($"{order.Kind} id {order.Id} has status {order.Status}");
            }
        }
    }

    // Per pay: its refund orders (by pay_bill_no, same player, later ids) add up to the refunded_amt and refunded_gen_amt
    // it shows, never more than it took; a refund's bill_no is no pay's or present's.
    private void CheckRefunds(IReadOnlyList<MidasOrder> orders, ILookup<(string Kind, string Key), MidasOrder> index)
    {
        var refundsOf = orders.Where(o => o.Kind == "refund").ToLookup(o => (o.Openid, o.PayBillNo ?? ""));
        foreach (var order in orders)
        {
            if (order.Kind == "refund")
            {
                if (index.Contains(("present", order.BillNo!)))
                {
                    Fail($"bill_no {order.BillNo} is both a refund and a present");
                }
                if (!index[("pay", order.PayBillNo ?? "")].Any(p => p.Openid == order.Openid && p.Id < order.Id))
                {
                    Fail($"refund {order.BillNo} (id {order.Id}) names pay {order.PayBillNo}, which is no earlier pay of {order.Openid}");
                }
                continue;
            }
            if (order.Kind != "pay")
            {
                if (order.RefundedAmt is not null || order.RefundedGenAmt is not null)
                {
                    Fail($"{order.Kind} id {order.Id} shows refunded_amt {order.RefundedAmt}, refunded_gen_amt {order.RefundedGenAmt}");
                }
                continue;
            }
            var refunds = refundsOf[(order.Openid, order.BillNo!)].ToList();
            var (amt, gen) = (refunds.Sum(r => r.Amt), refunds.Sum(r => r.GenAmt));
            if (order.RefundedAmt != amt || order.RefundedGenAmt != gen)
            {
                Fail($"pay {order.BillNo} (id {order.Id}) shows refunded_amt {order.RefundedAmt} (gift {order.RefundedGenAmt}); " +
                    $"its {refunds.Count} refund orders add up to {amt} (gift {gen})");
            }
            if (amt > order.Amt || gen > order.GenAmt)
            {
                Fail($"pay {order.BillNo} (id {order.Id}) took {order.Amt} (gift {order.GenAmt}) and its refunds gave back {amt} (gift {gen})");
            }
        }
    }

    // A refund sent with the bill_no of an acknowledged one answers 90012 and is in the ledger no second time (the
    // index check finds two orders of one bill_no); a reply of 0 is in the anomalies.
    private void CheckRepeatedRefunds()
    {
        foreach (var repeat in books.RepeatedRefunds)
        {
            if (repeat.Attempts.FirstOrDefault(a => a.Seen == Seen.Rejected && a.Errcode != 90012) is { } wrong)
            {
                Fail($"a refund with an acknowledged refund's bill_no answered {wrong.Errcode}, not 90012: {repeat}");
            }
        }
    }

    // Nothing appears that no client sent: each order is a seed's set or matches an operation in the books.
    private void CheckEveryOrderWasSent(IReadOnlyList<MidasOrder> orders)
    {
        foreach (var order in orders)
        {
            var operation = order.Kind switch
            {
                "pay" => books.Pays.GetValueOrDefault(order.BillNo ?? ""),
                "present" => books.Presents.GetValueOrDefault(order.BillNo ?? ""),
                "cancel" => books.Cancels.GetValueOrDefault(order.BillNo ?? ""),
                "topup" => books.Topups.GetValueOrDefault(order.Amt),
                "refund" => books.Refunds.GetValueOrDefault(order.BillNo ?? ""),
                _ => null,
            };
            if (order.Kind == "set")
            {
                if (!seed.TryGetValue(order.Openid, out var user) || order.Amt != user.Balance || order.GenAmt != user.GenBalance)
                {
                    Fail($"set id {order.Id} of {order.Openid} (amt {order.Amt}, gen {order.GenAmt}) is not that user's seed");
                }
            }
            else if (operation is null || operation.User.Openid != order.Openid || (order.Kind != "cancel" && operation.Amt != order.Amt)
                || (order.Kind == "refund" && (operation.PayBillNo != order.PayBillNo || operation.Intent != RefundIntent.Within)))
            {
                Fail($"{order.Kind} id {order.Id} ({order.BillNo}, amt {order.Amt}, {order.Openid}) matches nothing a client sent" +
                    (operation is null ? "" : $"; the client sent {operation}"));
            }
        }
    }

    private AuditFigures CheckEveryOperation(ILookup<(string Kind, string Key), MidasOrder> index)
    {
        int acknowledged = 0, byRepeat = 0, refused = 0, openIn = 0, openOut = 0;
        foreach (var operation in books.All)
        {
            var found = OrdersOf(operation, index);
            switch (operation.Expected)
            {
                case Expected.In when found.Count != 1:
                    Fail($"{(operation.Acknowledgement is null ? "confirmed by a repeat answer" : "acknowledged")} but in the ledger {found.Count} times: {operation}");
                    break;
                case Expected.In:
                    if (operation.Acknowledgement is { } ack)
                    {
                        acknowledged++;
                        if (ack.Balance is { } balance && found[0].BalanceAfter != balance)
                        {
                            Fail($"the reply said balance {balance}, but the order (id {found[0].Id}) says {found[0].BalanceAfter}: {operation}");
                        }
                        if (ack.UsedGen is { } usedGen && found[0].GenAmt != usedGen)
                        {
                            Fail($"the reply said used_gen_balance {usedGen}, but the order (id {found[0].Id}) says {found[0].GenAmt}: {operation}");
                        }
                    }
                    else
                    {
                        byRepeat++;
                    }
                    break;
                case Expected.Out when found.Count != 0:
                    Fail($"refused, yet in the ledger (id {found[0].Id}): {operation}");
                    break;
                case Expected.Out:
                    refused++;
                    break;
                case Expected.InOrOut when found.Count > 1:
                    Fail($"unanswered, and in the ledger {found.Count} times: {operation}");
                    break;
                case Expected.InOrOut:
                    _ = found.Count == 1 ? openIn++ : openOut++;
                    break;
            }
        }
        return new AuditFigures(0, 0, acknowledged, byRepeat, refused, openIn, openOut);
    }

    // Replays each account's orders in id order from zero: every balance_after must be what the orders before it add
    // up to (no order half applied), pays take gift coins first and never overdraw, a refund gives back gift coins first
    // up to what its pay took of them and never more than the pay has left, a cancel returns exactly what the pay's
    // refunds left, and the end state is the account the admin API shows.
    private int CheckAccounts(IReadOnlyList<MidasOrder> orders, IReadOnlyDictionary<string, JsonElement> accounts)
    {
        var byAccount = orders.GroupBy(o => o.Openid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var openid in accounts.Keys.Where(a => !byAccount.ContainsKey(a)))
        {
            Fail($"{openid} has an account but not one order, not even its seed");
        }
        foreach (var (openid, list) in byAccount)
        {
            long balance = 0, gen = 0, saveAmt = 0, presentSum = 0, costSum = 0;
            var pays = new Dictionary<string, MidasOrder>(StringComparer.Ordinal);
            var refunded = new Dictionary<string, (long Amt, long Gen)>(StringComparer.Ordinal);
            var cancelled = new HashSet<string>(StringComparer.Ordinal);
            if (list[0].Kind != "set" || list.Count(o => o.Kind == "set") != 1)
            {
                Fail($"{openid}'s ledger does not start with its one seed order");
            }
            foreach (var order in list)
            {
                switch (order.Kind)
                {
                    case "set":
                        balance += order.Amt;
                        gen += order.GenAmt;
                        saveAmt += order.Amt - order.GenAmt;
                        presentSum += order.GenAmt;
                        break;
                    case "topup":
                        Expect(order.GenAmt == 0, order, "a top-up with gift coins");
                        balance += order.Amt;
                        saveAmt += order.Amt;
                        break;
                    case "present":
                        Expect(order.GenAmt == order.Amt, order, "a present whose coins are not all gift coins");
                        balance += order.Amt;
                        gen += order.Amt;
                        presentSum += order.Amt;
                        break;
                    case "pay":
                        Expect(order.Amt <= balance, order, $"a pay of {order.Amt} from a balance of {balance}");
                        Expect(order.GenAmt == Math.Min(gen, order.Amt), order, $"gift part {order.GenAmt}, but {Math.Min(gen, order.Amt)} gift coins come first");
                        balance -= order.Amt;
                        gen -= order.GenAmt;
                        costSum += order.Amt;
                        pays[order.BillNo!] = order;
                        break;
                    case "cancel":
                        var pay = pays.GetValueOrDefault(order.BillNo!);
                        var before = refunded.GetValueOrDefault(order.BillNo!);
                        Expect(pay is not null && pay.Amt - before.Amt == order.Amt && pay.GenAmt - before.Gen == order.GenAmt, order,
                            $"a cancel that returns {order.Amt} ({order.GenAmt} gift) for a pay of {pay?.Amt} ({pay?.GenAmt} gift) " +
                            $"of which refunds gave back {before.Amt} ({before.Gen} gift)");
                        cancelled.Add(order.BillNo!);
                        balance += order.Amt;
                        gen += order.GenAmt;
                        costSum -= order.Amt;
                        break;
                    case "refund":
                        var refundedPay = pays.GetValueOrDefault(order.PayBillNo ?? "");
                        var sofar = refunded.GetValueOrDefault(order.PayBillNo ?? "");
                        if (refundedPay is null || cancelled.Contains(order.PayBillNo!))
                        {
                            Fail($"{openid}: refund id {order.Id} ({order.BillNo}) of pay {order.PayBillNo}, which is {(refundedPay is null ? "no earlier pay" : "cancelled")}");
                        }
                        else
                        {
                            Expect(order.Amt >= 1 && sofar.Amt + order.Amt <= refundedPay.Amt, order,
                                $"a refund of {order.Amt} of a pay of {refundedPay.Amt} of which refunds had given back {sofar.Amt}");
                            Expect(order.GenAmt == Math.Min(order.Amt, refundedPay.GenAmt - sofar.Gen), order,
                                $"gift part {order.GenAmt}, but the pay's {refundedPay.GenAmt - sofar.Gen} unrefunded gift coins go back first");
                            refunded[order.PayBillNo!] = (sofar.Amt + order.Amt, sofar.Gen + order.GenAmt);
                        }
                        balance += order.Amt;
                        gen += order.GenAmt;
                        costSum -= order.Amt;
                        break;
                    default:
                        Fail($"order id {order.Id} has the unknown kind {order.Kind}");
                        break;
                }
                if (order.BalanceAfter != balance || balance < 0 || gen < 0 || gen > balance)
                {
                    Fail($"{openid}: order id {order.Id} ({order.Kind} {order.BillNo} {order.Amt}) says balance_after {order.BalanceAfter}; " +
                        $"the orders up to it add up to balance {balance}, gift {gen}");
                    break;
                }
            }
            if (accounts.TryGetValue(openid, out var account))
            {
                var shown = (account.Number("balance"), account.Number("gen_balance"), account.Number("save_amt"), account.Number("present_sum"),
                    account.Number("save_sum"), account.Number("cost_sum"));
                var added = (balance, gen, saveAmt, presentSum, saveAmt + presentSum, costSum);
                if (shown != added)
                {
                    Fail($"{openid}: the account shows (balance, gen_balance, save_amt, present_sum, save_sum, cost_sum) = {shown}; its seed and orders add up to {added}");
                }
            }
        }
        return accounts.Count;
    }

    private void Expect(bool holds, MidasOrder order, string what)
    {
        if (!holds)
        {
            Fail($"{order.Openid}: order id {order.Id} ({order.Kind} {order.BillNo}): {what}");
        }
    }

    private void Fail(string violation) => _violations.Add(violation);

    public static string KindName(OperationKind kind) => kind switch
    {
        OperationKind.Pay => "pay",
        OperationKind.Present => "present",
        OperationKind.Cancel => "cancel",
        OperationKind.Refund => "refund",
        _ => "topup",
    };
}
