using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using MidasEmulator.Clock;
using MidasEmulator.Faults;
using MidasEmulator.Pushes;
using MidasEmulator.Journal;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The /admin calls a backend's own tests drive (docs/reference.md §1.2–1.3): fault rules, the request journal and the
/// emulator's clock.
/// </summary>
public static partial class AdminEndpoints
{
    public static RouteGroupBuilder MapTestingApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/faults", AddFault).TakesQuery()
            .WithJsonBody<FaultRequest>(required: false)
            .Produces<FaultReply>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/faults", ListFaults).TakesQuery();
        admin.MapDelete("/faults/{id}", DeleteFault).TakesQuery()
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/faults", DeleteAllFaults).TakesQuery();
        admin.MapGet("/requests", GetRequests).TakesQuery("endpoint", "openid", "bill_no", "errcode", "limit")
            .Produces<IReadOnlyList<JournalEntryReply>>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/clock", GetClock).TakesQuery();
        admin.MapPost("/clock", SetClockAsync).TakesQuery()
            .WithJsonBody<ClockRequest>()
            .Produces<ClockReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return admin;
    }

    [Tags(FaultsTag)]
    [EndpointSummary("Add a fault rule")]
    [EndpointDescription("Every field is optional: the default answers errcode -1 \"system busy\" on every "
        + "WeChat-surface call until deleted. action is errcode, http_status, drop or delay; after_commit true lets the operation "
        + "commit first. Rules are tried oldest first and at most one fires per request (docs/reference.md §1.3).")]
    public static IResult AddFault(AdminJson<FaultRequest> json, FaultRules faults)
    {
        var body = json.ValueOrNull;
        if (ToFaultSpec(body ?? new FaultRequest(), out var invalid) is not { } spec)
        {
            return AdminProblems.BadRequest(invalid);
        }
        var rule = faults.Add(spec);
        return TypedResults.Created($"/admin/faults/{rule.Id}", FaultReply.From(rule));
    }

    [Tags(FaultsTag)]
    [EndpointSummary("List the fault rules")]
    [EndpointDescription("Every rule with its counters: matched (requests in scope), hits (requests it "
        + "fired on) and active (false once retired by times).")]
    public static Ok<IReadOnlyList<FaultReply>> ListFaults(FaultRules faults) =>
        TypedResults.Ok<IReadOnlyList<FaultReply>>(faults.All.Select(FaultReply.From).ToList());

    [Tags(FaultsTag)]
    [EndpointSummary("Delete a fault rule")]
    [EndpointDescription("404 for an unknown id.")]
    public static IResult DeleteFault(string id, FaultRules faults) =>
        faults.Remove(id) ? Results.NoContent() : AdminProblems.NotFound($"there is no fault rule {id}");

    [Tags(FaultsTag)]
    [EndpointSummary("Delete every fault rule")]
    [EndpointDescription("Always 204.")]
    public static NoContent DeleteAllFaults(FaultRules faults)
    {
        faults.Clear();
        return TypedResults.NoContent();
    }

    private static bool IsPushScopeName(string endpoint) =>
        endpoint == FaultSpec.AnyPush || (endpoint.StartsWith(FaultSpec.AnyPush + ":", StringComparison.Ordinal)
            && PushEvents.IsKnown(endpoint[(FaultSpec.AnyPush.Length + 1)..]));

    private static FaultSpec? ToFaultSpec(FaultRequest r, out string problem)
    {
        var endpoint = r.Endpoint ?? FaultSpec.AnyEndpoint;
        var action = FaultAction.Errcode;
        var forPushes = FaultSpec.IsPushScope(endpoint);
        if (forPushes && r.Action is null)
        {
            action = FaultAction.FailAttempt;
        }
        problem = endpoint != FaultSpec.AnyEndpoint && !FaultSpec.Endpoints.Contains(endpoint) && !IsPushScopeName(endpoint)
            ? $"endpoint must be one of {string.Join(", ", FaultSpec.Endpoints)}, *, push or push:<event> (an event of {string.Join(", ", PushEvents.All)})"
            : r.Action is not null && !FaultActions.TryParse(r.Action, out action)
                ? "action must be errcode, http_status, drop or delay for a call; duplicate, delay, reorder or fail_attempt for a push"
            : forPushes && !FaultSpec.IsPushAction(action) ? $"a push rule's action is duplicate, delay, reorder or fail_attempt, not {r.Action}"
            : !forPushes && !FaultSpec.IsCallAction(action) ? $"action {r.Action} is for pushes: set endpoint to push or push:<event>"
            : forPushes && action is FaultAction.Reorder or FaultAction.FailAttempt && r.DelayMs is not null
                ? $"a {r.Action ?? "fail_attempt"} push rule takes no delay_ms: nothing is sent when it fires (reorder sends later, after the next push)"
            : forPushes && (r.BillNo is not null || r.AfterCommit is not null || r.Errcode is not null || r.Errmsg is not null || r.HttpStatus is not null)
                ? "a push rule takes no bill_no, after_commit, errcode, errmsg or http_status"
            : r.HttpStatus is < 400 or > 599 ? "http_status must be from 400 to 599"
            : r.DelayMs is < 0 or > MaxDelayMs ? $"delay_ms must be from 0 to {MaxDelayMs}"
            : action == FaultAction.Delay && r.DelayMs is null or 0 ? "action delay needs delay_ms, the wait in milliseconds"
            : r.Probability is { } p && !(p >= 0 && p <= 1) ? "probability must be from 0 to 1"
            : r.Times is < 1 ? "times must be 1 or more, or null for a rule that fires until deleted"
            : r.SkipFirst is < 0 ? "skip_first must be 0 or more"
            : r.Errmsg is { Length: > MidasValidation.MaxTextLength } ? $"errmsg must be at most {MidasValidation.MaxTextLength} characters"
            : r.Openid is { Length: 0 } || r.BillNo is { Length: 0 } ? "openid and bill_no filters must not be empty: leave them out to match any"
            : "";
        if (problem.Length > 0)
        {
            return null;
        }
        var errcode = r.Errcode ?? -1;
        var errmsg = r.Errmsg ?? (errcode == -1 ? "system busy" : $"errcode {errcode} injected by the emulator");
        return new FaultSpec(endpoint, action, errcode, errmsg, r.HttpStatus ?? StatusCodes.Status502BadGateway, r.DelayMs ?? 0,
            r.AfterCommit ?? false, r.Probability ?? 1, r.Times, r.Openid, r.BillNo, r.SkipFirst ?? 0, r.Seed);
    }

    [Tags(JournalTag)]
    [EndpointSummary("Read the request journal")]
    [EndpointDescription("The last JournalSize WeChat-surface calls, newest first, filtered by "
        + "endpoint, openid, bill_no and errcode; limit 1 … 10000 (default 100). For a 90011 or 90009 string_to_sign is what the "
        + "emulator signed, key shown as ***. Credentials never appear.")]
    public static IResult GetRequests(
        [Description("Only this endpoint: getbalance, pay, cancelpay, present, token or jscode2session.")] string? endpoint,
        [Description("Only calls whose body has this openid.")] string? openid,
        [FromQuery(Name = "bill_no"), Description("Only calls whose body has this bill_no.")] string? billNo,
        [Description("Only replies with this errcode, such as -1 or 90012.")] string? errcode,
        [Description(LimitParam)] string? limit, RequestJournal journal)
    {
        if (!TryInt(limit, 100, out var take) || take is < 1 or > MaxOrdersPage)
        {
            return AdminProblems.BadRequest($"limit must be an integer from 1 to {MaxOrdersPage}");
        }
        int? errcodeFilter = null;
        if (errcode is not null)
        {
            if (!int.TryParse(errcode, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                return AdminProblems.BadRequest("errcode must be an integer, such as -1 or 90012");
            }
            errcodeFilter = code;
        }
        var entries = journal.Find(new JournalQuery(endpoint, openid, billNo, errcodeFilter, take));
        return TypedResults.Ok<IReadOnlyList<JournalEntryReply>>(entries.Select(ToReply).ToList());
    }

    private static JournalEntryReply ToReply(JournalEntry e) => new(
        e.Id, e.Time, e.Endpoint, e.Env, e.Method, e.Path, CredentialMask.HideInQuery(e.Query), e.Openid, e.BillNo, ShowBody(e),
        e.Errcode, e.Errmsg, e.HttpStatus, e.HttpStatus is null, e.FaultId, Math.Round(e.DurationMs, 3), e.StringToSign);

    // Midas bodies hold no keys, but a body is whatever the client sent: a credential-named value is hidden anyway,
    // in a JSON body and in a form body alike.
    private static string? ShowBody(JournalEntry e)
    {
        if (e.Body is null)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(e.Body);
        // A form body is split on '&'; a JSON one must not be (an '&' inside a string value would hide the rest).
        text = text.TrimStart() is ['{' or '[', ..] ? CredentialMask.HideInJson(text) : CredentialMask.HideInQuery(CredentialMask.HideInJson(text));
        return e.BodyBytes > e.Body.Length ? $"{text}…[{e.BodyBytes} bytes; the journal keeps the first {RequestJournal.MaxBodyBytes}]" : text;
    }

    [Tags(ClockTag)]
    [EndpointSummary("Read the emulator's clock")]
    [EndpointDescription("Its time, its offset from the system clock, and whether it is the real one.")]
    public static Ok<ClockReply> GetClock(EmulatorClock clock) => TypedResults.Ok(ClockOf(clock));

    [Tags(ClockTag)]
    [EndpointSummary("Move the emulator's clock")]
    [EndpointDescription("Exactly one of advance_s (seconds forward), now (an ISO-8601 time; it keeps "
        + "running from there) or real: true (back to the system clock). Token, login-code, session and bill_no expiry, the ts "
        + "window and created_at of orders read this clock. Moving it back makes bill_nos live again that a jump forward had let go.")]
    public static async Task<IResult> SetClockAsync(AdminJson<ClockRequest> json, EmulatorClock clock, LedgerWriter writer)
    {
        var body = json.Value;
        var given = (body.AdvanceS is null ? 0 : 1) + (body.Now is null ? 0 : 1) + (body.Real is null ? 0 : 1);
        if (given != 1)
        {
            return AdminProblems.BadRequest("give exactly one of advance_s (seconds forward), now (an ISO-8601 time) or real (true)");
        }
        // The target is worked out from the clock at the moment of the move (null: back to the system clock).
        Func<DateTimeOffset, DateTimeOffset>? target;
        if (body.AdvanceS is { } seconds)
        {
            if (!(seconds >= 0 && seconds <= TimeSpan.FromDays(36_500).TotalSeconds))
            {
                return AdminProblems.BadRequest("advance_s must be from 0 to 100 years of seconds: the clock only moves forward this way; set now to go back");
            }
            target = now => now.AddSeconds(seconds);
        }
        else if (body.Now is { } now)
        {
            if (!DateTimeOffset.TryParse(now, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            {
                return AdminProblems.BadRequest("now must be an ISO-8601 time, such as 2026-11-25T08:00:00Z");
            }
            target = _ => instant;
        }
        else if (body.Real is true)
        {
            target = null;
        }
        else
        {
            return AdminProblems.BadRequest("real must be true (it returns the emulator to the system clock)");
        }
        try
        {
            if (!await writer.MoveClockAsync(clock, target).ConfigureAwait(false))
            {
                return AdminProblems.BadRequest($"the clock must stay between {EmulatorClock.Earliest:yyyy-MM-dd} and {EmulatorClock.Latest:yyyy-MM-dd}");
            }
        }
        catch (WorkBetweenCommitsException ex) when (ex.InnerException is { } cause)
        {
            return AdminProblems.Unavailable($"the clock did not move: the bill_no memory could not be read from the ledger ({cause.Message})");
        }
        return TypedResults.Ok(ClockOf(clock));
    }

    private static ClockReply ClockOf(EmulatorClock clock) => new(clock.GetUtcNow(), Math.Round(clock.Offset.TotalSeconds, 3), clock.Offset == TimeSpan.Zero);
}
