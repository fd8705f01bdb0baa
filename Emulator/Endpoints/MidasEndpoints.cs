using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Faults;
using MidasEmulator.Midas;
using MidasEmulator.Signing;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>getbalance, pay, cancelpay and present under /cgi-bin/midas/sandbox and /cgi-bin/midas (docs/wechat-api.md §1).</summary>
public static class MidasEndpoints
{
    public static IEndpointRouteBuilder MapMidasApi(this IEndpointRouteBuilder app)
    {
        MapMidasOps(app.MapGroup("/cgi-bin/midas/sandbox"), Env.Sandbox);
        MapMidasOps(app.MapGroup("/cgi-bin/midas"), Env.Production);
        return app;
    }

    // The operations are written once and mapped under both prefixes; the env picks the ledger and the AppKey.
    private static void MapMidasOps(RouteGroupBuilder group, Env env)
    {
        foreach (var op in Enum.GetValues<MidasOp>())
        {
            var name = MidasFields.PathName(op);
            group.MapPost("/" + name, (HttpContext context, MidasServices services) => services.HandleAsync(context, op, env))
                .WithWeChatCall(name, env)
                .WithName($"{env.ToWire()}-{name}")
                .WithMidasDocs(op, env);
            // WeChat answers a POST-only API called with another method with its global 43002, not an HTTP 405.
            group.MapMethods("/" + name, WeChatEndpoints.OtherMethods, () => WireResult.Of(MidasReply.RequirePostMethod()))
                .WithWeChatCall(name, env, faultable: false)
                .ExcludeFromDescription();
        }
    }

    // The OpenAPI description (/openapi/wechat.json): documentation only, the handler reads the body itself.
    private static RouteHandlerBuilder WithMidasDocs(this RouteHandlerBuilder builder, MidasOp op, Env env)
    {
        var (summary, does, request, reply) = op switch
        {
            MidasOp.GetBalance => ("Read the player's balance", "Reads the account (env, offer_id, zone_id, openid); changes nothing.",
                typeof(MidasGetBalanceRequest), typeof(MidasGetBalanceReply)),
            MidasOp.Pay => ("Deduct coins", "Deducts amt coins, gift coins first. A bill_no already applied is never deducted again: "
                + "its repeat answers 90012 (or the stored reply with BillNoRepeat=replay); too few coins answer 90013.",
                typeof(MidasPayRequest), typeof(MidasPayReply)),
            MidasOp.CancelPay => ("Reverse a pay", "Reverses the pay with this bill_no: paid and gift coins go back where they came from. "
                + "An unknown bill_no answers 90000, a second cancel 90015, one past its 48 h 90014.",
                typeof(MidasCancelPayRequest), typeof(MidasCancelPayReply)),
            _ => ("Give gift coins", "Gives present_counts gift coins (gen_balance). A repeated bill_no answers 90012 and gives nothing.",
                typeof(MidasPresentRequest), typeof(MidasPresentReply)),
        };
        return builder
            .WithGroupName(ApiReference.WeChatDocument)
            .WithTags(env == Env.Sandbox ? "Midas sandbox" : "Midas production")
            .WithSummary($"{MidasFields.PathName(op)}: {summary}")
            .WithDescription($"{does} Works on the {env.ToWire()} ledger. sig is HMAC-SHA256, keyed with the app's {env.ToWire()} "
                + "AppKey, over the body fields sent (sorted, sig and mp_sig left out) plus org_loc (this path, without the query) "
                + "and method=POST; mp_sig adds access_token and sig and is keyed with the player's session_key. The "
                + "checks run access_token → body → app → values → sig → session → mp_sig, and the first failure answers HTTP 200 "
                + "with its errcode and errmsg, changing nothing. Other methods answer 43002. The body is read as JSON whatever "
                + $"its Content-Type. Rules and errcodes: {ApiReference.ReadmeWeChat}.")
            .WithQueryParameter("access_token", "From GET /cgi-bin/token, for the appid in the body.")
            .WithJsonBody(request)
            .Produces(StatusCodes.Status200OK, reply, "application/json");
    }
}

/// <summary>
/// Everything a Midas call needs, and the call itself: access_token → body → app → values → sig → session
/// → mp_sig → the operation. Each step that fails answers WeChat's errcode and changes nothing.
/// </summary>
public sealed class MidasServices(
    IOptions<EmulatorOptions> options,
    AppRegistry apps,
    AccessTokens tokens,
    Sessions sessions,
    LedgerState ledger,
    LedgerWriter writer,
    TimeProvider time,
    ILogger<MidasServices> logger)
{
    private readonly EmulatorOptions _options = options.Value;
    private readonly SigningSettings _signing = options.Value.ToSigningSettings();

    public async Task<IResult> HandleAsync(HttpContext context, MidasOp op, Env env)
    {
        MidasReply reply;
        try
        {
            reply = await ProcessAsync(context.Request, op, env, WeChatCall.For(context, MidasFields.PathName(op), env)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The WeChat surface never answers HTTP 500: an unexpected failure is WeChat's own "system error".
            logger.LogError(ex, "{Path} failed", context.Request.Path);
            reply = MidasReply.SystemBusy("system error");
        }
        return WireResult.Of(reply, _options.FirstSave == FirstSaveFormat.Boolean);
    }

    public async Task<MidasReply> ProcessAsync(HttpRequest http, MidasOp op, Env env, WeChatCall call)
    {
        string? accessToken = http.Query["access_token"];
        if (string.IsNullOrEmpty(accessToken))
        {
            return MidasReply.AccessTokenMissing();
        }
        switch (tokens.Check(accessToken, out var token))
        {
            case TokenState.Unknown:
                return MidasReply.AccessTokenInvalid();
            case TokenState.Expired:
                return MidasReply.AccessTokenExpired();
        }

        if (await call.ReadBodyAsync(http, _options.MaxBodyBytes).ConfigureAwait(false) is not { } body)
        {
            return MidasReply.ParameterError($"the body is larger than {_options.MaxBodyBytes} bytes");
        }
        var request = MidasRequest.Parse(body, op, _options.StrictTypes, _options.LegacyMissingParam, out var parseError);
        if (request is null)
        {
            return parseError!;
        }

        var appid = request["appid"];
        if (!apps.TryGet(appid, out var app))
        {
            return MidasReply.NoPrivilege($"appid {MidasReply.Echo(appid)} is not registered with this emulator");
        }
        if (token!.Appid != appid)
        {
            return MidasReply.NoPrivilege($"the access_token was issued to another appid, not {appid}");
        }
        if (request["offer_id"] != app.OfferId)
        {
            return MidasReply.NoPrivilege($"offer_id {MidasReply.Echo(request["offer_id"])} is not the Midas offer of appid {appid}");
        }
        if (app.KeyFor(env) is not { } appKey)
        {
            // Sandbox calls for an app without a configured sandbox have answered 90017 (docs/wechat-api.md §7).
            return MidasReply.NoPrivilege($"appid {appid} has no {env.ToWire()} AppKey");
        }

        var now = time.GetUtcNow();
        if (MidasValidation.Check(request, op, _options, now) is { } problem)
        {
            return MidasReply.ParameterError(problem);
        }

        // org_loc is the path actually called, sandbox prefix included, query string excluded (docs/wechat-api.md §3.5).
        var orgLoc = (http.PathBase + http.Path).Value!;
        var signed = request.SignedFields();
        if (!SignatureCheck.VerifySig(signed, orgLoc, appKey, request["sig"], _signing, out var stringToSign))
        {
            call.StringToSign = stringToSign + "***";
            return MidasReply.SigWrong(orgLoc, env);
        }

        var openid = request["openid"];
        if (sessions.FindLive(appid, openid) is not { } session)
        {
            return MidasReply.NotLoggedIn(openid);
        }
        if (CheckMpSig(request, signed, accessToken, orgLoc, session, call) is { } mpSigError)
        {
            return mpSigError;
        }

        var account = new AccountKey(env, app.OfferId, request["zone_id"], openid);
        appid = app.Appid; // the registered instance: orders kept in memory share it instead of holding the request's copy
        return op switch
        {
            MidasOp.GetBalance => MidasReply.BalanceOf(ledger.GetAccount(account)),
            MidasOp.Pay => await SubmitAsync(new PayCommand(account, appid, request["bill_no"], long.Parse(request["amt"]),
                request.Get("pay_item"), request.Get("app_remark")), now).ConfigureAwait(false),
            MidasOp.CancelPay => await SubmitAsync(new CancelPayCommand(account, appid, request["bill_no"], request.Get("pay_item")), now).ConfigureAwait(false),
            _ => await SubmitAsync(new PresentCommand(account, appid, request["bill_no"], long.Parse(request["present_counts"])), now).ConfigureAwait(false),
        };
    }

    private MidasReply? CheckMpSig(MidasRequest request, List<KeyValuePair<string, string>> signed, string accessToken, string orgLoc,
        SessionRecord session, WeChatCall call)
    {
        if (_options.MpSigPolicy == MpSigPolicy.Off)
        {
            return null;
        }
        if (request.Get("mp_sig") is not { } mpSig)
        {
            return _options.MpSigPolicy == MpSigPolicy.Required ? MidasReply.MpSigMissing(_options.LegacyMissingParam) : null;
        }
        if (SignatureCheck.VerifyMpSig(signed, accessToken, request["sig"], orgLoc, session.SessionKey, mpSig, _signing, out var stringToSign))
        {
            return null;
        }
        // The access_token is a credential too: the journal shows where it goes, not what it is.
        call.StringToSign = stringToSign.Replace("access_token=" + accessToken, "access_token=***", StringComparison.Ordinal) + "***";
        return MidasReply.MpSigWrong(orgLoc);
    }

    // A repeat of a committed bill_no is answered from memory without queueing behind the writer;
    // anything new (or in flight) goes to the writer, which decides it atomically.
    private async Task<MidasReply> SubmitAsync(MidasCommand command, DateTimeOffset now)
    {
        if (writer.Rules.TryAnswerRepeat(command, ledger.FindBill, now) is { } repeat)
        {
            return repeat;
        }
        var result = await writer.SubmitAsync(command).ConfigureAwait(false);
        return result.Reply;
    }
}
