using System.Net.Http.Json;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// The fault rules a soak installs (docs/reference.md §1.3): every kind of failure the Midas docs warn about, before and
/// after the commit, as shares of the faulted calls. All rules cover every WeChat endpoint ("*").
/// </summary>
internal static class FaultPlan
{
    private const int ShortDelayMs = 25;

    /// <summary>A delay half as long again as the client's timeout: the attempt is abandoned, and before the commit it commits late.</summary>
    public static int LongDelayMs(SoakOptions options) => (int)(options.CallTimeout.TotalMilliseconds * 1.5);

    public static IReadOnlyList<FaultShape> Shapes(SoakOptions options) =>
    [
        new("errcode -1, before commit", 0.25, ClientSees.SystemBusy, new { action = "errcode", after_commit = false }),
        new("errcode -1, after commit", 0.20, ClientSees.SystemBusy, new { action = "errcode", after_commit = true }),
        new("drop, before commit", 0.10, ClientSees.Dropped, new { action = "drop", after_commit = false }),
        new("drop, after commit", 0.10, ClientSees.Dropped, new { action = "drop", after_commit = true }),
        new("http_status 502, before commit", 0.075, ClientSees.HttpStatus, new { action = "http_status", http_status = 502, after_commit = false }),
        new("http_status 504, after commit", 0.075, ClientSees.HttpStatus, new { action = "http_status", http_status = 504, after_commit = true }),
        new($"delay {ShortDelayMs} ms, before commit", 0.09, ClientSees.SlowReply, new { action = "delay", delay_ms = ShortDelayMs, after_commit = false }),
        new($"delay {ShortDelayMs} ms, after commit", 0.09, ClientSees.SlowReply, new { action = "delay", delay_ms = ShortDelayMs, after_commit = true }),
        new($"delay {LongDelayMs(options)} ms, before commit (client times out)", 0.01, ClientSees.TimedOut, new { action = "delay", delay_ms = LongDelayMs(options), after_commit = false }),
        new($"delay {LongDelayMs(options)} ms, after commit (client times out)", 0.01, ClientSees.TimedOut, new { action = "delay", delay_ms = LongDelayMs(options), after_commit = true }),
    ];

    /// <summary>
    /// Installs the rules and returns their ids in order. Rules are tried oldest first and a
    /// rule that lets a call through leaves it to the next, so rule i gets the probability that makes its
    /// unconditional share rate × share_i: share_i × rate / (1 − rate × the shares before it).
    /// </summary>
    public static async Task<IReadOnlyList<string>> InstallAsync(HttpClient admin, IReadOnlyList<FaultShape> shapes, double rate, int seed,
        CancellationToken cancellation)
    {
        var ids = new List<string>();
        var before = 0.0;
        for (var i = 0; i < shapes.Count; i++)
        {
            var shape = shapes[i];
            var probability = Math.Min(1.0, shape.Share * rate / (1 - rate * before));
            before += shape.Share;
            var rule = JsonSerializer.SerializeToNode(shape.Rule)!.AsObject();
            rule["endpoint"] = "*";
            rule["probability"] = probability;
            rule["seed"] = seed + i;
            using var response = await admin.PostAsJsonAsync("/admin/faults", rule, cancellation).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var created = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation).ConfigureAwait(false);
            ids.Add(created.GetProperty("id").GetString()!);
        }
        return ids;
    }

    /// <summary>Each installed rule's hits, and the calls in scope of the first rule: every WeChat call while the rules were on.</summary>
    public static async Task<(long Calls, IReadOnlyList<long> Hits)> ReadHitsAsync(HttpClient admin, IReadOnlyList<string> ids, CancellationToken cancellation)
    {
        var rules = await admin.GetFromJsonAsync<JsonElement[]>("/admin/faults", cancellation).ConfigureAwait(false) ?? [];
        var byId = rules.ToDictionary(r => r.GetProperty("id").GetString()!, StringComparer.Ordinal);
        var hits = ids.Select(id => byId.TryGetValue(id, out var rule) ? rule.GetProperty("hits").GetInt64() : 0).ToList();
        var calls = ids.Count > 0 && byId.TryGetValue(ids[0], out var first) ? first.GetProperty("matched").GetInt64() : 0;
        return (calls, hits);
    }

    public static async Task RemoveAsync(HttpClient admin, IReadOnlyList<string> ids, CancellationToken cancellation)
    {
        foreach (var id in ids)
        {
            using var response = await admin.DeleteAsync($"/admin/faults/{id}", cancellation).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// One kind of fault, its share of the faulted calls, what the client sees of it, and the rule's fields other than
/// endpoint, probability and seed.
/// </summary>
internal sealed record FaultShape(string Name, double Share, ClientSees Seen, object Rule);

/// <summary>What a fired rule looks like from the client: each but a slow reply makes it retry.</summary>
internal enum ClientSees
{
    SystemBusy,
    HttpStatus,
    Dropped,
    TimedOut,
    SlowReply,
}
