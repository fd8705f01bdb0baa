using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using MidasEmulator.Faults;
using MidasEmulator.Journal;
using MidasEmulator.Logging;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The one mechanism around every WeChat-surface endpoint: it applies the fault rule that fires (docs/reference.md §1.3),
/// records the call in the journal and writes its log line. Handlers know nothing of faults.
/// </summary>
public static partial class WeChatCallFilter
{
    /// <summary>Wraps an endpoint; <paramref name="faultable"/> is false for the 43001/43002 wrong-method answers.</summary>
    public static TBuilder WithWeChatCall<TBuilder>(this TBuilder builder, string endpoint, Env? env, bool faultable = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter((context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<WeChatCallPipeline>().InvokeAsync(context, next, endpoint, env, faultable));
}

public sealed partial class WeChatCallPipeline(
    FaultRules faults,
    RequestJournal journal,
    TimeProvider clock,
    IOptions<EmulatorOptions> options,
    ILoggerFactory loggers)
{

    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;
    private readonly ILogger _logger = loggers.CreateLogger(LogCategories.Calls);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string endpoint, Env? env, bool faultable)
    {
        var started = Stopwatch.GetTimestamp();
        var http = context.HttpContext;
        var call = WeChatCall.For(http, endpoint, env);
        if (faultable && HttpMethods.IsPost(http.Request.Method))
        {
            // The Midas calls carry openid and bill_no in the body; reading it first also keeps it for a late commit.
            await call.ReadBodyAsync(http.Request, _maxBodyBytes).ConfigureAwait(false);
        }

        var fault = faultable ? faults.Pick(endpoint, call.Openid, call.BillNo) : null;
        var result = fault is null ? await next(context).ConfigureAwait(false) : await ApplyAsync(fault.Spec, context, next, endpoint, clock).ConfigureAwait(false);

        var dropped = fault?.Spec.Action == FaultAction.Drop;
        var wire = result as WireResult;
        int? status = dropped ? null : (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        var durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        journal.Record(id => new JournalEntry(id, clock.GetUtcNow(), endpoint, call.Env?.ToWire(), http.Request.Method, http.Request.Path.Value ?? "",
            http.Request.QueryString.Value ?? "", call.Openid, call.BillNo, RequestJournal.Kept(call.Body), call.Body?.Length ?? 0, wire?.Errcode,
            wire?.Errmsg, status, fault?.Id, durationMs, call.StringToSign));
        LogCall(endpoint, call.Env?.ToWire() ?? "-", call.Openid ?? "-", call.BillNo ?? "-", wire?.Errcode, status, fault?.Id ?? "-", Math.Round(durationMs, 2));
        if (dropped)
        {
            // Only now, so that the journal already holds the call when the client sees its connection go.
            http.Abort();
        }
        return result;
    }

    // Delay never suppresses the operation: before the commit it makes a late commit, after it a late reply.
    // The wait ignores the client's disconnect on purpose: a client that gave up does not undo the operation.
    private static async ValueTask<object?> ApplyAsync(FaultSpec fault, EndpointFilterInvocationContext context, EndpointFilterDelegate next,
        string endpoint, TimeProvider clock)
    {
        if (!fault.AfterCommit)
        {
            await Task.Delay(fault.DelayMs).ConfigureAwait(false);
        }
        // The operation runs after a commit-first rule, and after a plain delay; any other rule replies instead of it.
        var result = fault.AfterCommit || fault.Action == FaultAction.Delay ? await next(context).ConfigureAwait(false) : null;
        if (fault.AfterCommit)
        {
            await Task.Delay(fault.DelayMs).ConfigureAwait(false);
        }

        switch (fault.Action)
        {
            case FaultAction.Errcode:
                return FaultReply(endpoint, new MidasReply(fault.Errcode, fault.Errmsg), clock.GetUtcNow());
            case FaultAction.HttpStatus:
                return new GatewayErrorResult(fault.HttpStatus);
            case FaultAction.Drop:
                return Results.Empty; // the caller aborts the connection once the call is journaled
            default:
                return result;
        }
    }

    // A 2.0 call's fault answers as every 2.0 error does (docs/wechat-vp2-api.md §8.22): errcode and errmsg only, the errmsg
    // ending with a traceid and a rid, so that a client's 2.0 error handling meets the shape it will meet live.
    private static WireResult FaultReply(string endpoint, MidasReply reply, DateTimeOffset now) =>
        endpoint.StartsWith("game/", StringComparison.Ordinal) ? GamePayEndpoints.WireOf(reply, op: null, now) : WireResult.Of(reply);

    [LoggerMessage(EventId = 1, EventName = "WeChatCall", Level = LogLevel.Information,
        Message = "{Endpoint} env={Env} openid={Openid} bill_no={BillNo} errcode={Errcode} status={HttpStatus} fault={FaultId} {DurationMs} ms")]
    private partial void LogCall(string endpoint, string env, string openid, string billNo, int? errcode, int? httpStatus, string faultId, double durationMs);
}

/// <summary>What a gateway in front of WeChat answers when it fails: an HTTP error status and an nginx-style HTML page.</summary>
public sealed class GatewayErrorResult(int statusCode) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => statusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var title = $"{statusCode} {ReasonPhrases.GetReasonPhrase(statusCode)}".TrimEnd();
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "text/html";
        return httpContext.Response.WriteAsync(
            $"<html>\r\n<head><title>{WebUtility.HtmlEncode(title)}</title></head>\r\n<body>\r\n<center><h1>{WebUtility.HtmlEncode(title)}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    }
}
