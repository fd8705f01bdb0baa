using System.Collections.Concurrent;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

public enum OperationKind
{
    Pay,
    Present,
    Cancel,
    Topup,
    /// <summary>A 2.0 cancelpay: a partial refund of a pay, by its own bill_no.</summary>
    Refund,
}

/// <summary>What a 2.0 refund was meant to be, from what its client knew of the pay's earlier refunds.</summary>
public enum RefundIntent
{
    /// <summary>Within what the pay has left even if every earlier refund of unknown outcome went in: must be applied.</summary>
    Within,
    /// <summary>More than the pay has left even if no refund of unknown outcome went in: must be refused (90018).</summary>
    OverLimit,
    /// <summary>A bill_no an acknowledged refund already has, sent again for another amount: must answer 90012, refund nothing.</summary>
    RepeatedBillNo,
}

/// <summary>How one attempt ended, as the client saw it.</summary>
public enum Seen
{
    /// <summary>errcode 0 (or HTTP 200 for a top-up): the emulator says it is applied.</summary>
    Acknowledged,
    /// <summary>A complete reply with an error: this attempt applied nothing (90012 and 90015 say an earlier one did).</summary>
    Rejected,
    /// <summary>No complete reply: the connection broke (the kill) or timed out. Applied or not, we cannot tell.</summary>
    Unknown,
}

/// <summary>What the ledger must hold for one operation, from the replies alone.</summary>
public enum Expected
{
    /// <summary>Exactly one order.</summary>
    In,
    /// <summary>No order.</summary>
    Out,
    /// <summary>Exactly one order or none: every attempt that could have applied it went unanswered.</summary>
    InOrOut,
}

/// <summary>One reply, or the lack of one. <paramref name="Balance"/> and <paramref name="UsedGen"/> are the acknowledged reply's.</summary>
public sealed record Attempt(Seen Seen, int? Errcode, long? Balance, long? UsedGen, string Detail);

/// <summary>
/// One money operation a client sent, with every attempt at it: a pay, present or 2.0 refund by its bill_no, a cancel by
/// the bill_no it cancels, a top-up by its amount (unique in the run, since a top-up has no other key). Pays and presents
/// go through 1.0 or 2.0 (<paramref name="viaGamePay"/>); a refund is 2.0's and names its pay (<paramref name="payBillNo"/>).
/// </summary>
public sealed class Operation(OperationKind kind, MidasPlayer user, string? billNo, long amt, bool viaGamePay = false, string? payBillNo = null,
    RefundIntent intent = RefundIntent.Within)
{
    private readonly List<Attempt> _attempts = [];

    public OperationKind Kind => kind;

    public MidasPlayer User => user;

    public string? BillNo => billNo;

    public long Amt => amt;

    /// <summary>Sent to /wxa/game/* (virtual payment 2.0) rather than /cgi-bin/midas/sandbox/*.</summary>
    public bool ViaGamePay => viaGamePay || kind == OperationKind.Refund;

    /// <summary>A refund's pay.</summary>
    public string? PayBillNo => payBillNo;

    public RefundIntent Intent => intent;

    /// <summary>The key the ledger check finds it by: bill_no, or the top-up's amount.</summary>
    public string Key => billNo ?? amt.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<Attempt> Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    public void Record(Attempt attempt)
    {
        lock (_attempts)
        {
            _attempts.Add(attempt);
        }
    }

    /// <summary>The errcode by which a later attempt says an earlier one was applied.</summary>
    public int AlreadyAppliedErrcode => kind == OperationKind.Cancel ? 90015 : 90012;

    /// <summary>
    /// An answered 0 (or 90012 / 90015, which say an earlier attempt was applied) puts it in; otherwise any attempt
    /// without a reply leaves it open; otherwise every attempt was refused, and it is out.
    /// </summary>
    public Expected Expected
    {
        get
        {
            var attempts = Attempts;
            if (attempts.Any(a => a.Seen == Seen.Acknowledged || a.Errcode == AlreadyAppliedErrcode))
            {
                return Expected.In;
            }
            return attempts.Any(a => a.Seen == Seen.Unknown) ? Expected.InOrOut : Expected.Out;
        }
    }

    public Attempt? Acknowledgement => Attempts.FirstOrDefault(a => a.Seen == Seen.Acknowledged);

    public override string ToString() =>
        $"{(ViaGamePay ? "2.0 " : "")}{Kind} {Key}{(PayBillNo is null ? "" : $" of pay {PayBillNo} ({Intent})")} of {User.Openid} (amt {Amt}): " + string.Join(", ", Attempts.Select(a => a.Errcode is { } code ? $"{a.Seen} {code}" : $"{a.Seen} ({a.Detail})"));
}

/// <summary>Everything the clients sent and what they were told, shared by the load's workers; the ledger check reads it.</summary>
public sealed class ClientBooks
{
    private readonly ConcurrentDictionary<string, Operation> _pays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Operation> _presents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Operation> _cancels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Operation> _topups = new();
    private readonly ConcurrentDictionary<string, Operation> _refunds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Operation> _repeatedRefunds = new();
    private readonly ConcurrentDictionary<string, List<Operation>> _refundsOfPay = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Operation> _acknowledgedRefunds = new();
    private readonly ConcurrentQueue<Operation> _cancellable = new();
    private readonly ConcurrentQueue<Operation> _unanswered = new();
    private readonly ConcurrentQueue<string> _anomalies = new();
    private long _topupSequence;

    public IReadOnlyDictionary<string, Operation> Pays => _pays;

    public IReadOnlyDictionary<string, Operation> Presents => _presents;

    public IReadOnlyDictionary<string, Operation> Cancels => _cancels;

    public IReadOnlyDictionary<long, Operation> Topups => _topups;

    /// <summary>2.0 refunds by their own bill_no (not the repeats of an acknowledged one's bill_no: <see cref="RepeatedRefunds"/>).</summary>
    public IReadOnlyDictionary<string, Operation> Refunds => _refunds;

    /// <summary>Refunds sent with the bill_no of an acknowledged refund: each must answer 90012 and refund nothing.</summary>
    public IReadOnlyCollection<Operation> RepeatedRefunds => _repeatedRefunds;

    public IEnumerable<Operation> All =>
        _pays.Values.Concat(_presents.Values).Concat(_cancels.Values).Concat(_topups.Values).Concat(_refunds.Values);

    /// <summary>The refunds sent for one pay so far (each by its own bill_no), in the order they were sent.</summary>
    public IReadOnlyList<Operation> RefundsOf(string payBillNo)
    {
        if (!_refundsOfPay.TryGetValue(payBillNo, out var list))
        {
            return [];
        }
        lock (list)
        {
            return [.. list];
        }
    }

    /// <summary>
    /// A 2.0 refund of <paramref name="pay"/>. Its bill_no is new, or for <see cref="RefundIntent.RepeatedBillNo"/> one an
    /// acknowledged refund already has (kept apart, since its key is taken).
    /// </summary>
    public Operation OpenRefund(Operation pay, string billNo, long amount, RefundIntent intent)
    {
        var refund = new Operation(OperationKind.Refund, pay.User, billNo, amount, viaGamePay: true, payBillNo: pay.BillNo, intent: intent);
        if (intent == RefundIntent.RepeatedBillNo)
        {
            _repeatedRefunds.Enqueue(refund);
            return refund;
        }
        if (!_refunds.TryAdd(billNo, refund))
        {
            throw new InvalidOperationException($"refund {billNo} opened twice");
        }
        var list = _refundsOfPay.GetOrAdd(pay.BillNo!, _ => []);
        lock (list)
        {
            list.Add(refund);
        }
        return refund;
    }

    /// <summary>An acknowledged refund, picked with <paramref name="random"/>, whose bill_no a repeat may borrow.</summary>
    public bool TryPickAcknowledgedRefund(Random random, out Operation refund)
    {
        var all = _acknowledgedRefunds.ToArray();
        refund = all.Length == 0 ? null! : all[random.Next(all.Length)];
        return all.Length > 0;
    }

    /// <summary>Replies no operation should ever get (an HTTP error from the WeChat surface, a 0 for a repeated bill_no).</summary>
    public IReadOnlyCollection<string> Anomalies => _anomalies;

    /// <summary>A new operation, in the books before its request leaves, so the ledger check knows every bill_no sent.</summary>
    public Operation Open(OperationKind kind, MidasPlayer user, string? billNo, long amt, bool viaGamePay = false)
    {
        var operation = new Operation(kind, user, billNo, amt, viaGamePay);
        var added = kind switch
        {
            OperationKind.Pay => _pays.TryAdd(billNo!, operation),
            OperationKind.Present => _presents.TryAdd(billNo!, operation),
            OperationKind.Cancel => _cancels.TryAdd(billNo!, operation),
            _ => _topups.TryAdd(amt, operation),
        };
        if (!added)
        {
            throw new InvalidOperationException($"{kind} {billNo ?? amt.ToString(System.Globalization.CultureInfo.InvariantCulture)} opened twice");
        }
        return operation;
    }

    /// <summary>A top-up amount no other top-up of the run has, so its order can be told apart in the ledger.</summary>
    public long NextTopupAmount() => 100 + Interlocked.Increment(ref _topupSequence);

    public void Record(Operation operation, Attempt attempt)
    {
        operation.Record(attempt);
        if (attempt.Seen == Seen.Unknown)
        {
            _unanswered.Enqueue(operation);
            return;
        }
        if (attempt.Seen != Seen.Acknowledged)
        {
            return;
        }
        var acknowledged = operation.Attempts.Count(a => a.Seen == Seen.Acknowledged);
        if (operation.Kind == OperationKind.Pay && acknowledged == 1)
        {
            _cancellable.Enqueue(operation);
        }
        if (operation.Kind == OperationKind.Refund && operation.Intent == RefundIntent.Within && acknowledged == 1)
        {
            _acknowledgedRefunds.Enqueue(operation);
        }
        if (operation.Kind is OperationKind.Pay or OperationKind.Present or OperationKind.Refund && acknowledged > 1)
        {
            _anomalies.Enqueue($"bill_no answered 0 twice (BillNoRepeat=Reject answers a repeat 90012): {operation}");
        }
        if (operation.Kind == OperationKind.Refund && operation.Intent != RefundIntent.Within)
        {
            _anomalies.Enqueue($"a refund that must be refused was acknowledged: {operation}");
        }
    }

    public void Anomaly(string what) => _anomalies.Enqueue(what);

    /// <summary>
    /// An acknowledged pay that no one has cancelled yet, handed to one worker at a time: it sends one cancel or refund
    /// of it and gives it back (<see cref="ReturnPay"/>) if more may follow, so the calls on one pay never overlap.
    /// </summary>
    public bool TryTakePay(out Operation pay) => _cancellable.TryDequeue(out pay!);

    public void ReturnPay(Operation pay) => _cancellable.Enqueue(pay);

    /// <summary>
    /// A third of the pays may be refunded to the last coin and are never cancelled; the rest keep at least one coin back
    /// from refunds, so a later 1.0 cancelpay has something left to reverse (a wholly refunded pay answers it 90015, which
    /// would read as "an earlier attempt went in").
    /// </summary>
    public static bool MayRefundWhole(Operation pay) => pay.Amt % 3 == 0;

    /// <summary>The operations that went unanswered since the last call, each once.</summary>
    public IReadOnlyList<Operation> TakeUnanswered()
    {
        var taken = new List<Operation>();
        while (_unanswered.TryDequeue(out var operation))
        {
            if (!taken.Contains(operation))
            {
                taken.Add(operation);
            }
        }
        return taken;
    }
}
