namespace MidasEmulator.Testing;

/// <summary>
/// Fault rules, fluently: <c>Fault.OnPay().AfterCommit().Errcode(-1).Times(1)</c>. Each method returns a new rule;
/// every field is optional, as in docs/reference.md §1.3. Give the rule to <see cref="MidasAdminClient.AddFaultAsync"/>.
/// </summary>
public static class Fault
{
    /// <summary>A rule on every WeChat-surface call.</summary>
    public static FaultRule OnAny() => new() { Endpoint = "*" };
    /// <summary>A rule on getbalance (sandbox and production).</summary>
    public static FaultRule OnGetBalance() => On("getbalance");
    /// <summary>A rule on pay.</summary>
    public static FaultRule OnPay() => On("pay");
    /// <summary>A rule on cancelpay.</summary>
    public static FaultRule OnCancelPay() => On("cancelpay");
    /// <summary>A rule on present.</summary>
    public static FaultRule OnPresent() => On("present");
    /// <summary>A rule on /cgi-bin/token.</summary>
    public static FaultRule OnToken() => On("token");
    /// <summary>A rule on /sns/jscode2session.</summary>
    public static FaultRule OnJsCode2Session() => On("jscode2session");
    /// <summary>A rule on the 2.0 <c>/wxa/game/getbalance</c>.</summary>
    public static FaultRule OnGameGetBalance() => On("game/getbalance");
    /// <summary>A rule on the 2.0 <c>/wxa/game/pay</c>.</summary>
    public static FaultRule OnGamePay() => On("game/pay");
    /// <summary>A rule on the 2.0 <c>/wxa/game/cancelpay</c> (a refund).</summary>
    public static FaultRule OnGameCancelPay() => On("game/cancelpay");
    /// <summary>A rule on the 2.0 <c>/wxa/game/present</c>.</summary>
    public static FaultRule OnGamePresent() => On("game/present");
    /// <summary>A rule on the 2.0 <c>/wxa/game/queryorderinfo</c>.</summary>
    public static FaultRule OnGameQueryOrderInfo() => On("game/queryorderinfo");
    /// <summary>
    /// A rule on every push the emulator sends to the game server; give it a push action (<see cref="FaultRule.Duplicate"/>,
    /// <see cref="FaultRule.Delay"/>, <see cref="FaultRule.Reorder"/>, <see cref="FaultRule.FailAttempt"/>).
    /// </summary>
    public static FaultRule OnPush() => On("push");
    /// <summary>A rule on the pushes of one event (one of <see cref="MidasPushEvents"/>), as <see cref="OnPush()"/>.</summary>
    public static FaultRule OnPush(string eventName) => On($"push:{eventName}");
    /// <summary>
    /// A rule on the named endpoint: getbalance, pay, cancelpay, present, token, jscode2session, the 2.0 calls
    /// game/getbalance, game/pay, game/cancelpay, game/present, game/queryorderinfo and checksession, *, or the
    /// pushes: push and push:&lt;event&gt;.
    /// </summary>
    public static FaultRule On(string endpoint) => new() { Endpoint = endpoint };
}
