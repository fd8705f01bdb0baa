using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>The control surface /admin (design.md §1.2): JSON in snake_case, errors as RFC 7807 problem details.</summary>
public static class AdminEndpoints
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
    private static readonly string Version =
        typeof(AdminEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public const int MaxOrdersPage = 10_000;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAdminToken().WithTags("admin");
        admin.MapGet("/health", GetHealth);
        admin.MapPost("/reset", ResetAsync);
        admin.MapGet("/apps", (AppRegistry apps) => TypedResults.Ok<IReadOnlyList<AppReply>>(apps.All.Select(AppReply.From).ToList()));
        admin.MapPost("/apps", RegisterAppAsync);
        admin.MapPost("/sessions", StartSessionAsync);
        admin.MapDelete("/sessions/{openid}", EndSessionAsync);
        admin.MapPost("/login-codes", IssueLoginCode);
        admin.MapGet("/accounts/{openid}", GetAccount);
        admin.MapPost("/accounts/{openid}/topup", TopupAsync);
        admin.MapPut("/accounts/{openid}", SetAccountAsync);
        admin.MapGet("/orders", GetOrders);
        return app;
    }

    /// <summary>When Midas:AdminToken is set, every /admin call needs "Authorization: Bearer &lt;token&gt;" (design.md §1.2).</summary>
    public static RouteGroupBuilder RequireAdminToken(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.AdminToken;
            if (string.IsNullOrEmpty(expected))
            {
                return await next(context).ConfigureAwait(false);
            }
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "admin token required",
                    detail: "this emulator has Midas:AdminToken set: send Authorization: Bearer <token>");
            }
            return await next(context).ConfigureAwait(false);
        });
        return group;
    }

    public static IResult GetHealth() =>
        TypedResults.Ok(new HealthReply("ok", Version, (long)(DateTimeOffset.UtcNow - StartedAt).TotalSeconds));

    public static async Task<IResult> ResetAsync(ResetRequest? body, EmulatorData data)
    {
        var seeded = await data.ResetAsync(body?.Reseed ?? true).ConfigureAwait(false);
        return TypedResults.Ok(new ResetReply(true, seeded));
    }

    public static async Task<IResult> RegisterAppAsync(AppRequest body, AppRegistry apps)
    {
        foreach (var (name, value) in new[] { ("appid", body.Appid), ("secret", body.Secret), ("offer_id", body.OfferId), ("app_key", body.AppKey) })
        {
            if (string.IsNullOrEmpty(value))
            {
                return BadRequest($"{name} is required");
            }
        }
        var app = new MidasApp(body.Appid!, body.Secret!, body.OfferId!, body.AppKey!, string.IsNullOrEmpty(body.SandboxAppKey) ? null : body.SandboxAppKey);
        await apps.RegisterAsync(app).ConfigureAwait(false);
        return TypedResults.Created("/admin/apps", AppReply.From(app));
    }

    public static async Task<IResult> StartSessionAsync(SessionRequest body, AppRegistry apps, Sessions sessions)
    {
        if (apps.Resolve(body.Appid, out var problem) is not { } app)
        {
            return BadRequest(problem);
        }
        if (CheckOpenid(body.Openid) is { } openidProblem)
        {
            return BadRequest(openidProblem);
        }
        if (body.SessionKey is { Length: 0 or > 256 })
        {
            return BadRequest("session_key must be 1 to 256 characters (WeChat issues 24-char base64)");
        }
        var session = await sessions.StartAsync(app.Appid, body.Openid!, body.SessionKey).ConfigureAwait(false);
        return TypedResults.Ok(SessionReply.From(session));
    }

    public static async Task<IResult> EndSessionAsync(string openid, string? appid, AppRegistry apps, Sessions sessions)
    {
        if (apps.Resolve(appid, out var problem) is not { } app)
        {
            return BadRequest(problem);
        }
        return await sessions.EndAsync(app.Appid, openid).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : NotFound($"openid {openid} has no session with appid {app.Appid}");
    }

    public static IResult IssueLoginCode(LoginCodeRequest body, AppRegistry apps, Sessions sessions, IOptions<EmulatorOptions> options)
    {
        if (apps.Resolve(body.Appid, out var problem) is not { } app)
        {
            return BadRequest(problem);
        }
        if (CheckOpenid(body.Openid) is { } openidProblem)
        {
            return BadRequest(openidProblem);
        }
        var code = sessions.IssueLoginCode(app.Appid, body.Openid!);
        return TypedResults.Ok(new LoginCodeReply(code, options.Value.LoginCodeTtlSeconds));
    }

    public static IResult GetAccount(string openid, string? appid, [FromQuery(Name = "zone_id")] string? zoneId, string? env, AppRegistry apps, LedgerState ledger)
    {
        if (ResolveAccount(openid, appid, zoneId, env, apps, out var app, out var key) is { } error)
        {
            return error;
        }
        return TypedResults.Ok(AccountReply.From(app.Appid, ledger.GetAccount(key)));
    }

    public static async Task<IResult> TopupAsync(string openid, TopupRequest body, AppRegistry apps, LedgerWriter writer)
    {
        if (ResolveAccount(openid, body.Appid, body.ZoneId, body.Env, apps, out var app, out var key) is { } error)
        {
            return error;
        }
        if (body.Amount is not (>= 1 and <= int.MaxValue))
        {
            return BadRequest($"amount must be an integer from 1 to {int.MaxValue}");
        }
        var result = await writer.SubmitAsync(new TopupCommand(key, app.Appid, body.Amount.Value)).ConfigureAwait(false);
        return AccountResult(app, result);
    }

    public static async Task<IResult> SetAccountAsync(string openid, SetAccountRequest body, AppRegistry apps, LedgerWriter writer)
    {
        if (ResolveAccount(openid, body.Appid, body.ZoneId, body.Env, apps, out var app, out var key) is { } error)
        {
            return error;
        }
        if (body.Balance is null && body.GenBalance is null)
        {
            return BadRequest("give balance, gen_balance or both");
        }
        if (body.Balance is < 0 or > long.MaxValue / 4 || body.GenBalance is < 0 or > long.MaxValue / 4)
        {
            return BadRequest("balance and gen_balance must be 0 or more");
        }
        var result = await writer.SubmitAsync(new SetBalanceCommand(key, app.Appid, body.Balance, body.GenBalance)).ConfigureAwait(false);
        return AccountResult(app, result);
    }

    public static IResult GetOrders(string? openid, [FromQuery(Name = "bill_no")] string? billNo, string? env, string? kind, int? limit, int? offset, LiteDbStore store)
    {
        Env? envFilter = null;
        if (env is not null)
        {
            if (!EnvNames.TryParse(env, out var parsed))
            {
                return BadRequest("env must be sandbox or production");
            }
            envFilter = parsed;
        }
        OrderKind? kindFilter = null;
        if (kind is not null)
        {
            if (!Order.TryParseKind(kind, out var parsed))
            {
                return BadRequest("kind must be pay, cancel, present, topup or set");
            }
            kindFilter = parsed;
        }
        if (limit is < 1 or > MaxOrdersPage || offset is < 0)
        {
            return BadRequest($"limit must be 1 to {MaxOrdersPage} and offset 0 or more");
        }
        var orders = store.QueryOrders(new OrderQuery(openid, billNo, envFilter, kindFilter, offset ?? 0, limit ?? 100));
        return TypedResults.Ok<IReadOnlyList<OrderReply>>(orders.Select(OrderReply.From).ToList());
    }

    private static IResult AccountResult(MidasApp app, CommandResult result) => result.Reply switch
    {
        { IsOk: true, Account: { } account } => TypedResults.Ok(AccountReply.From(app.Appid, account)),
        { Errcode: MidasErrcode.SystemBusy } reply => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not applied", detail: reply.Errmsg),
        var reply => BadRequest(reply.Errmsg),
    };

    private static ProblemHttpResult? ResolveAccount(string openid, string? appid, string? zoneId, string? env, AppRegistry apps, out MidasApp app, out AccountKey key)
    {
        key = default;
        if (apps.Resolve(appid, out var problem) is not { } resolved)
        {
            app = null!;
            return BadRequest(problem);
        }
        app = resolved;
        if (CheckOpenid(openid) is { } openidProblem)
        {
            return BadRequest(openidProblem);
        }
        if (!EnvNames.TryParse(env, out var parsedEnv))
        {
            return BadRequest("env must be sandbox or production");
        }
        if (zoneId is { Length: 0 or > MidasValidation.MaxTextLength })
        {
            return BadRequest("zone_id must be a non-empty string");
        }
        key = new AccountKey(parsedEnv, app.OfferId, zoneId ?? "1", openid);
        return null;
    }

    private static string? CheckOpenid(string? openid) =>
        openid is { Length: > 0 and <= MidasValidation.MaxOpenidLength } && openid.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? null
            : $"openid must be 1 to {MidasValidation.MaxOpenidLength} characters of [0-9A-Za-z_-]";

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "bad request", detail: detail);

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: detail);
}
