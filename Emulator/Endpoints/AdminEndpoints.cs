using System.ComponentModel;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The control surface /admin (docs/reference.md §1.2): JSON in snake_case, errors as RFC 7807 problem details.
/// This file: health, reset, apps, sessions and login codes; AdminAccountEndpoints.cs: accounts and orders.
/// </summary>
public static partial class AdminEndpoints
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
    internal static readonly string Version =
        typeof(AdminEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private const string HealthTag = "Health and reset";
    private const string AppsTag = "Apps";
    private const string SessionsTag = "Sessions and login codes";
    private const string AccountsTag = "Accounts and orders";
    private const string FaultsTag = "Faults";
    private const string JournalTag = "Request journal";
    private const string ClockTag = "Clock";

    private const string AppidParam = "The app; may be left out when exactly one is registered.";
    private const string LimitParam = "At most this many, 1 … 10000; default 100.";

    /// <summary>The longest page of GET /admin/orders and GET /admin/requests.</summary>
    public const int MaxOrdersPage = 10_000;

    /// <summary>The longest delay a rule may ask for: long enough for any client timeout, short enough to notice a typo.</summary>
    public const int MaxDelayMs = 600_000;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAdminToken().WithNotCommittedAs503().ChecksQueryParameters().ChecksJsonBodies()
            .WithGroupName(ApiReference.AdminDocument)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapGet("/health", GetHealth).TakesQuery()
            .Produces<HealthReply>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/reset", ResetAsync).TakesQuery()
            .WithJsonBody<ResetRequest>(required: false)
            .Produces<ResetReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapGet("/apps", ListApps).TakesQuery();
        admin.MapPost("/apps", RegisterAppAsync).TakesQuery()
            .WithJsonBody<AppRequest>()
            .Produces<AppReply>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/sessions", StartSessionAsync).TakesQuery()
            .WithJsonBody<SessionRequest>()
            .Produces<SessionReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapDelete("/sessions/{openid}", EndSessionAsync).TakesQuery("appid")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/login-codes", IssueLoginCode).TakesQuery()
            .WithJsonBody<LoginCodeRequest>()
            .Produces<LoginCodeReply>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/accounts/{openid}", GetAccount).TakesQuery("appid", "zone_id", "env")
            .Produces<AccountReply>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("/accounts/{openid}/topup", TopupAsync).TakesQuery()
            .WithJsonBody<TopupRequest>()
            .Produces<AccountReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPut("/accounts/{openid}", SetAccountAsync).TakesQuery()
            .WithJsonBody<SetAccountRequest>()
            .Produces<AccountReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapGet("/orders", GetOrders).TakesQuery("openid", "bill_no", "env", "kind", "limit", "offset", "after_id")
            .Produces<IReadOnlyList<OrderReply>>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/invariants", GetInvariantsAsync).TakesQuery()
            .Produces<InvariantsReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapClientOrderApi();
        admin.MapPushApi();
        admin.MapTestingApi();
        return app;
    }

    /// <summary>When Midas:AdminToken is set, every /admin call needs "Authorization: Bearer &lt;token&gt;" (docs/reference.md §1.2).</summary>
    public static RouteGroupBuilder RequireAdminToken(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.AdminToken;
            if (string.IsNullOrEmpty(expected))
            {
                return await next(context).ConfigureAwait(false);
            }
            if (!SecretCheck.AdminTokenAccepts(context.HttpContext.Request.Headers.Authorization.ToString(), expected))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "admin token required",
                    detail: "this emulator has Midas:AdminToken set: send Authorization: Bearer <token>");
            }
            return await next(context).ConfigureAwait(false);
        });
        return group;
    }

    /// <summary>
    /// Refuses a query parameter the call does not take (names match case-insensitively, as ASP.NET binds them): a
    /// typo such as ?bill=order-42 must not silently answer the whole ledger.
    /// </summary>
    public static RouteHandlerBuilder TakesQuery(this RouteHandlerBuilder builder, params string[] names) =>
        builder.WithMetadata(new AcceptedQuery(names));

    /// <summary>The query parameters an admin call takes (<see cref="TakesQuery"/>): a test holds them to the OpenAPI document.</summary>
    public sealed record AcceptedQuery(IReadOnlyList<string> Names)
    {
        private readonly HashSet<string> _known = new(Names, StringComparer.OrdinalIgnoreCase);

        public bool Takes(string name) => _known.Contains(name);
    }

    /// <summary>Checks every call's query against its route's <see cref="AcceptedQuery"/>; a route without one takes none.</summary>
    public static RouteGroupBuilder ChecksQueryParameters(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var accepted = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AcceptedQuery>() ?? new AcceptedQuery([]);
            foreach (var key in context.HttpContext.Request.Query.Keys)
            {
                if (!accepted.Takes(key))
                {
                    return AdminProblems.BadRequest($"unknown query parameter {MidasReply.Echo(key)}: this call takes "
                        + (accepted.Names.Count == 0 ? "none" : string.Join(", ", accepted.Names)));
                }
            }
            return await next(context).ConfigureAwait(false);
        });
        return group;
    }

    /// <summary>
    /// Answers the problem of a body that could not be bound (<see cref="AdminJson{T}"/>) before the handler runs, so a
    /// handler only ever sees a usable body.
    /// </summary>
    public static RouteGroupBuilder ChecksJsonBodies(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            foreach (var argument in context.Arguments)
            {
                if (argument is IAdminJson { Problem: { } problem })
                {
                    return problem;
                }
            }
            return await next(context).ConfigureAwait(false);
        });
        return group;
    }

    /// <summary>A change the writer could not save answers 503 with the reason: the caller may retry, nothing applied.</summary>
    public static RouteGroupBuilder WithNotCommittedAs503(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (NotCommittedException ex)
            {
                return AdminProblems.Unavailable(ex.Message);
            }
        });
        return group;
    }

    /// <summary>200 while the emulator can take writes; 503 once its database failed (a restart recovers from the log).</summary>
    [Tags(HealthTag)]
    [EndpointSummary("Is the emulator up?")]
    [EndpointDescription("200 with status, version and uptime while it can take writes; 503 once its "
        + "database had a write failure (a restart recovers everything acknowledged). Docker's HEALTHCHECK and CI readiness waits call it.")]
    public static IResult GetHealth(LiteDbStore store) => store.Faulted
        ? AdminProblems.Unavailable($"the database {store.Database} had a write failure; restart the emulator")
        : TypedResults.Ok(new HealthReply("ok", Version, (long)(DateTimeOffset.UtcNow - StartedAt).TotalSeconds));

    [Tags(HealthTag)]
    [EndpointSummary("Wipe everything and reseed")]
    [EndpointDescription("Wipes accounts, orders, access tokens, sessions, login codes, fault rules "
        + "and the request journal, then loads the seed file again unless reseed is false. Apps and the clock stay. The body is optional.")]
    public static async Task<IResult> ResetAsync(AdminJson<ResetRequest> json, EmulatorData data)
    {
        var body = json.ValueOrNull;
        try
        {
            var seeded = await data.ResetAsync(body?.Reseed ?? true).ConfigureAwait(false);
            return TypedResults.Ok(new ResetReply(true, seeded));
        }
        catch (IOException ex)
        {
            // The seed file broke (or went) after the start; it is checked whole before anything of it is written.
            return AdminProblems.Unavailable($"the emulator was wiped, but {ex.Message}");
        }
    }

    [Tags(AppsTag)]
    [EndpointSummary("List the apps")]
    [EndpointDescription("Every registered app with its secret, offer_id and keys.")]
    public static Ok<IReadOnlyList<AppReply>> ListApps(AppRegistry apps) => TypedResults.Ok<IReadOnlyList<AppReply>>(apps.All.Select(AppReply.From).ToList());

    [Tags(AppsTag)]
    [EndpointSummary("Register or replace an app")]
    [EndpointDescription("appid and offer_id are 1–64 characters of [0-9A-Za-z_-]; secret and keys "
        + "1–256 characters. One app serves both families: app_key signs 1.0's production paths and 2.0's env 0, sandbox_app_key "
        + "1.0's sandbox paths and 2.0's env 1 (without it those answer 90017 and 90018). zones: the 2.0 zones published per env, "
        + "{\"sandbox\":[\"1\"],\"production\":[\"1\"]} by default; original_id: the gh_… id pushes name.")]
    public static async Task<IResult> RegisterAppAsync(AdminJson<AppRequest> json, AppRegistry apps)
    {
        var body = json.Value;
        if (MidasValidation.CheckApp(body.Appid, body.Secret, body.OfferId, body.AppKey, body.SandboxAppKey) is { } invalid)
        {
            return AdminProblems.BadRequest(invalid);
        }
        if (CheckZones(body.Zones) is { } badZones)
        {
            return AdminProblems.BadRequest(badZones);
        }
        if (body.OriginalId is { } originalId && !(originalId.StartsWith("gh_", StringComparison.Ordinal) && MidasValidation.IsAppIdentifier(originalId)))
        {
            return AdminProblems.BadRequest("original_id must start with gh_ and hold at most 64 of [0-9A-Za-z_-]");
        }
        var app = new MidasApp(body.Appid!, body.Secret!, body.OfferId!, body.AppKey!, body.SandboxAppKey)
        {
            Zones = body.Zones is { } zones ? new AppZones(zones.Sandbox ?? ["1"], zones.Production ?? ["1"]) : AppZones.Default,
            RegisteredOriginalId = body.OriginalId,
        };
        await apps.RegisterAsync(app).ConfigureAwait(false);
        return TypedResults.Created("/admin/apps", AppReply.From(app));
    }

    // Zone ids are parts of account keys: the same rule as 1.0's zone_id.
    private static string? CheckZones(ZonesBody? zones)
    {
        foreach (var list in new[] { zones?.Sandbox, zones?.Production })
        {
            if (list is null)
            {
                continue;
            }
            if (list.Count > 100 || list.Any(z => z is not { Length: > 0 and <= MidasValidation.MaxKeyPartLength }))
            {
                return $"zones lists at most 100 zone ids per env, each 1 to {MidasValidation.MaxKeyPartLength} characters";
            }
        }
        return null;
    }

    [Tags(SessionsTag)]
    [EndpointSummary("Log a player in")]
    [EndpointDescription("What /sns/jscode2session would give: a session with the given session_key or a random "
        + "one. It replaces the player's old session, so an mp_sig made with the old key then fails (90009).")]
    public static async Task<IResult> StartSessionAsync(AdminJson<SessionRequest> json, AppRegistry apps, Sessions sessions)
    {
        var body = json.Value;
        if (apps.Resolve(body.Appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        if (CheckOpenid(body.Openid) is { } invalid)
        {
            return invalid;
        }
        if (body.SessionKey is not null && !MidasValidation.IsSessionKey(body.SessionKey))
        {
            return AdminProblems.BadRequest($"session_key must be 1 to {MidasValidation.MaxSecretLength} characters (WeChat issues 24-char base64); "
                + "leave it out for a new one");
        }
        var session = await sessions.StartAsync(app.Appid, body.Openid!, body.SessionKey).ConfigureAwait(false);
        return TypedResults.Ok(SessionReply.From(session));
    }

    [Tags(SessionsTag)]
    [EndpointSummary("End a player's session")]
    [EndpointDescription("The player's next Midas call answers 90010. 404 when there is no session.")]
    public static async Task<IResult> EndSessionAsync(string openid, [Description(AppidParam)] string? appid, AppRegistry apps, Sessions sessions)
    {
        if (apps.Resolve(appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        return await sessions.EndAsync(app.Appid, openid).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : AdminProblems.NotFound($"openid {openid} has no session with appid {app.Appid}");
    }

    [Tags(SessionsTag)]
    [EndpointSummary("Issue a login code")]
    [EndpointDescription("A one-time js_code for /sns/jscode2session, what wx.login gives the game client. "
        + "It lives LoginCodeTtlSeconds (300 s).")]
    public static IResult IssueLoginCode(AdminJson<LoginCodeRequest> json, AppRegistry apps, Sessions sessions, IOptions<EmulatorOptions> options)
    {
        var body = json.Value;
        if (apps.Resolve(body.Appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        if (CheckOpenid(body.Openid) is { } invalid)
        {
            return invalid;
        }
        var code = sessions.IssueLoginCode(app.Appid, body.Openid!);
        return TypedResults.Ok(new LoginCodeReply(code, options.Value.LoginCodeTtlSeconds));
    }

    private static ProblemHttpResult? CheckOpenid(string? openid) =>
        MidasValidation.IsOpenid(openid)
            ? null
            : AdminProblems.BadRequest($"openid must be 1 to {MidasValidation.MaxOpenidLength} characters of [0-9A-Za-z_-]");

}
