using System.Text.Json;

namespace MidasEmulator.Midas;

/// <summary>
/// A WeChat-surface reply: <c>errcode</c> and <c>errmsg</c> first, then the operation's fields in the
/// order the docs list them. Every error reply is built by one of the factories below, so the wording
/// is the doc's first and any hint follows it; no key or expected signature is ever echoed.
/// </summary>
public sealed record MidasReply(int Errcode, string Errmsg)
{
    public string? BillNo { get; init; }
    public long? Balance { get; init; }
    public long? UsedGenBalance { get; init; }
    /// <summary>getbalance's account snapshot.</summary>
    public Account? Account { get; init; }
    /// <summary>2.0 queryorderinfo's order.</summary>
    public ClientOrder? ClientOrder { get; init; }

    public bool IsOk => Errcode == MidasErrcode.Ok;

    /// <summary>
    /// A value the caller sent, as a hint quotes it before it was validated: at most 64 characters, so that a 60 KB
    /// appid does not come back (and sit in the journal) as a 60 KB errmsg.
    /// </summary>
    public static string Echo(string value) => value.Length <= 64 ? value : value[..64] + "…";

    public static MidasReply BalanceOf(Account account) => new(MidasErrcode.Ok, "ok") { Account = account };

    public static MidasReply Paid(string billNo, long balance, long usedGen) =>
        new(MidasErrcode.Ok, "ok") { BillNo = billNo, Balance = balance, UsedGenBalance = usedGen };

    public static MidasReply Cancelled(string billNo) => new(MidasErrcode.Ok, "ok") { BillNo = billNo };

    public static MidasReply Presented(string billNo, long balance) =>
        new(MidasErrcode.Ok, "ok") { BillNo = billNo, Balance = balance };

    public static MidasReply SystemBusy(string hint = "system busy") => new(MidasErrcode.SystemBusy, hint);

    /// <summary>A change that succeeded without a reply of its own (an auth write, a reset).</summary>
    public static readonly MidasReply Ok = new(MidasErrcode.Ok, "ok");

    /// <summary>-1 for a change the writer did not save, saying why and whether a retry may work.</summary>
    public static MidasReply NotCommitted(NotCommittedReason reason) => SystemBusy(reason switch
    {
        NotCommittedReason.Stopping => "system busy hint: the emulator is stopping",
        NotCommittedReason.WriteFailed => "system error hint: the write failed and nothing was applied; retry",
        NotCommittedReason.ResetFailed => "system error hint: the reset failed",
        _ => "system error",
    });

    public static MidasReply BillNoRepeated(string billNo) =>
        new(MidasErrcode.BillNoRepeated, "bill_no repeated") { BillNo = billNo };

    /// <summary>90013, naming the amount by the field the caller sent: amt (1.0) or amount (2.0).</summary>
    public static MidasReply BalanceTooLow(long balance, long amt, string field = "amt") =>
        new(MidasErrcode.BalanceTooLow, $"balance not enough hint: balance {balance} < {field} {amt}");

    /// <summary>The 2018 form of an insufficient balance (docs/wechat-api.md §10.18).</summary>
    public static MidasReply LegacyBalanceTooLow() => new(MidasErrcode.SystemBusy, "1034-131-0 余额不足");

    public static MidasReply OrderNotFound(string billNo) =>
        new(MidasErrcode.OrderNotFound, $"order not exist hint: no pay with bill_no {billNo} for this account") { BillNo = billNo };

    /// <summary>2.0 cancelpay: no live pay with this pay_bill_no for the player (docs/wechat-vp2-api.md §8.6).</summary>
    public static MidasReply PayOrderNotFound(string payBillNo) =>
        new(MidasErrcode.OrderNotFound, $"order not exist hint: no pay with bill_no {payBillNo} for this player in the last 48 h");

    /// <summary>2.0 cancelpay: more than the pay has left to give back (docs/wechat-vp2-api.md §8.7).</summary>
    public static MidasReply RefundTooLarge(string payBillNo, long paid, long left) =>
        new(MidasErrcode.ParameterError, $"[amount] amount is invalid hint: pay {payBillNo} took {paid} coins and has {left} left to refund");

    public static MidasReply OutTradeNoUsed(string outTradeNo) =>
        new(MidasErrcode.BillNoRepeated, $"out_trade_no {outTradeNo} is already used: an out_trade_no is for one order only");

    public static MidasReply ClientOrderNotFound(string outTradeNo) =>
        new(MidasErrcode.OutTradeNoNotFound, $"out_trade_no not found hint: no client-side order {Echo(outTradeNo)} for this player");

    public static MidasReply CoinsSpent(string outTradeNo, long coins, long paidCoins) =>
        new(MidasErrcode.BalanceTooLow, $"the refund of {outTradeNo} takes back {coins} coins but the player holds only {paidCoins} paid coins");

    public static MidasReply OrderCompleted(string billNo) =>
        new(MidasErrcode.OrderCompleted, "order already confirmed, cancel not allowed hint: the bill_no is past its 48 h validity") { BillNo = billNo };

    public static MidasReply OrderAlreadyCancelled(string billNo) =>
        new(MidasErrcode.OrderAlreadyCancelled, "order already rolled back, cancel not allowed") { BillNo = billNo };

    public static MidasReply ParameterError(string problem) => new(MidasErrcode.ParameterError, $"parameter error: {problem}");

    public static MidasReply ParameterMissing(string field, bool legacy) => legacy
        ? new(MidasErrcode.ParameterMissing, $"{field} missing")
        : new(MidasErrcode.ParameterError, $"{field} missing");

    public static MidasReply SigWrong(string orgLoc, Env env) =>
        new(MidasErrcode.SigWrong, $"sig error hint: sig covers org_loc={orgLoc}&method=POST with the {env.ToWire()} AppKey; check the path, the field set and the key");

    public static MidasReply MpSigWrong(string orgLoc) =>
        new(MidasErrcode.MpSigWrong, $"mp_sig error hint: mp_sig covers the sig fields plus access_token and sig, org_loc={orgLoc}, and the session_key of the user's current session");

    public static MidasReply MpSigMissing(bool legacy) => legacy
        ? new(MidasErrcode.ParameterMissing, "mp_sig missing")
        : new(MidasErrcode.MpSigWrong, "mp_sig missing hint: this emulator is configured with MpSigPolicy=required");

    public static MidasReply NotLoggedIn(string openid) =>
        new(MidasErrcode.NotLoggedIn, $"user not logged in or login state expired hint: openid {openid} has no live session; log in again (jscode2session)");

    public static MidasReply NoPrivilege(string hint) => new(MidasErrcode.NoPrivilege, $"no privilege hint: {hint}");

    public static MidasReply AccessTokenMissing() => new(MidasErrcode.AccessTokenMissing, "access_token missing");

    public static MidasReply AccessTokenInvalid() =>
        new(MidasErrcode.InvalidCredential, "invalid credential, access_token is invalid or not latest");

    public static MidasReply AccessTokenExpired() => new(MidasErrcode.AccessTokenExpired, "access_token expired");

    // The auth helpers' codes (docs/wechat-api.md §8), with WeChat's own errmsg first.
    public static MidasReply InvalidGrantType(string expected) => new(MidasErrcode.InvalidGrantType, $"invalid grant_type hint: expected grant_type={expected}");
    public static MidasReply AppidMissing() => new(MidasErrcode.AppidMissing, "appid missing");
    public static MidasReply AppSecretMissing() => new(MidasErrcode.AppSecretMissing, "appsecret missing");
    public static MidasReply InvalidAppid(string appid) => new(MidasErrcode.InvalidAppid, $"invalid appid hint: {Echo(appid)} is not registered with this emulator");
    public static MidasReply SecretWrong() => new(MidasErrcode.InvalidCredential, "invalid credential, access_token is invalid or not latest hint: the secret does not match the appid");
    public static MidasReply InvalidAppSecret() => new(MidasErrcode.InvalidAppSecret, "invalid appsecret");
    public static MidasReply CodeMissing() => new(MidasErrcode.CodeMissing, "missing code");
    public static MidasReply InvalidCode() => new(MidasErrcode.InvalidCode, "invalid code hint: unknown, expired or of another appid; POST /admin/login-codes issues one");
    public static MidasReply RequireGetMethod() => new(MidasErrcode.RequireGetMethod, "require GET method");
    public static MidasReply RequirePostMethod() => new(MidasErrcode.RequirePostMethod, "require POST method");
    public static MidasReply CodeBeenUsed() => new(MidasErrcode.CodeBeenUsed, "code been used");

    /// <summary>
    /// Writes the reply as WeChat does. <paramref name="firstSaveAsBool"/> picks the wire type of
    /// first_save (docs/wechat-api.md §10.14); used_gen_amt is the other doc version's name for used_gen_balance (§10.17).
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer, bool firstSaveAsBool)
    {
        writer.WriteStartObject();
        writer.WriteNumber("errcode"u8, Errcode);
        writer.WriteString("errmsg"u8, Errmsg);
        if (Account is { } a)
        {
            writer.WriteNumber("balance"u8, a.Balance);
            writer.WriteNumber("gen_balance"u8, a.GenBalance);
            if (firstSaveAsBool)
            {
                writer.WriteBoolean("first_save"u8, a.FirstSave);
            }
            else
            {
                writer.WriteNumber("first_save"u8, a.FirstSave ? 1 : 0);
            }
            writer.WriteNumber("save_amt"u8, a.SaveAmt);
            writer.WriteNumber("save_sum"u8, a.SaveSum);
            writer.WriteNumber("cost_sum"u8, a.CostSum);
            writer.WriteNumber("present_sum"u8, a.PresentSum);
        }
        if (BillNo is not null)
        {
            writer.WriteString("bill_no"u8, BillNo);
        }
        if (Balance is { } balance)
        {
            writer.WriteNumber("balance"u8, balance);
        }
        if (UsedGenBalance is { } usedGen)
        {
            writer.WriteNumber("used_gen_balance"u8, usedGen);
            writer.WriteNumber("used_gen_amt"u8, usedGen);
        }
        writer.WriteEndObject();
    }
}
