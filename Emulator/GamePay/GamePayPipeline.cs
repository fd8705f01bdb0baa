using MidasEmulator.Midas;
using MidasEmulator.Signing;

namespace MidasEmulator.GamePay;

/// <summary>One 2.0 call as it arrived: the query's credentials and signatures, and the body's exact bytes (null when too large).</summary>
/// <param name="Path">The path called, without the query: the uri pay_sig covers.</param>
public sealed record GamePayCall(GamePayOp Op, string Path, string? AccessToken, string? Signature, string? SigMethod, string? PaySig, byte[]? Body);

/// <summary>
/// The reply; the body's env once known (for the journal); for a refused pay_sig or signature, what was signed (the key
/// as ***) and whether the errmsg takes the long form that quotes the body (docs/wechat-vp2-api.md §8.22).
/// </summary>
public sealed record GamePayCallResult(MidasReply Reply, Env? Env = null, string? StringToSign = null, bool QuotesBody = false);

/// <summary>
/// The virtual payment 2.0 call: access_token → body → app, offer and env → values → pay_sig → session → signature →
/// the operation (docs/wechat-vp2-api.md §2–§6). The app is the one the access_token was issued to (2.0 bodies carry
/// no appid), the ledger is the one 1.0 uses, and each step that fails answers its errcode and changes nothing.
/// </summary>
public sealed class GamePayPipeline(MidasCallSettings settings, IMidasCredentials credentials, IMidasLedger ledger, TimeProvider time)
{
    public const string SigMethod = "hmac_sha256";

    public async Task<GamePayCallResult> ProcessAsync(GamePayCall call)
    {
        if (credentials.RefuseAccessToken(call.AccessToken, out var appid) is { } refused)
        {
            return new(refused);
        }
        if (call.Body is not { } body)
        {
            return new(Invalid($"post data type not right hint: the body is larger than {settings.MaxBodyBytes} bytes"));
        }
        if (GamePayRequest.Parse(body, call.Op, out var parseProblem) is not { } request)
        {
            return new(Invalid(parseProblem!));
        }
        if (appid is null || credentials.FindApp(appid) is not { } app)
        {
            return new(MidasReply.AccessTokenInvalid());
        }

        if (request.Text("offer_id") != app.OfferId)
        {
            return new(Invalid(GamePayRequest.Invalid("offer_id", $"it is not the offer of appid {app.Appid}, to which the access_token was issued")));
        }
        if (request.Number("env") is not (0 or 1))
        {
            return new(Invalid(GamePayRequest.Invalid("env", "0 (production) or 1 (sandbox)")));
        }
        var env = request.Number("env") == 1 ? Env.Sandbox : Env.Production;
        if (app.KeyFor(env) is not { } appKey)
        {
            return new(Invalid(GamePayRequest.Invalid("env", $"appid {app.Appid} has no sandbox AppKey")), env);
        }
        var now = time.GetUtcNow();
        if (CheckValues(request, call.Op, app, env, now) is { } problem)
        {
            return new(Invalid(problem), env);
        }

        if (call.SigMethod != SigMethod)
        {
            return new(Invalid(GamePayRequest.Invalid("sig_method", $"the query must say sig_method={SigMethod}")), env);
        }
        var uri = call.Path;
        if (!GamePaySignature.Matches(GamePaySignature.PaySig(appKey, uri, body), call.PaySig))
        {
            return new(new MidasReply(MidasErrcode.SigWrong,
                    $"[pay_sig] pay_sig is invalid hint: lowercase hex HMAC-SHA256 keyed with the {env.ToWire()} AppKey (env {request.Number("env")}) over \"{uri}&\" + the body bytes"),
                env, GamePaySignature.PaySigStringToSign(uri, body), QuotesBody: true);
        }

        var openid = request.Text("openid");
        if (credentials.FindSessionKey(app.Appid, openid) is not { } sessionKey)
        {
            return new(new MidasReply(MidasErrcode.SessionKeyExpired,
                $"session_key expired hint: openid {openid} has no live session; log in again (wx.login, then jscode2session)"), env);
        }
        if (!GamePaySignature.Matches(GamePaySignature.Signature(sessionKey, body), call.Signature))
        {
            return new(new MidasReply(MidasErrcode.NotLoggedIn,
                    "[signature] signature is invalid hint: lowercase hex HMAC-SHA256 keyed with the player's current session_key string over the body bytes"),
                env, GamePaySignature.SignatureStringToSign(body), QuotesBody: true);
        }

        return new(await OperateAsync(request, call.Op, app, env, openid, now).ConfigureAwait(false), env);
    }

    private async Task<MidasReply> OperateAsync(GamePayRequest request, GamePayOp op, MidasApp app, Env env, string openid, DateTimeOffset now)
    {
        if (op == GamePayOp.QueryOrderInfo)
        {
            return QueryOrder(request, app, env, openid);
        }
        var account = new AccountKey(env, app.OfferId, request.Text("zone_id"), openid);
        switch (op)
        {
            case GamePayOp.GetBalance:
                // The recharge-centre wallet (coin_type 1) is one the emulator keeps empty (docs/wechat-vp2-api.md §8.25).
                return MidasReply.BalanceOf(request.NumberOrNull("coin_type") == 1 ? Account.Empty(account) : ledger.GetAccount(account));
            case GamePayOp.Pay:
                return await SubmitAsync(new PayCommand(account, app.Appid, request.Text("bill_no"), request.Number("amount"),
                    request.TextOrNull("payitem"), request.TextOrNull("remark")) { ViaGamePay = true }, now).ConfigureAwait(false);
            case GamePayOp.CancelPay:
                return await SubmitAsync(new RefundCommand(account, app.Appid, request.Text("bill_no"), request.Text("pay_bill_no"),
                    request.Number("amount")) { ViaGamePay = true }, now).ConfigureAwait(false);
            default:
                return await SubmitAsync(new PresentCommand(account, app.Appid, request.Text("bill_no"), request.Number("amount")) { ViaGamePay = true },
                    now).ConfigureAwait(false);
        }
    }

    // An order the player's phone made: found only for the same player, env, biz_id and (when sent) zone (§8.26).
    private MidasReply QueryOrder(GamePayRequest request, MidasApp app, Env env, string openid)
    {
        var outTradeNo = request.Text("out_trade_no");
        var order = ledger.FindClientOrder(app.Appid, outTradeNo);
        var zoneId = request.TextOrNull("zone_id");
        if (order is null || order.Account.Openid != openid || order.Account.Env != env || (long)order.Biz != request.Number("biz_id")
            || (zoneId is not null && order.Account.ZoneId != zoneId))
        {
            return MidasReply.ClientOrderNotFound(outTradeNo);
        }
        return MidasReply.Ok with { ClientOrder = order };
    }

    // A repeat of a committed bill_no is answered from memory; anything new goes to the single writer.
    private async Task<MidasReply> SubmitAsync(MidasCommand command, DateTimeOffset now)
    {
        if (ledger.Rules.TryAnswerRepeat(command, ledger.FindBill, now) is { } repeat)
        {
            return repeat;
        }
        return (await ledger.SubmitAsync(command).ConfigureAwait(false)).Reply;
    }

    private string? CheckValues(GamePayRequest request, GamePayOp op, MidasApp app, Env env, DateTimeOffset now)
    {
        if (!MidasValidation.IsOpenid(request.Text("openid")))
        {
            return GamePayRequest.Invalid("openid", $"1 to {MidasValidation.MaxOpenidLength} characters of [0-9A-Za-z_-]");
        }
        if (request.TextOrNull("zone_id") is { } zoneId && !app.Zones.IsPublished(env, zoneId))
        {
            var published = string.Join(", ", app.Zones.For(env).Select(z => $"\"{z}\""));
            return GamePayRequest.Invalid("zone_id", $"zone {MidasReply.Echo(zoneId)} is not published for env {(env == Env.Sandbox ? 1 : 0)} "
                + $"(published: {(published.Length == 0 ? "none" : published)})");
        }
        var ts = request.Number("ts");
        if (ts < 0 || (settings.TsWindowSeconds > 0 && Math.Abs(now.ToUnixTimeSeconds() - ts) > settings.TsWindowSeconds))
        {
            return GamePayRequest.Invalid("ts", settings.TsWindowSeconds > 0
                ? $"a UNIX time within {settings.TsWindowSeconds} s of the emulator's clock ({now.ToUnixTimeSeconds()})"
                : "a UNIX time in seconds");
        }
        foreach (var name in new[] { "user_ip", "payitem", "remark" })
        {
            if (request.TextOrNull(name) is { Length: > MidasValidation.MaxTextLength })
            {
                return GamePayRequest.Invalid(name, $"at most {MidasValidation.MaxTextLength} characters");
            }
        }
        switch (op)
        {
            case GamePayOp.GetBalance:
                return request.NumberOrNull("coin_type") switch
                {
                    null or 0 => null,
                    1 when request.Text("zone_id") == "1" => null,
                    1 => GamePayRequest.Invalid("zone_id", "coin_type 1 (the recharge-centre balance) needs zone_id \"1\""),
                    _ => GamePayRequest.Invalid("coin_type", "0 (game coins) or 1 (recharge-centre balance)"),
                };
            case GamePayOp.QueryOrderInfo:
                if (request.Number("biz_id") is not (1 or 2))
                {
                    return GamePayRequest.Invalid("biz_id", "1 (coins) or 2 (an item bought directly)");
                }
                return ClientOrder.CheckOutTradeNo(request.Text("out_trade_no"), platformMade: true) is { } outTradeProblem
                    ? GamePayRequest.Invalid("out_trade_no", outTradeProblem)
                    : null;
        }
        var amount = request.Number("amount");
        if (amount is < 1 or > int.MaxValue)
        {
            return GamePayRequest.Invalid("amount", $"an integer from 1 to {int.MaxValue}");
        }
        if (CheckBillNo(request.Text("bill_no")) is { } billProblem)
        {
            return GamePayRequest.Invalid("bill_no", billProblem);
        }
        // pay_bill_no names a pay, which 1.0's wider bill_no rule may have made (with | * @): only its form is checked here,
        // and a pay that does not exist answers 90000.
        if (op == GamePayOp.CancelPay && MidasValidation.CheckBillNo(request.Text("pay_bill_no"), strict: false) is not null)
        {
            return GamePayRequest.Invalid("pay_bill_no", $"1 to {MidasValidation.MaxBillNoLength} characters of [0-9A-Za-z_-|*@]");
        }
        return null;
    }

    /// <summary>2.0's bill_no: 1 to 63 of [0-9A-Za-z_-], not starting with '_' (docs/wechat-vp2-api.md §3.2).</summary>
    public static string? CheckBillNo(string billNo)
    {
        if (billNo.StartsWith('_'))
        {
            return "it must not start with _";
        }
        return MidasValidation.CheckBillNo(billNo, strict: true) is null
            ? null
            : $"1 to {MidasValidation.MaxBillNoLength} characters of [0-9A-Za-z_-]";
    }

    /// <summary>
    /// GET /wxa/checksession (docs/wechat-vp2-api.md §3.7): 0 while <paramref name="signature"/> is HMAC-SHA256 of "" keyed with
    /// the player's live session_key, 87009 otherwise, also when they have no live session.
    /// </summary>
    public MidasReply CheckSession(string? accessToken, string? openid, string? signature, string? sigMethod)
    {
        if (credentials.RefuseAccessToken(accessToken, out var appid) is { } refused)
        {
            return refused;
        }
        if (sigMethod != SigMethod)
        {
            return new(MidasErrcode.InvalidSignature, $"invalid signature hint: the query must say sig_method={SigMethod}");
        }
        if (string.IsNullOrEmpty(openid) || appid is null || credentials.FindSessionKey(appid, openid) is not { } sessionKey)
        {
            return new(MidasErrcode.InvalidSignature, "invalid signature hint: the player has no live session; log in again");
        }
        return GamePaySignature.Matches(GamePaySignature.Signature(sessionKey, []), signature)
            ? MidasReply.Ok
            : new(MidasErrcode.InvalidSignature, "invalid signature hint: not HMAC-SHA256(session_key, \"\") of the player's current session_key");
    }

    private static MidasReply Invalid(string errmsg) => new(MidasErrcode.ParameterError, errmsg);
}
