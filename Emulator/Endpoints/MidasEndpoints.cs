using Microsoft.Extensions.Options;
using MidasEmulator.Midas;

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
            group.MapPost("/" + name, (HttpContext context, MidasPipeline pipeline, IOptions<EmulatorOptions> options, ILoggerFactory loggers) =>
                    HandleAsync(context, op, env, pipeline, options.Value, loggers))
                .WithWeChatCall(name, env)
                .WithName($"{env.ToWire()}-{name}")
                .WithMidasDocs(op, env);
            // WeChat answers a POST-only API called with another method with its global 43002, not an HTTP 405.
            group.MapMethods("/" + name, WeChatEndpoints.OtherMethods, () => WireResult.Of(MidasReply.RequirePostMethod()))
                .WithWeChatCall(name, env, faultable: false)
                .ExcludeFromDescription();
        }
    }

    // HTTP in, HTTP out: the call itself is MidasPipeline's. The body is read once, by the call's record (the fault
    // filter may have read it already, before a delay).
    private static async Task<IResult> HandleAsync(HttpContext context, MidasOp op, Env env, MidasPipeline pipeline, EmulatorOptions options,
        ILoggerFactory loggers)
    {
        var http = context.Request;
        var call = WeChatCall.For(context, MidasFields.PathName(op), env);
        MidasReply reply;
        try
        {
            var body = await call.ReadBodyAsync(http, options.MaxBodyBytes).ConfigureAwait(false);
            var result = await pipeline.ProcessAsync(new MidasCall(op, env, (http.PathBase + http.Path).Value!, http.Query["access_token"], body))
                .ConfigureAwait(false);
            call.StringToSign = result.StringToSign;
            reply = result.Reply;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The WeChat surface never answers HTTP 500: an unexpected failure is WeChat's own "system error".
            loggers.CreateLogger(typeof(MidasEndpoints)).LogError(ex, "{Path} failed", http.Path);
            reply = MidasReply.SystemBusy("system error");
        }
        return WireResult.Of(reply, options.FirstSave == FirstSaveFormat.Boolean);
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
                + $"its Content-Type. Rules and errcodes: {ApiReference.WeChatRules}.")
            .WithQueryParameter("access_token", "From GET /cgi-bin/token, for the appid in the body.")
            .WithJsonBody(request)
            .Produces(StatusCodes.Status200OK, reply, "application/json");
    }
}
