using System.Collections.Concurrent;

namespace MidasSoak;

/// <summary>
/// The run's tallies, shared by every worker (Interlocked). A <see cref="SoakResult"/> holds a <see cref="Snapshot"/>
/// taken once the workers are done.
/// </summary>
public sealed class SoakCounters
{
    public long GetBalance;
    public long PayApplied;
    public long PayRefused;
    public long CancelPay;
    public long Present;
    public long Topup;

    /// <summary>2.0 refunds applied (0, or 90012 on a retry).</summary>
    public long Refund;

    /// <summary>2.0 refunds asking for more than the pay had left: each must answer 90018.</summary>
    public long RefundOverLimit;

    /// <summary>2.0 refunds sent with the bill_no of an applied refund: each must answer 90012.</summary>
    public long RefundBillNoRepeated;

    /// <summary>Operations sent through virtual payment 2.0 (/wxa/game/*); the rest of the WeChat calls are Midas 1.0's.</summary>
    public long ViaGamePay;

    /// <summary>Every WeChat-surface request the client sent, retries included.</summary>
    public long Calls;

    public long RetriedSystemBusy;
    public long RetriedHttpStatus;
    public long RetriedDropped;
    public long RetriedTimedOut;

    /// <summary>Retries answered "already done": 90012 for a pay, present or refund, 90015 for a cancelpay.</summary>
    public long RetryAnsweredRepeat;

    /// <summary>Pays refused (90013) while an abandoned attempt could still commit late, settled by a cancelpay.</summary>
    public long Reconciled;

    /// <summary>Of those, the ones the late attempt had in fact paid: the cancelpay answered 0 and undid it.</summary>
    public long ReconciledLatePays;

    public long Checks;

    private int _mostAttempts;

    public int MostAttempts => Volatile.Read(ref _mostAttempts);

    public long Retries => Interlocked.Read(ref RetriedSystemBusy) + Interlocked.Read(ref RetriedHttpStatus)
        + Interlocked.Read(ref RetriedDropped) + Interlocked.Read(ref RetriedTimedOut);

    /// <summary>A copy of every tally as it stands; taken when no worker is counting any more.</summary>
    internal SoakCounters Snapshot() => (SoakCounters)MemberwiseClone();

    internal void SawAttempts(int attempts)
    {
        var seen = Volatile.Read(ref _mostAttempts);
        while (attempts > seen)
        {
            var previous = Interlocked.CompareExchange(ref _mostAttempts, attempts, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}

/// <summary>Broken invariants: all are counted, the first <see cref="Kept"/> are kept with their details.</summary>
internal sealed class Violations
{
    public const int Kept = 100;

    private readonly ConcurrentQueue<string> _first = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyList<string> First => [.. _first];

    public void Add(string violation)
    {
        if (Interlocked.Increment(ref _count) <= Kept)
        {
            _first.Enqueue(violation);
        }
    }
}
