using Microsoft.Extensions.Options;
using MidasEmulator.GamePay;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>Virtual payment 2.0: the five calls under /wxa/game/ and /wxa/checksession (docs/wechat-vp2-api.md §3).</summary>
public static class GamePayEndpoints
{
    private const string Tag = "Virtual payment 2.0";

    public static IEndpointRouteBuilder MapGamePayApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/wxa/game");
        foreach (var op in Enum.GetValues<GamePayOp>())
        {
            var name = GamePayFields.PathName(op);
            group.MapPost("/" + name, (HttpContext context, GamePayPipeline pipeline, IOptions<EmulatorOptions> options, TimeProvider clock,
                    ILoggerFactory loggers) => HandleAsync(context, op, pipeline, options.Value, clock, loggers))
                .WithWeChatCall("game/" + name, env: null)
                .WithName("game-" + name)
                .WithGamePayDocs(op);
            group.MapMethods("/" + name, WeChatEndpoints.OtherMethods, () => WireResult.Of(MidasReply.RequirePostMethod()))
                .WithWeChatCall("game/" + name, env: null, faultable: false)
                .ExcludeFromDescription();
        }
        app.MapGet("/wxa/checksession", (HttpRequest request, GamePayPipeline pipeline) =>
            {
                var query = request.Query;
                var reply = pipeline.CheckSession(query["access_token"], query["openid"], query["signature"], query["sig_method"]);
                return WireResult.Of(reply);
            })
            .WithWeChatCall("checksession", env: null)
            .WithName("checksession")
            .WithGroupName(ApiReference.WeChatDocument).WithTags(Tag)
            .WithSummary("checksession: is the player's session_key still the live one")
            .WithDescription("auth.checkSessionKey: signature is the lowercase hex HMAC-SHA256 of the empty string keyed with the "
                + "session_key. Answers 0 ok while it is the player's live session_key, 87009 invalid signature otherwise (an older "
                + $"key, an ended session, or none). Access token errors as for every call. See {ApiReference.GamePayRules}.")
            .WithQueryParameter("access_token", "From GET /cgi-bin/token.")
            .WithQueryParameter("openid", "The player.")
            .WithQueryParameter("signature", "hex(HMAC-SHA256(session_key, \"\")), lowercase.")
            .WithQueryParameter("sig_method", "Must be hmac_sha256.")
            .Produces<GamePayErrorReply>(StatusCodes.Status200OK);
        app.MapMethods("/wxa/checksession", ["POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"], () => WireResult.Of(MidasReply.RequireGetMethod()))
            .WithWeChatCall("checksession", env: null, faultable: false)
            .ExcludeFromDescription();
        return app;
    }

    // HTTP in, HTTP out: the call itself is GamePayPipeline's. The body is read once (the fault filter may have read it).
    private static async Task<IResult> HandleAsync(HttpContext context, GamePayOp op, GamePayPipeline pipeline, EmulatorOptions options,
        TimeProvider clock, ILoggerFactory loggers)
    {
        var http = context.Request;
        var call = WeChatCall.For(context, "game/" + GamePayFields.PathName(op), env: null);
        MidasReply reply;
        byte[]? quotedBody = null;
        try
        {
            var body = await call.ReadBodyAsync(http, options.MaxBodyBytes).ConfigureAwait(false);
            var query = http.Query;
            var result = await pipeline.ProcessAsync(new GamePayCall(op, (http.PathBase + http.Path).Value!, query["access_token"], query["signature"],
                query["sig_method"], query["pay_sig"], body)).ConfigureAwait(false);
            call.Env = result.Env;
            call.StringToSign = result.StringToSign;
            reply = result.Reply;
            quotedBody = result.QuotesBody ? body : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The WeChat surface never answers HTTP 500: an unexpected failure is WeChat's own "system error".
            loggers.CreateLogger(typeof(GamePayEndpoints)).LogError(ex, "{Path} failed", http.Path);
            reply = MidasReply.SystemBusy("system error");
        }
        return WireOf(reply, op, clock.GetUtcNow(), quotedBody);
    }

    /// <summary>A 2.0 reply on the wire; <paramref name="op"/> null for a fault rule's errcode, which carries no fields.</summary>
    internal static WireResult WireOf(MidasReply reply, GamePayOp? op, DateTimeOffset now, byte[]? quotedBody = null)
    {
        var errmsg = GamePayReply.Errmsg(reply, quotedBody, now);
        return new WireResult(writer => GamePayReply.Write(writer, reply, errmsg, op), reply.Errcode, errmsg);
    }

    // The OpenAPI description (/openapi/wechat.json): documentation only, the handler reads the body itself.
    private static RouteHandlerBuilder WithGamePayDocs(this RouteHandlerBuilder builder, GamePayOp op)
    {
        var (summary, does, request, reply) = op switch
        {
            GamePayOp.GetBalance => ("Read the player's balance", "Reads the account (env, offer_id, zone_id, openid) that 1.0 reads too; "
                + "changes nothing. coin_type 1 reads the recharge-centre balance, which the emulator keeps empty.",
                typeof(GamePayGetBalanceRequest), typeof(GamePayGetBalanceReply)),
            GamePayOp.Pay => ("Deduct coins", "Deducts amount coins, gift coins first (used_present_amount). A bill_no already applied in "
                + "the last 48 h answers 90012 and deducts nothing; too few coins answer 90013.",
                typeof(GamePayPayRequest), typeof(GamePayPayReply)),
            GamePayOp.CancelPay => ("Give back all or part of a pay", "Gives back amount coins of the pay pay_bill_no, under the refund's own "
                + "bill_no; several refunds may follow one another while their total stays within the pay. Gift coins go back first, up to "
                + "what the pay took from them. An unknown pay, or one past 48 h, answers 90000; more than is left answers 90018; a "
                + "refund bill_no already used answers 90012.",
                typeof(GamePayCancelPayRequest), typeof(GamePayCancelPayReply)),
            GamePayOp.Present => ("Give gift coins", "Gives amount gift coins (present_balance). A repeated bill_no answers 90012 and gives nothing.",
                typeof(GamePayPresentRequest), typeof(GamePayPresentReply)),
            _ => ("Look up a client-side order", "Finds the order the player's phone made (POST /admin/client-orders here) by out_trade_no "
                + "and biz_id: pay_state 2 paid, deliver_state 2 delivered. An unknown one answers 90019.",
                typeof(GamePayQueryOrderRequest), typeof(GamePayQueryOrderReply)),
        };
        return builder
            .WithGroupName(ApiReference.WeChatDocument)
            .WithTags(Tag)
            .WithSummary($"game/{GamePayFields.PathName(op)}: {summary}")
            .WithDescription($"{does} The body's env picks the ledger (0 production, 1 sandbox: the ledgers 1.0's paths use). pay_sig is "
                + "lowercase hex HMAC-SHA256, keyed with the app's AppKey of that env, over this path + \"&\" + the body bytes; signature "
                + "is keyed with the player's session_key and covers the body bytes alone. The checks run access_token → body → "
                + "offer_id, env and values → pay_sig (90011) → session (90016) → signature (90010); the first failure answers HTTP 200 "
                + $"with its errcode and errmsg, changing nothing. Types are strict (90018). Rules and errcodes: {ApiReference.GamePayRules}.")
            .WithQueryParameter("access_token", "From GET /cgi-bin/token: it names the app.")
            .WithQueryParameter("signature", "Lowercase hex HMAC-SHA256(session_key, body).")
            .WithQueryParameter("sig_method", "Must be hmac_sha256.")
            .WithQueryParameter("pay_sig", "Lowercase hex HMAC-SHA256(AppKey of env, path + \"&\" + body).")
            .WithJsonBody(request)
            .Produces(StatusCodes.Status200OK, reply, "application/json");
    }
}
