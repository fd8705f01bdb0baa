namespace MidasEmulator.Testing;

// The /admin replies (docs/reference.md §1.2), as the admin client reads them: snake_case on the wire.

/// <summary>GET /admin/health.</summary>
public sealed record MidasHealth(string Status, string Version, long UptimeS);

/// <summary>POST /admin/reset.</summary>
public sealed record MidasResetResult(bool Reset, int SeededUsers);

/// <summary>An app, as GET/POST /admin/apps show it.</summary>
public sealed record MidasAppInfo(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey);

/// <summary>A session, as POST /admin/sessions answers it.</summary>
public sealed record MidasSession(string Appid, string Openid, string SessionKey, DateTimeOffset? ExpiresAt)
{
    /// <summary>The player this session signs for.</summary>
    public MidasPlayer Player => new(Openid, SessionKey);
}

/// <summary>A one-time js_code for /sns/jscode2session (what wx.login gives a game client).</summary>
public sealed record MidasLoginCode(string Code, int ExpiresIn);

/// <summary>An account: one (appid, env, offer_id, zone_id, openid).</summary>
public sealed record MidasAccount(
    string Appid, string Env, string OfferId, string ZoneId, string Openid,
    long Balance, long GenBalance, bool FirstSave, long SaveAmt, long SaveSum, long CostSum, long PresentSum);

/// <summary>
/// A ledger entry. <see cref="Kind"/> is pay, cancel, present, topup, set, refund (a 2.0 cancelpay) or purchase;
/// <see cref="Status"/> applied or cancelled. A refund names its pay in <see cref="PayBillNo"/>; a pay shows in
/// <see cref="RefundedAmt"/> and <see cref="RefundedGenAmt"/> what 2.0 refunds gave back of it (null on other kinds).
/// </summary>
public sealed record MidasOrder(
    long Id, string Kind, string Env, string OfferId, string ZoneId, string Openid, string Appid, string? BillNo,
    long Amt, long GenAmt, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CancelledAt, long BalanceAfter,
    string? PayItem, string? AppRemark, string? PayBillNo = null, long? RefundedAmt = null, long? RefundedGenAmt = null, string? OutTradeNo = null);

/// <summary>GET /admin/invariants: the money check over the whole ledger.</summary>
public sealed record MidasInvariants(bool Ok, int Accounts, long Orders, int ViolationCount, IReadOnlyList<MidasViolation> Violations);

/// <summary>One broken invariant. <see cref="Check"/> is ledger_sum, memory, balance_after, negative_balance, bill_no_twice, cancel or order_ids.</summary>
public sealed record MidasViolation(string Check, string Detail, string? Account, string? BillNo, long? OrderId)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Check}: {Detail}{(Account is null ? "" : $" (account {Account})")}{(BillNo is null ? "" : $" (bill_no {BillNo})")}{(OrderId is null ? "" : $" (order {OrderId})")}";
}

/// <summary>A fault rule with its counters, as GET /admin/faults lists it.</summary>
public sealed record MidasFaultRule(
    string Id, string Endpoint, string Action, int Errcode, string Errmsg, int HttpStatus, int DelayMs, bool AfterCommit,
    double Probability, int? Times, string? Openid, string? BillNo, int SkipFirst, int? Seed, int Hits, int Matched, bool Active);

/// <summary>One WeChat-surface call in the request journal (GET /admin/requests).</summary>
public sealed record MidasJournalEntry(
    long Id, DateTimeOffset Time, string Endpoint, string? Env, string Method, string Path, string Query, string? Openid, string? BillNo,
    string? Body, int? Errcode, string? Errmsg, int? HttpStatus, bool Dropped, string? FaultId, double DurationMs, string? StringToSign);

/// <summary>The emulator's clock (GET/POST /admin/clock).</summary>
public sealed record MidasClock(DateTimeOffset Now, double OffsetS, bool Real);

/// <summary>The filters of GET /admin/orders; null leaves a filter out.</summary>
public sealed record MidasOrderQuery
{
    /// <summary>Only this player's orders.</summary>
    public string? Openid { get; init; }
    /// <summary>Only orders with this bill_no (indexed).</summary>
    public string? BillNo { get; init; }
    /// <summary>sandbox or production.</summary>
    public string? Env { get; init; }
    /// <summary>pay, cancel, present, topup, set, refund or purchase.</summary>
    public string? Kind { get; init; }
    /// <summary>1 … 10000; the emulator's default is 100.</summary>
    public int? Limit { get; init; }
    /// <summary>Skip this many.</summary>
    public int? Offset { get; init; }
    /// <summary>Only orders after this id: the cheap way to page.</summary>
    public long? AfterId { get; init; }
}

/// <summary>The filters of GET /admin/requests; null leaves a filter out.</summary>
public sealed record MidasJournalQuery
{
    /// <summary>getbalance, pay, cancelpay, present, token or jscode2session.</summary>
    public string? Endpoint { get; init; }
    /// <summary>Only calls for this openid.</summary>
    public string? Openid { get; init; }
    /// <summary>Only calls with this bill_no.</summary>
    public string? BillNo { get; init; }
    /// <summary>Only calls answered with this errcode.</summary>
    public int? Errcode { get; init; }
    /// <summary>1 … 10000; the emulator's default is 100.</summary>
    public int? Limit { get; init; }
}

/// <summary>An account's sandbox or production side.</summary>
public enum MidasEnv
{
    /// <summary>/cgi-bin/midas/sandbox/*, signed with the sandbox AppKey.</summary>
    Sandbox,
    /// <summary>/cgi-bin/midas/*, signed with the production AppKey.</summary>
    Production,
}
