using System.Collections.Concurrent;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

public enum OperationKind
{
    Pay,
    Present,
    Cancel,
    Topup,
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
/// One money operation a client sent, with every attempt at it: a pay or present by its bill_no, a cancel by the bill_no
/// it cancels, a top-up by its amount (unique in the run, since a top-up has no other key).
/// </summary>
public sealed class Operation(OperationKind kind, MidasPlayer user, string? billNo, long amt)
{
    private readonly List<Attempt> _attempts = [];

    public OperationKind Kind => kind;

    public MidasPlayer User => user;

    public string? BillNo => billNo;

    public long Amt => amt;

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
        $"{Kind} {Key} of {User.Openid} (amt {Amt}): " + string.Join(", ", Attempts.Select(a => a.Errcode is { } code ? $"{a.Seen} {code}" : $"{a.Seen} ({a.Detail})"));
}

/// <summary>Everything the clients sent and what they were told, shared by the load's workers; the ledger check reads it.</summary>
public sealed class ClientBooks
{
    private readonly ConcurrentDictionary<string, Operation> _pays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Operation> _presents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Operation> _cancels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Operation> _topups = new();
    private readonly ConcurrentQueue<Operation> _cancellable = new();
    private readonly ConcurrentQueue<Operation> _unanswered = new();
    private readonly ConcurrentQueue<string> _anomalies = new();
    private long _topupSequence;

    public IReadOnlyDictionary<string, Operation> Pays => _pays;

    public IReadOnlyDictionary<string, Operation> Presents => _presents;

    public IReadOnlyDictionary<string, Operation> Cancels => _cancels;

    public IReadOnlyDictionary<long, Operation> Topups => _topups;

    public IEnumerable<Operation> All => _pays.Values.Concat(_presents.Values).Concat(_cancels.Values).Concat(_topups.Values);

    /// <summary>Replies no operation should ever get (an HTTP error from the WeChat surface, a 0 for a repeated bill_no).</summary>
    public IReadOnlyCollection<string> Anomalies => _anomalies;

    /// <summary>A new operation, in the books before its request leaves, so the ledger check knows every bill_no sent.</summary>
    public Operation Open(OperationKind kind, MidasPlayer user, string? billNo, long amt)
    {
        var operation = new Operation(kind, user, billNo, amt);
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
        if (operation.Kind is OperationKind.Pay or OperationKind.Present && acknowledged > 1)
        {
            _anomalies.Enqueue($"bill_no answered 0 twice (BillNoRepeat=Reject answers a repeat 90012): {operation}");
        }
    }

    public void Anomaly(string what) => _anomalies.Enqueue(what);

    /// <summary>An acknowledged pay that no one has cancelled yet; each is handed out once.</summary>
    public bool TryTakeCancellable(out Operation pay) => _cancellable.TryDequeue(out pay!);

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
