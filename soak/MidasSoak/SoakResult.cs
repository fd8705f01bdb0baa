using System.Globalization;
using System.Text;

namespace MidasSoak;

/// <summary>The figures of one soak run. <see cref="Passed"/>: no violation, and the memory stayed flat where it was measured.</summary>
public sealed record SoakResult
{
    public required SoakOptions Options { get; init; }

    public required TimeSpan Duration { get; init; }

    public required long Operations { get; init; }

    /// <summary>The client's tallies: operations by kind, calls sent, retries by cause, checks made.</summary>
    public required SoakCounters Counts { get; init; }

    /// <summary>The WeChat-surface calls the emulator saw while the fault rules were on (the first rule's matched count).</summary>
    public required long CallsInScope { get; init; }

    /// <summary>How often each fault rule fired, by the emulator's own count.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> Faults { get; init; }

    public required int CheckpointsDone { get; init; }

    public required long ViolationCount { get; init; }

    public required IReadOnlyList<string> Violations { get; init; }

    public required IReadOnlyList<RssSample> Rss { get; init; }

    public required long? PeakRssKib { get; init; }

    public required MemoryVerdict? Memory { get; init; }

    public long FaultHits => Faults.Sum(f => f.Value);

    public bool Passed => ViolationCount == 0 && Memory?.Flat != false;

    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"soak: {Operations:N0} operations over {Options.Users:N0} users, {Options.Workers} workers, {Options.FaultRate * 100:0.#}% of WeChat calls faulted, seed {Options.Seed}; {Duration.TotalSeconds:F1} s ({Operations / Duration.TotalSeconds:N0} ops/s)");
        text.AppendLine(c, $"operations: getbalance {Counts.GetBalance:N0}, pay {Counts.PayApplied + Counts.PayRefused:N0} ({Counts.PayApplied:N0} applied, {Counts.PayRefused:N0} refused 90013), cancelpay {Counts.CancelPay:N0}, 2.0 refund {Counts.Refund + Counts.RefundOverLimit + Counts.RefundBillNoRepeated:N0} ({Counts.Refund:N0} applied, {Counts.RefundOverLimit:N0} over the limit refused 90018, {Counts.RefundBillNoRepeated:N0} with a used bill_no refused 90012), present {Counts.Present:N0}, top-up (admin) {Counts.Topup:N0}");
        text.AppendLine(c, $"api: {Counts.ViaGamePay:N0} operations through virtual payment 2.0 (/wxa/game/*), {Operations - Counts.Topup - Counts.ViaGamePay:N0} through Midas 1.0 (/cgi-bin/midas/sandbox/*), {Options.GamePayShare}% asked for");
        text.AppendLine(c, $"calls: {Counts.Calls:N0} sent by the client; the emulator saw {CallsInScope:N0} and faulted {FaultHits:N0} ({(CallsInScope == 0 ? 0 : 100.0 * FaultHits / CallsInScope):F1}%):");
        foreach (var (fault, hits) in Faults)
        {
            text.AppendLine(c, $"  {hits,8:N0}  {fault}");
        }
        text.AppendLine(c, $"retries: {Counts.Retries:N0} (errcode -1 {Counts.RetriedSystemBusy:N0}, HTTP 5xx {Counts.RetriedHttpStatus:N0}, dropped {Counts.RetriedDropped:N0}, timed out {Counts.RetriedTimedOut:N0}); {Counts.RetryAnsweredRepeat:N0} retries answered \"already done\" (90012/90015); most attempts for one operation {Counts.MostAttempts}");
        text.AppendLine(c, $"refused pays with an abandoned attempt, settled by cancelpay: {Counts.Reconciled:N0} ({Counts.ReconciledLatePays:N0} had paid late)");
        text.AppendLine(c, $"checks: {Counts.Checks:N0} comparisons (every reply against the model, plus {CheckpointsDone} checkpoints of every account and the whole ledger); violations: {ViolationCount:N0}");
        foreach (var violation in Violations)
        {
            text.AppendLine(c, $"  VIOLATION {violation}");
        }
        if (Rss.Count > 0)
        {
            text.AppendLine(c, $"rss (MB): {string.Join(", ", Rss.Select(s => string.Create(c, $"{s.Checkpoint} {s.RssKib / 1024.0:F0}")))}; peak {PeakRssKib / 1024.0:F0}");
        }
        if (Memory is null && Rss.Count > 0)
        {
            text.AppendLine(c, $"memory: not judged; {Operations:N0} operations are too few to tell a leak from warm-up ({Options.MemoryVerdictMinOperations:N0} needed)");
        }
        if (Memory is not null)
        {
            text.AppendLine(c, $"memory: {Memory.From.Checkpoint} → {Memory.To.Checkpoint}: {Memory.GrowthMb:+0.0;-0.0} MB, limit {Memory.LimitMb:F1} MB ({Memory.SlackMb:F0} MB slack + {MemoryVerdict.BillMemoryBytesAllowed} B × {Memory.To.BillNos - Memory.From.BillNos:N0} new bill_nos): {(Memory.Flat ? "flat" : "GROWING")}");
        }
        text.Append(Passed ? "PASS" : "FAIL");
        return text.ToString();
    }
}

/// <summary>The emulator's RSS after a checkpoint's operations, before its checks read the ledger, and the bill_nos applied by then.</summary>
public sealed record RssSample(string Checkpoint, long OperationsDone, long BillNos, long RssKib);

/// <summary>
/// RSS growth from the 30% checkpoint (start-up, JIT, the connection pool and the journal's 1,000 entries are behind
/// it) to the last one. What may grow legitimately is the 48 h bill_no memory, about 80 bytes per pay, present or 2.0 refund,
/// allowed twice over because its table doubles as it grows; on top of that a fixed slack for LiteDB's page cache
/// and the GC's timing. Anything kept per call (journal, fault rules, connections, logs) must stay bounded.
/// </summary>
public sealed record MemoryVerdict(RssSample From, RssSample To, double SlackMb)
{
    public const int BillMemoryBytesAllowed = 2 * 80;

    public double GrowthMb => (To.RssKib - From.RssKib) / 1024.0;

    public double LimitMb => SlackMb + (To.BillNos - From.BillNos) * (double)BillMemoryBytesAllowed / (1024 * 1024);

    public bool Flat => GrowthMb <= LimitMb;
}
