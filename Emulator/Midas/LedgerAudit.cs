using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MidasEmulator.Midas;

/// <summary>One broken money rule found by <see cref="LedgerAudit"/>; <see cref="Check"/> is a stable name a test can match.</summary>
public sealed record Violation(string Check, string Detail, string? Account = null, string? BillNo = null, long? OrderId = null);

/// <summary>What <see cref="LedgerAudit"/> read and found; at most <see cref="LedgerAudit.MaxListed"/> violations are listed.</summary>
public sealed record AuditReport(int Accounts, long Orders, int ViolationCount, IReadOnlyList<Violation> Violations)
{
    public bool Ok => ViolationCount == 0;
}

/// <summary>
/// The one-call money check (GET /admin/invariants): replays the whole ledger, oldest order first, and checks that
/// every account's stored sums are what its orders add up to, that no balance ever went negative, that each order's
/// balance_after is the running balance (so no order was half applied), that no live bill_no was applied twice,
/// that every cancel reverses exactly one pay, and that 2.0 refunds never give back more than their pay took. It trusts nothing but the orders: the stored accounts and the
/// in-memory ones are what it checks.
/// </summary>
public sealed class LedgerAudit(MoneyRules rules)
{
    public const int MaxListed = 100;

    /// <param name="storedAccounts">The account documents in the database.</param>
    /// <param name="liveAccounts">The accounts the emulator answers from (memory); they must equal the stored ones.</param>
    /// <param name="ordersById">Every order, in id (commit) order.</param>
    /// <param name="expectedOrders">About how many orders there are: the tables are sized once instead of doubling as they fill.</param>
    public AuditReport Check(IEnumerable<Account> storedAccounts, IEnumerable<Account> liveAccounts, IEnumerable<Order> ordersById,
        long expectedOrders = 0)
    {
        var found = new Findings();
        // What the audit keeps per bill and per pay is keyed by digest and holds no references: a million orders make
        // tables of a million entries, and tables of strings and objects made the garbage collector walk them again at
        // every collection (three quarters of the audit's time at a million orders). Names are kept only for the pays a
        // violation can be reported on at the end.
        var replayed = new Dictionary<AccountKey, Account>();
        var capacity = (int)Math.Clamp(expectedOrders, 0, 1 << 26);
        var lastBill = new Dictionary<BillDigest, BillSeen>(capacity);
        var pays = new Pays(capacity);
        long orders = 0;
        long lastId = 0;
        foreach (var order in ordersById)
        {
            orders++;
            if (order.Id <= lastId)
            {
                found.Add(new("order_ids", $"order {order.Id} comes after order {lastId}: ids must rise", OrderId: order.Id));
            }
            lastId = order.Id;
            var before = replayed.GetValueOrDefault(order.Account) ?? Account.Empty(order.Account);
            var after = Replay(before, order);
            replayed[before.Key] = after;
            if (after.Balance != order.BalanceAfter)
            {
                found.Add(new("balance_after", $"{Order.KindName(order.Kind)} order {order.Id} says balance {order.BalanceAfter}, its account's "
                    + $"earlier orders add up to {after.Balance}", order.Account.ToString(), order.BillNo, order.Id));
            }
            if (after.Balance < 0 || after.GenBalance < 0 || after.GenBalance > after.Balance)
            {
                found.Add(new("negative_balance", $"after order {order.Id} the balance is {after.Balance} with gen_balance {after.GenBalance}",
                    order.Account.ToString(), order.BillNo, order.Id));
            }
            CheckBill(order, before.Key, lastBill, found);
            CheckCancel(order, before.Key, pays, found);
        }
        foreach (var pay in pays.All)
        {
            CheckReversed(pay, pays, found);
        }

        var stored = storedAccounts.ToDictionary(a => a.Key);
        var live = liveAccounts.ToDictionary(a => a.Key);
        foreach (var key in stored.Keys.Union(replayed.Keys).Union(live.Keys))
        {
            var expected = replayed.GetValueOrDefault(key) ?? Account.Empty(key);
            CompareSums("ledger_sum", "the stored account", stored.GetValueOrDefault(key), expected, found);
            CompareSums("memory", "the account the emulator answers from", live.GetValueOrDefault(key), expected, found);
        }
        return new AuditReport(stored.Count, orders, found.Count, found.Listed);
    }

    // The effect of one order on its account, as MoneyRules booked it (set: amt is the signed change, gen_amt its gift part).
    private static Account Replay(Account a, Order o) => o.Kind switch
    {
        OrderKind.Pay => a with { Balance = a.Balance - o.Amt, GenBalance = a.GenBalance - o.GenAmt, CostSum = a.CostSum + o.Amt },
        OrderKind.Cancel or OrderKind.Refund => a with { Balance = a.Balance + o.Amt, GenBalance = a.GenBalance + o.GenAmt, CostSum = a.CostSum - o.Amt },
        OrderKind.Present => a with
        {
            Balance = a.Balance + o.Amt, GenBalance = a.GenBalance + o.GenAmt, PresentSum = a.PresentSum + o.Amt, SaveSum = a.SaveSum + o.Amt,
        },
        // A purchase's amt is signed: a platform refund of a coin order takes coins back as a negative purchase.
        OrderKind.Topup or OrderKind.Purchase => a with { Balance = a.Balance + o.Amt, SaveAmt = a.SaveAmt + o.Amt, SaveSum = a.SaveSum + o.Amt },
        OrderKind.Set => a with
        {
            Balance = a.Balance + o.Amt, GenBalance = a.GenBalance + o.GenAmt, SaveAmt = a.SaveAmt + (o.Amt - o.GenAmt),
            PresentSum = a.PresentSum + o.GenAmt, SaveSum = a.SaveSum + o.Amt,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Kind, "an order kind the audit does not know"),
    };

    // A pay or present bill_no may be used again only once the one before it has left the bill_no memory (BillNoTtlHours).
    private void CheckBill(Order order, AccountKey account, Dictionary<BillDigest, BillSeen> lastBill, Findings found)
    {
        if (!Order.HoldsBill(order.Kind) || order.BillNo is null)
        {
            return;
        }
        var key = BillDigest.Of(rules.BillKey(account, order.BillNo));
        if (lastBill.TryGetValue(key, out var earlier) && rules.IsLive(earlier.CreatedAt, order.CreatedAt))
        {
            found.Add(new("bill_no_twice", $"bill_no applied twice within {rules.BillNoTtl.TotalHours:0} h: orders {earlier.Id} and {order.Id}",
                order.Account.ToString(), order.BillNo, order.Id));
        }
        lastBill[key] = new BillSeen(order.Id, order.CreatedAt);
    }

    // Each cancel reverses what is left of the latest pay of its bill_no on the same account, exactly once; each 2.0
    // refund gives back part of one, the refunds of a pay never more than it took, in all and of gift coins.
    private static void CheckCancel(Order order, AccountKey account, Pays pays, Findings found)
    {
        if (order.Kind == OrderKind.Refund)
        {
            CheckRefund(order, account, pays, found);
            return;
        }
        if (order.BillNo is null)
        {
            return;
        }
        if (order.Kind == OrderKind.Pay)
        {
            // A bill_no used again after the bill_no memory let it go: the earlier pay is settled before it is replaced.
            var digest = Pays.DigestOf(account, order.BillNo);
            ref var earlier = ref pays.Find(digest);
            if (!Unsafe.IsNullRef(ref earlier))
            {
                CheckReversed(earlier, pays, found);
            }
            pays.Add(digest, account, order);
            return;
        }
        if (order.Kind != OrderKind.Cancel)
        {
            return;
        }
        ref var pay = ref pays.Find(Pays.DigestOf(account, order.BillNo));
        if (Unsafe.IsNullRef(ref pay))
        {
            found.Add(new("cancel", $"cancel order {order.Id} has no earlier pay of its bill_no", order.Account.ToString(), order.BillNo, order.Id));
            return;
        }
        if (pay.Reversed)
        {
            found.Add(new("cancel", $"pay order {pay.Id} is reversed twice (cancel order {order.Id})", order.Account.ToString(), order.BillNo, order.Id));
        }
        else if (!pay.Cancelled)
        {
            found.Add(new("cancel", $"cancel order {order.Id} reverses pay order {pay.Id}, which is not marked cancelled",
                order.Account.ToString(), order.BillNo, order.Id));
        }
        if (pay.Amt - pay.Refunded != order.Amt || pay.GenAmt - pay.RefundedGen != order.GenAmt)
        {
            found.Add(new("cancel", $"cancel order {order.Id} gives back {order.Amt} (gift {order.GenAmt}); pay order {pay.Id} took "
                + $"{pay.Amt} (gift {pay.GenAmt}) and refunds had given back {pay.Refunded} (gift {pay.RefundedGen})",
                order.Account.ToString(), order.BillNo, order.Id));
        }
        pay.Reversed = true;
    }

    private static void CheckRefund(Order order, AccountKey account, Pays pays, Findings found)
    {
        ref var pay = ref order.PayBillNo is null ? ref Unsafe.NullRef<PayState>() : ref pays.Find(Pays.DigestOf(account, order.PayBillNo));
        if (Unsafe.IsNullRef(ref pay))
        {
            found.Add(new("refund", $"refund order {order.Id} has no earlier pay of its pay_bill_no {order.PayBillNo}",
                order.Account.ToString(), order.BillNo, order.Id));
            return;
        }
        if (pay.Reversed)
        {
            found.Add(new("refund", $"refund order {order.Id} gives back coins of pay order {pay.Id}, which a cancel already reversed",
                order.Account.ToString(), order.BillNo, order.Id));
        }
        pay.Refunded += order.Amt;
        pay.RefundedGen += order.GenAmt;
        // A refunded pay can now end in a violation: keep its names for the report.
        pays.Name(pay.Id, account, order.PayBillNo!);
        if (order.Amt < 1 || order.GenAmt < 0 || order.GenAmt > order.Amt || pay.Refunded > pay.Amt || pay.RefundedGen > pay.GenAmt)
        {
            found.Add(new("refund", $"refunds up to order {order.Id} give back {pay.Refunded} coins (gift {pay.RefundedGen}) of pay order "
                + $"{pay.Id}, which took {pay.Amt} (gift {pay.GenAmt})", order.Account.ToString(), order.PayBillNo, order.Id));
        }
    }

    // Settles a pay: a cancelled pay has its cancel, and the refunded amounts the pay records are what its refunds gave back.
    private static void CheckReversed(in PayState pay, Pays pays, Findings found)
    {
        if (pay.Cancelled && !pay.Reversed)
        {
            var (account, billNo) = pays.NameOf(pay.Id);
            found.Add(new("cancel", $"pay order {pay.Id} is marked cancelled but no cancel order reverses it", account, billNo, pay.Id));
        }
        if (pay.Refunded != pay.RecordedRefunded || pay.RefundedGen != pay.RecordedRefundedGen)
        {
            var (account, billNo) = pays.NameOf(pay.Id);
            found.Add(new("refund", $"pay order {pay.Id} records {pay.RecordedRefunded} coins refunded (gift {pay.RecordedRefundedGen}); its "
                + $"refund orders give back {pay.Refunded} (gift {pay.RefundedGen})", account, billNo, pay.Id));
        }
    }

    private static void CompareSums(string check, string what, Account? actual, Account expected, Findings found)
    {
        // An account with no document and no orders is simply untouched.
        var shown = actual ?? Account.Empty(expected.Key);
        if (shown.Balance < 0 || shown.GenBalance < 0)
        {
            found.Add(new("negative_balance", $"{what} has balance {shown.Balance}, gen_balance {shown.GenBalance}", expected.Key.ToString()));
        }
        var differences = new List<string>();
        void Compare(string field, long have, long want)
        {
            if (have != want)
            {
                differences.Add($"{field} {have} (the ledger adds up to {want})");
            }
        }
        Compare("balance", shown.Balance, expected.Balance);
        Compare("gen_balance", shown.GenBalance, expected.GenBalance);
        Compare("save_amt", shown.SaveAmt, expected.SaveAmt);
        Compare("save_sum", shown.SaveSum, expected.SaveSum);
        Compare("cost_sum", shown.CostSum, expected.CostSum);
        Compare("present_sum", shown.PresentSum, expected.PresentSum);
        if (differences.Count > 0)
        {
            found.Add(new(check, $"{what} has {string.Join(", ", differences)}", expected.Key.ToString()));
        }
    }

    private readonly record struct BillSeen(long Id, DateTimeOffset CreatedAt);

    // No references: see Check.
    private struct PayState(long id, long amt, long genAmt, bool cancelled, long recordedRefunded, long recordedRefundedGen)
    {
        public readonly long Id = id;
        public readonly long Amt = amt;
        public readonly long GenAmt = genAmt;
        public readonly bool Cancelled = cancelled;
        /// <summary>What the pay's own document says its refunds gave back.</summary>
        public readonly long RecordedRefunded = recordedRefunded;
        public readonly long RecordedRefundedGen = recordedRefundedGen;
        public bool Reversed;
        /// <summary>What the refund orders read so far gave back.</summary>
        public long Refunded;
        public long RefundedGen;
    }

    /// <summary>The latest pay of each account and bill_no, by digest, and the names of the few a violation may be reported on.</summary>
    private sealed class Pays(int capacity)
    {
        private readonly Dictionary<BillDigest, PayState> _byBill = new(capacity);
        private readonly Dictionary<long, (string Account, string BillNo)> _names = [];

        public IEnumerable<PayState> All => _byBill.Values;

        public void Add(BillDigest digest, AccountKey account, Order pay)
        {
            _byBill[digest] = new PayState(pay.Id, pay.Amt, pay.GenAmt, pay.Status == OrderStatus.Cancelled, pay.RefundedAmt, pay.RefundedGenAmt);
            // Only a pay marked cancelled or refunded can fail its settling without a later order naming it.
            if (pay.Status == OrderStatus.Cancelled || pay.RefundedAmt != 0 || pay.RefundedGenAmt != 0)
            {
                Name(pay.Id, account, pay.BillNo!);
            }
        }

        /// <summary>The latest pay under this digest, to read or change in place; a null ref when there is none.</summary>
        public ref PayState Find(BillDigest digest) => ref CollectionsMarshal.GetValueRefOrNullRef(_byBill, digest);

        public void Name(long payId, AccountKey account, string billNo) => _names.TryAdd(payId, (account.ToString(), billNo));

        public (string? Account, string? BillNo) NameOf(long payId) =>
            _names.TryGetValue(payId, out var name) ? name : (null, null);

        // Always the account's own key, whatever the bill_no scope: a cancel or refund names a pay of its own account.
        public static BillDigest DigestOf(AccountKey account, string billNo) =>
            BillDigest.Of(new BillKey(account.Env, account.OfferId, account.ZoneId, account.Openid, billNo));
    }

    private sealed class Findings
    {
        private readonly List<Violation> _listed = [];

        public int Count { get; private set; }

        public IReadOnlyList<Violation> Listed => _listed;

        public void Add(Violation violation)
        {
            Count++;
            if (_listed.Count < MaxListed)
            {
                _listed.Add(violation);
            }
        }
    }
}
