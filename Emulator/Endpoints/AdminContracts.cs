using MidasEmulator.Auth;
using MidasEmulator.Faults;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

// A request parameter without a default is listed as required in /openapi/admin.json, one with "= null" as optional.
// Reading is the same either way: a missing field is null, and the handler says which ones it needs.

/// <summary>GET /admin/health.</summary>
public sealed record HealthReply(string Status, string Version, long UptimeS);

/// <summary>POST /admin/reset: wipe everything; <c>reseed</c> (default true) loads the seed file again.</summary>
public sealed record ResetRequest(bool? Reseed = null);

public sealed record ResetReply(bool Reset, int SeededUsers);

/// <summary>
/// POST /admin/apps: registers (or replaces) an app, for both API families. Without <c>sandbox_app_key</c> its sandbox
/// answers 90017 (1.0) or 90018 (2.0, env 1). <c>zones</c>: the 2.0 zones published per env (zone "1" in both by default).
/// </summary>
public sealed record AppRequest(
    string? Appid, string? Secret, string? OfferId, string? AppKey, string? SandboxAppKey = null, ZonesBody? Zones = null, string? OriginalId = null);

/// <summary>The zone ids published for each environment.</summary>
public sealed record ZonesBody(IReadOnlyList<string>? Sandbox = null, IReadOnlyList<string>? Production = null);

public sealed record AppReply(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey, ZonesBody Zones, string OriginalId)
{
    public static AppReply From(MidasApp app) => new(app.Appid, app.Secret, app.OfferId, app.AppKey, app.SandboxAppKey,
        new ZonesBody(app.Zones.Sandbox, app.Zones.Production), app.OriginalId);
}

/// <summary>POST /admin/sessions: a logged-in user, as jscode2session would give; a new one replaces the old.</summary>
public sealed record SessionRequest(string? Openid, string? Appid = null, string? SessionKey = null);

public sealed record SessionReply(string Appid, string Openid, string SessionKey, DateTimeOffset? ExpiresAt)
{
    public static SessionReply From(SessionRecord s) => new(s.Appid, s.Openid, s.SessionKey, s.ExpiresAt);
}

/// <summary>POST /admin/login-codes: a one-time js_code for /sns/jscode2session (what wx.login gives the game client).</summary>
public sealed record LoginCodeRequest(string? Openid, string? Appid = null);

public sealed record LoginCodeReply(string Code, int ExpiresIn);

/// <summary>POST /admin/accounts/{openid}/topup: a successful coin purchase (what wx.requestMidasPayment does).</summary>
public sealed record TopupRequest(long? Amount, string? Appid = null, string? ZoneId = null, string? Env = null);

/// <summary>PUT /admin/accounts/{openid}: sets balance and/or gen_balance directly.</summary>
public sealed record SetAccountRequest(long? Balance = null, long? GenBalance = null, string? Appid = null, string? ZoneId = null, string? Env = null);

/// <summary>An account as the admin API shows it: getbalance's fields plus its key.</summary>
public sealed record AccountReply(
    string Appid, string Env, string OfferId, string ZoneId, string Openid,
    long Balance, long GenBalance, bool FirstSave, long SaveAmt, long SaveSum, long CostSum, long PresentSum)
{
    public static AccountReply From(string appid, Account a) => new(
        appid, a.Key.Env.ToWire(), a.Key.OfferId, a.Key.ZoneId, a.Key.Openid,
        a.Balance, a.GenBalance, a.FirstSave, a.SaveAmt, a.SaveSum, a.CostSum, a.PresentSum);
}

/// <summary>
/// One ledger entry. <c>amt</c> is the coins moved (for kind "set", and a "purchase" a platform refund took back, the signed
/// change); <c>gen_amt</c> its gift part. A pay shows what 2.0 refunds gave back of it; a refund names its pay.
/// </summary>
public sealed record OrderReply(
    long Id, string Kind, string Env, string OfferId, string ZoneId, string Openid, string Appid, string? BillNo,
    long Amt, long GenAmt, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CancelledAt, long BalanceAfter,
    string? PayItem, string? AppRemark, string? PayBillNo = null, long? RefundedAmt = null, long? RefundedGenAmt = null, string? OutTradeNo = null)
{
    public static OrderReply From(Order o) => new(
        o.Id, Order.KindName(o.Kind), o.Account.Env.ToWire(), o.Account.OfferId, o.Account.ZoneId, o.Account.Openid, o.Appid,
        o.BillNo, o.Amt, o.GenAmt, o.Status == OrderStatus.Applied ? "applied" : "cancelled", o.CreatedAt, o.CancelledAt,
        o.BalanceAfter, o.PayItem, o.AppRemark, o.PayBillNo,
        o.Kind == OrderKind.Pay ? o.RefundedAmt : null, o.Kind == OrderKind.Pay ? o.RefundedGenAmt : null, o.OutTradeNo);
}

/// <summary>
/// POST /admin/client-orders: what the player's phone does. biz_id 1 (wx.requestMidasPayment) buys buy_quantity coins, credited
/// at once; biz_id 2 (wx.requestMidasPaymentGameItem) buys an item, delivered when the game acknowledges it.
/// </summary>
public sealed record ClientOrderRequest(
    string? Openid, int? BizId, string? Appid = null, string? Env = null, string? ZoneId = null, string? OutTradeNo = null,
    long? BuyQuantity = null, long? Price = null, string? ProductId = null, long? Quantity = null, string? Attach = null, string? PayState = null);

/// <summary>POST /admin/client-orders/{out_trade_no}/refund: a platform refund of <c>amount</c> cents (default all that is left).</summary>
public sealed record ClientRefundRequest(long? Amount = null, string? Appid = null);

/// <summary>A client-side order as the admin API shows it; pay_state and deliver_state as queryorderinfo answers them.</summary>
public sealed record ClientOrderReply(
    string OutTradeNo, int BizId, string Appid, string Openid, string Env, string ZoneId, string? ProductId, long Quantity, long Price,
    string? Attach, int PayState, int DeliverState, long? PayFinishTime, string MchOrderNo, string TransactionId, long RefundedAmount,
    DateTimeOffset CreatedAt, long? LedgerOrderId)
{
    public static ClientOrderReply From(ClientOrder o) => new(
        o.OutTradeNo, (int)o.Biz, o.Appid, o.Account.Openid, o.Account.Env.ToWire(), o.Account.ZoneId, o.ProductId, o.Quantity, o.Price,
        o.Attach, o.PayState, o.DeliverState, o.PayFinishTime?.ToUnixTimeSeconds(), o.MchOrderNo, o.TransactionId, o.RefundedPrice,
        o.CreatedAt, o.LedgerOrderId);
}

/// <summary>GET /admin/invariants: <c>ok</c> with what was read, and the first violations found (<c>check</c> names the rule).</summary>
public sealed record InvariantsReply(bool Ok, int Accounts, long Orders, int ViolationCount, IReadOnlyList<ViolationReply> Violations)
{
    public static InvariantsReply From(AuditReport report) => new(
        report.Ok, report.Accounts, report.Orders, report.ViolationCount,
        report.Violations.Select(v => new ViolationReply(v.Check, v.Detail, v.Account, v.BillNo, v.OrderId)).ToList());
}

/// <summary>One broken rule: check is balance_after, negative_balance, bill_no_twice, cancel, refund, ledger_sum, memory or order_ids.</summary>
public sealed record ViolationReply(string Check, string Detail, string? Account, string? BillNo, long? OrderId);

/// <summary>POST /admin/faults (docs/reference.md §1.3). Everything is optional: the default is errcode -1 "system busy" on every call, until deleted.</summary>
public sealed record FaultRequest(
    string? Endpoint = null, string? Action = null, int? Errcode = null, string? Errmsg = null, int? HttpStatus = null, int? DelayMs = null,
    bool? AfterCommit = null, double? Probability = null, int? Times = null, string? Openid = null, string? BillNo = null, int? SkipFirst = null,
    int? Seed = null);

/// <summary>A fault rule and its counters: <c>matched</c> requests were in scope, <c>hits</c> of them got the fault.</summary>
public sealed record FaultReply(
    string Id, string Endpoint, string Action, int Errcode, string Errmsg, int HttpStatus, int DelayMs, bool AfterCommit,
    double Probability, int? Times, string? Openid, string? BillNo, int SkipFirst, int? Seed, int Hits, int Matched, bool Active)
{
    public static FaultReply From(FaultRule rule)
    {
        var s = rule.Spec;
        return new(rule.Id, s.Endpoint, FaultActions.ToWire(s.Action), s.Errcode, s.Errmsg, s.HttpStatus, s.DelayMs, s.AfterCommit,
            s.Probability, s.Times, s.Openid, s.BillNo, s.SkipFirst, s.Seed, rule.Hits, rule.Matched, rule.Active);
    }
}

/// <summary>One entry of GET /admin/requests; credentials in the query, body and string-to-sign are shown as ***.</summary>
public sealed record JournalEntryReply(
    long Id, DateTimeOffset Time, string Endpoint, string? Env, string Method, string Path, string Query, string? Openid, string? BillNo,
    string? Body, int? Errcode, string? Errmsg, int? HttpStatus, bool Dropped, string? FaultId, double DurationMs, string? StringToSign);

/// <summary>POST /admin/clock: exactly one of advance_s, now or real.</summary>
public sealed record ClockRequest(double? AdvanceS = null, string? Now = null, bool? Real = null);

public sealed record ClockReply(DateTimeOffset Now, double OffsetS, bool Real);
