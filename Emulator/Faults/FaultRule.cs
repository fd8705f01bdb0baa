using MidasEmulator.Midas;

namespace MidasEmulator.Faults;

public enum FaultAction
{
    /// <summary>HTTP 200 with {"errcode","errmsg"}: -1 "system busy" unless the rule says otherwise.</summary>
    Errcode,

    /// <summary>An HTTP error status with a gateway-style HTML body, as a proxy in front of WeChat answers.</summary>
    HttpStatus,

    /// <summary>The TCP connection is aborted with no reply.</summary>
    Drop,

    /// <summary>The request waits delay_ms (before the operation, or before the reply with after_commit) and is then served; a push attempt waits delay_ms before it is sent.</summary>
    Delay,

    /// <summary>Pushes only: the attempt is sent twice, the copy a moment after the first answer.</summary>
    Duplicate,

    /// <summary>Pushes only: the push is held until the next push to the same player has been sent.</summary>
    Reorder,

    /// <summary>Pushes only: the attempt is recorded as failed without being sent, so the retry schedule moves on.</summary>
    FailAttempt,
}

/// <summary>A fault rule as posted to /admin/faults (docs/reference.md §1.3), already validated.</summary>
public sealed record FaultSpec(
    string Endpoint,
    FaultAction Action,
    int Errcode,
    string Errmsg,
    int HttpStatus,
    int DelayMs,
    bool AfterCommit,
    double Probability,
    int? Times,
    string? Openid,
    string? BillNo,
    int SkipFirst,
    int? Seed)
{
    public const string AnyEndpoint = "*";

    /// <summary>The scope of a rule for every push; <c>push:&lt;event&gt;</c> scopes it to one event.</summary>
    public const string AnyPush = "push";

    /// <summary>The name a push attempt is matched by: push:&lt;event&gt;.</summary>
    public static string PushEndpoint(string eventName) => AnyPush + ":" + eventName;

    public static bool IsPushScope(string endpoint) => endpoint == AnyPush || endpoint.StartsWith(AnyPush + ":", StringComparison.Ordinal);

    /// <summary>The actions a push rule may take; the others (errcode, http_status, drop) are for calls.</summary>
    public static bool IsPushAction(FaultAction action) => action is FaultAction.Delay or FaultAction.Duplicate or FaultAction.Reorder or FaultAction.FailAttempt;

    public static bool IsCallAction(FaultAction action) => action is FaultAction.Errcode or FaultAction.HttpStatus or FaultAction.Drop or FaultAction.Delay;

    /// <summary>
    /// The names a rule can scope to: the four Midas 1.0 operations, the two auth calls, and the 2.0 calls named by their
    /// path after /wxa/ (docs/reference.md §1.3).
    /// </summary>
    public static readonly IReadOnlyList<string> Endpoints =
    [
        "getbalance", "pay", "cancelpay", "present", "token", "jscode2session",
        "game/getbalance", "game/pay", "game/cancelpay", "game/present", "game/queryorderinfo", "checksession",
    ];

    // "*" is every call, never a push: a push rule names push or push:<event>.
    public bool Matches(string endpoint, string? openid, string? billNo) =>
        (Endpoint == endpoint
         || (Endpoint == AnyEndpoint && !IsPushScope(endpoint))
         || (Endpoint == AnyPush && endpoint.StartsWith(AnyPush + ":", StringComparison.Ordinal)))
        && (Openid is null || Openid == openid)
        && (BillNo is null || BillNo == billNo);
}

/// <summary>
/// A registered rule and its counters. <see cref="FaultRules"/> holds its lock around every call, so the
/// counters and the random sequence advance one request at a time, in arrival order.
/// </summary>
public sealed class FaultRule(string id, FaultSpec spec)
{
    // A seeded rule draws the same sequence on every run; an unseeded one is merely random.
    private readonly Random _random = spec.Seed is { } seed ? new Random(seed) : new Random();

    public string Id { get; } = id;

    public FaultSpec Spec { get; } = spec;

    /// <summary>Requests in scope so far, fired or not.</summary>
    public int Matched { get; private set; }

    /// <summary>Requests the rule fired on.</summary>
    public int Hits { get; private set; }

    /// <summary>False once the rule has fired <c>times</c> times.</summary>
    public bool Active => Spec.Times is not { } times || Hits < times;

    /// <summary>Counts a request in scope and decides whether the rule fires on it.</summary>
    internal bool TryFire()
    {
        Matched++;
        if (Matched <= Spec.SkipFirst)
        {
            return false;
        }
        // Probability 1 draws nothing, so adding a seed to a certain rule changes nothing.
        if (Spec.Probability < 1 && _random.NextDouble() >= Spec.Probability)
        {
            return false;
        }
        Hits++;
        return true;
    }
}

/// <summary>The action names on the wire: errcode, http_status, drop, delay; for pushes duplicate, reorder, fail_attempt.</summary>
public static class FaultActions
{
    private static readonly WireNames<FaultAction> Names = new(
        (FaultAction.Errcode, "errcode"), (FaultAction.HttpStatus, "http_status"), (FaultAction.Drop, "drop"), (FaultAction.Delay, "delay"),
        (FaultAction.Duplicate, "duplicate"), (FaultAction.Reorder, "reorder"), (FaultAction.FailAttempt, "fail_attempt"));

    public static string ToWire(FaultAction action) => Names.Of(action);

    public static bool TryParse(string text, out FaultAction action) => Names.TryParse(text, out action);
}
