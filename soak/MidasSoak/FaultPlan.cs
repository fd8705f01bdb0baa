namespace MidasSoak;

/// <summary>
/// The fault rules a soak installs (docs/reference.md §1.3): every kind of failure the Midas docs warn about, before and
/// after the commit, as shares of the faulted calls. Those rules cover every WeChat endpoint ("*"), 1.0's and 2.0's
/// alike; after them come rules on the 2.0 money endpoints by name (game/pay, game/cancelpay, game/present), each a
/// failure after the commit at a fixed probability of the calls the "*" rules let through, so a 2.0 retry is shown to
/// meet its own committed bill_no under each endpoint's name.
/// </summary>
internal static class FaultPlan
{
    private const int ShortDelayMs = 25;

    /// <summary>A delay half as long again as the client's timeout: the attempt is abandoned, and before the commit it commits late.</summary>
    public static int LongDelayMs(SoakOptions options) => (int)(options.CallTimeout.TotalMilliseconds * 1.5);

    public static IReadOnlyList<FaultShape> Shapes(SoakOptions options) =>
    [
        new("errcode -1, before commit", 0.25, ClientSees.SystemBusy, Fault.OnAny().Errcode().AfterCommit(false)),
        new("errcode -1, after commit", 0.20, ClientSees.SystemBusy, Fault.OnAny().Errcode().AfterCommit()),
        new("drop, before commit", 0.10, ClientSees.Dropped, Fault.OnAny().Drop().AfterCommit(false)),
        new("drop, after commit", 0.10, ClientSees.Dropped, Fault.OnAny().Drop().AfterCommit()),
        new("http_status 502, before commit", 0.075, ClientSees.HttpStatus, Fault.OnAny().HttpStatus(502).AfterCommit(false)),
        new("http_status 504, after commit", 0.075, ClientSees.HttpStatus, Fault.OnAny().HttpStatus(504).AfterCommit()),
        new($"delay {ShortDelayMs} ms, before commit", 0.09, ClientSees.SlowReply, Fault.OnAny().Delay(TimeSpan.FromMilliseconds(ShortDelayMs)).AfterCommit(false)),
        new($"delay {ShortDelayMs} ms, after commit", 0.09, ClientSees.SlowReply, Fault.OnAny().Delay(TimeSpan.FromMilliseconds(ShortDelayMs)).AfterCommit()),
        new($"delay {LongDelayMs(options)} ms, before commit (client times out)", 0.01, ClientSees.TimedOut,
            Fault.OnAny().Delay(TimeSpan.FromMilliseconds(LongDelayMs(options))).AfterCommit(false)),
        new($"delay {LongDelayMs(options)} ms, after commit (client times out)", 0.01, ClientSees.TimedOut,
            Fault.OnAny().Delay(TimeSpan.FromMilliseconds(LongDelayMs(options))).AfterCommit()),
        new("game/pay: drop, after commit", 0, ClientSees.Dropped, Fault.On("game/pay").Drop().AfterCommit(), GamePayEndpointProbability),
        new("game/cancelpay: errcode -1, after commit", 0, ClientSees.SystemBusy, Fault.On("game/cancelpay").Errcode().AfterCommit(),
            GamePayEndpointProbability),
        new("game/cancelpay: drop, after commit", 0, ClientSees.Dropped, Fault.On("game/cancelpay").Drop().AfterCommit(), GamePayEndpointProbability),
        new("game/present: http_status 504, after commit", 0, ClientSees.HttpStatus, Fault.On("game/present").HttpStatus(504).AfterCommit(),
            GamePayEndpointProbability),
    ];

    /// <summary>What each rule on a 2.0 endpoint's name fires on, of that endpoint's calls no "*" rule took: about 2% more faults in all (22% of the calls at --fault-rate 0.2).</summary>
    private const double GamePayEndpointProbability = 0.05;

    /// <summary>
    /// Installs the rules and returns their ids in order. Rules are tried oldest first and a
    /// rule that lets a call through leaves it to the next, so rule i gets the probability that makes its
    /// unconditional share rate × share_i: share_i × rate / (1 − rate × the shares before it). A rule on one endpoint
    /// (after all of those) has its own fixed probability instead, unless the rate is 0: then no rule fires.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InstallAsync(MidasAdminClient admin, IReadOnlyList<FaultShape> shapes, double rate, int seed,
        CancellationToken cancellation)
    {
        var ids = new List<string>();
        var before = 0.0;
        for (var i = 0; i < shapes.Count; i++)
        {
            var shape = shapes[i];
            var probability = shape.FixedProbability is { } fixedProbability
                ? (rate > 0 ? fixedProbability : 0)
                : Math.Min(1.0, shape.Share * rate / (1 - rate * before));
            before += shape.Share;
            var created = await admin.AddFaultAsync(shape.Rule.Probability(probability, seed + i), cancellation).ConfigureAwait(false);
            ids.Add(created.Id);
        }
        return ids;
    }

    /// <summary>Each installed rule's hits, and the calls in scope of the first rule: every WeChat call while the rules were on.</summary>
    public static async Task<(long Calls, IReadOnlyList<long> Hits)> ReadHitsAsync(MidasAdminClient admin, IReadOnlyList<string> ids, CancellationToken cancellation)
    {
        var rules = await admin.FaultsAsync(cancellation).ConfigureAwait(false);
        var byId = rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var hits = ids.Select(id => byId.TryGetValue(id, out var rule) ? (long)rule.Hits : 0).ToList();
        var calls = ids.Count > 0 && byId.TryGetValue(ids[0], out var first) ? first.Matched : 0L;
        return (calls, hits);
    }

    public static async Task RemoveAsync(MidasAdminClient admin, IReadOnlyList<string> ids, CancellationToken cancellation)
    {
        foreach (var id in ids)
        {
            await admin.DeleteFaultAsync(id, cancellation).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// One kind of fault, its share of the faulted calls, what the client sees of it, and the rule's fields other than
/// probability and seed; or, for a rule on one endpoint, the probability it fires with (<paramref name="FixedProbability"/>).
/// </summary>
internal sealed record FaultShape(string Name, double Share, ClientSees Seen, FaultRule Rule, double? FixedProbability = null);

/// <summary>What a fired rule looks like from the client: each but a slow reply makes it retry.</summary>
internal enum ClientSees
{
    SystemBusy,
    HttpStatus,
    Dropped,
    TimedOut,
    SlowReply,
}
