using System.Text.Json.Serialization;

namespace MidasEmulator.Testing;

/// <summary>A fault rule as POST /admin/faults takes it (docs/reference.md §1.3). Null fields take the emulator's defaults.</summary>
public sealed record FaultRule
{
    /// <summary>getbalance, pay, cancelpay, present, token, jscode2session, a 2.0 call, push, push:&lt;event&gt; or * (the default).</summary>
    public string? Endpoint { get; init; }
    /// <summary>errcode (the default), http_status, drop or delay; on pushes duplicate, delay, reorder or fail_attempt.</summary>
    public string? Action { get; init; }
    /// <summary>For errcode; default -1.</summary>
    [JsonPropertyName("errcode")]
    public int? ErrcodeValue { get; init; }
    /// <summary>For errcode; default "system busy" for -1.</summary>
    public string? Errmsg { get; init; }
    /// <summary>For http_status: 400 … 599, default 502.</summary>
    [JsonPropertyName("http_status")]
    public int? HttpStatusValue { get; init; }
    /// <summary>0 … 600000; required for delay, allowed with any action.</summary>
    public int? DelayMs { get; init; }
    /// <summary>True: the operation commits first, then the fault shapes the reply.</summary>
    [JsonPropertyName("after_commit")]
    public bool? AfterCommitValue { get; init; }
    /// <summary>0 … 1, default 1.</summary>
    [JsonPropertyName("probability")]
    public double? ProbabilityValue { get; init; }
    /// <summary>Makes <see cref="ProbabilityValue"/> draw the same sequence on every run.</summary>
    public int? Seed { get; init; }
    /// <summary>Fire this many times, then retire; null: until deleted.</summary>
    [JsonPropertyName("times")]
    public int? TimesValue { get; init; }
    /// <summary>Let this many matching requests (or pushes) through first.</summary>
    [JsonPropertyName("skip_first")]
    public int? SkipFirstValue { get; init; }
    /// <summary>Only calls whose body has this openid (pushes: whose player is this openid).</summary>
    public string? Openid { get; init; }
    /// <summary>Only calls whose body has this bill_no.</summary>
    public string? BillNo { get; init; }

    /// <summary>Answer HTTP 200 with this errcode (and errmsg).</summary>
    public FaultRule Errcode(int errcode = -1, string? errmsg = null) => this with { Action = "errcode", ErrcodeValue = errcode, Errmsg = errmsg };
    /// <summary>Answer this HTTP status with a gateway's HTML page.</summary>
    public FaultRule HttpStatus(int status = 502) => this with { Action = "http_status", HttpStatusValue = status };
    /// <summary>Abort the TCP connection, with no reply.</summary>
    public FaultRule Drop() => this with { Action = "drop" };
    /// <summary>Wait, then serve normally (a late commit unless <see cref="AfterCommit"/>); on a push, send it late.</summary>
    public FaultRule Delay(TimeSpan delay) => this with { Action = "delay", DelayMs = (int)delay.TotalMilliseconds };
    /// <summary>A push sent twice: the game server must deliver once however often WeChat repeats itself.</summary>
    public FaultRule Duplicate() => this with { Action = "duplicate" };
    /// <summary>A push held back and sent after the next one, as WeChat does not promise order.</summary>
    public FaultRule Reorder() => this with { Action = "reorder" };
    /// <summary>A push attempt failed by the emulator (error fault), so the push is retried as after a real failure.</summary>
    public FaultRule FailAttempt() => this with { Action = "fail_attempt" };
    /// <summary>A wait before the action (before the operation, or after it with <see cref="AfterCommit"/>).</summary>
    public FaultRule WithDelay(TimeSpan delay) => this with { DelayMs = (int)delay.TotalMilliseconds };
    /// <summary>Let the operation commit first; the fault then shapes the reply (the coins are gone, the client sees a failure).</summary>
    public FaultRule AfterCommit(bool afterCommit = true) => this with { AfterCommitValue = afterCommit };
    /// <summary>Fire on this share of the requests in scope; a seed makes the draw repeatable.</summary>
    public FaultRule Probability(double probability, int? seed = null) => this with { ProbabilityValue = probability, Seed = seed };
    /// <summary>Retire after this many hits.</summary>
    public FaultRule Times(int times) => this with { TimesValue = times };
    /// <summary>Let the first <paramref name="count"/> requests in scope through.</summary>
    public FaultRule SkipFirst(int count) => this with { SkipFirstValue = count };
    /// <summary>Only for this player.</summary>
    public FaultRule ForOpenid(string openid) => this with { Openid = openid };
    /// <summary>Only for this bill_no.</summary>
    public FaultRule ForBillNo(string billNo) => this with { BillNo = billNo };
}
