using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>
/// The control surface /admin (design.md §1.2): JSON in snake_case, errors as RFC 7807 problem details.
/// This file: health, reset, apps, sessions and login codes; AdminAccountEndpoints.cs: accounts and orders.
/// </summary>
public static partial class AdminEndpoints
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
    internal static readonly string Version =
        typeof(AdminEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAdminToken().WithNotCommittedAs503().WithTags("admin");
        admin.MapGet("/health", GetHealth);
        admin.MapPost("/reset", ResetAsync);
        admin.MapGet("/apps", (AppRegistry apps) => TypedResults.Ok<IReadOnlyList<AppReply>>(apps.All.Select(AppReply.From).ToList()));
        admin.MapPost("/apps", RegisterAppAsync);
        admin.MapPost("/sessions", StartSessionAsync);
        admin.MapDelete("/sessions/{openid}", EndSessionAsync);
        admin.MapPost("/login-codes", IssueLoginCodeAsync);
        admin.MapGet("/accounts/{openid}", GetAccount);
        admin.MapPost("/accounts/{openid}/topup", TopupAsync);
        admin.MapPut("/accounts/{openid}", SetAccountAsync);
        admin.MapGet("/orders", GetOrders);
        admin.MapTestingApi();
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
    public static IResult GetHealth(LiteDbStore store) => store.Faulted
        ? AdminProblems.Unavailable($"the database {store.Database} had a write failure; restart the emulator")
        : TypedResults.Ok(new HealthReply("ok", Version, (long)(DateTimeOffset.UtcNow - StartedAt).TotalSeconds));

    public static async Task<IResult> ResetAsync(HttpRequest request, EmulatorData data)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, EmulatorJsonContext.Default.ResetRequest, optional: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var seeded = await data.ResetAsync(body?.Reseed ?? true).ConfigureAwait(false);
        return TypedResults.Ok(new ResetReply(true, seeded));
    }

    public static async Task<IResult> RegisterAppAsync(HttpRequest request, AppRegistry apps)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, EmulatorJsonContext.Default.AppRequest).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }
        // appid and offer_id are parts of database keys: short, and without the key separator.
        foreach (var (name, value) in new[] { ("appid", body.Appid), ("offer_id", body.OfferId) })
        {
            if (CheckIdentifier(name, value) is { } invalid)
            {
                return invalid;
            }
        }
        foreach (var (name, value) in new[] { ("secret", body.Secret), ("app_key", body.AppKey), ("sandbox_app_key", body.SandboxAppKey ?? "-") })
        {
            if (value is not { Length: > 0 and <= 256 })
            {
                return AdminProblems.BadRequest($"{name} is required: 1 to 256 characters");
            }
        }
        var app = new MidasApp(body.Appid!, body.Secret!, body.OfferId!, body.AppKey!, body.SandboxAppKey);
        await apps.RegisterAsync(app).ConfigureAwait(false);
        return TypedResults.Created("/admin/apps", AppReply.From(app));
    }

    public static async Task<IResult> StartSessionAsync(HttpRequest request, AppRegistry apps, Sessions sessions)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, EmulatorJsonContext.Default.SessionRequest).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }
        if (apps.Resolve(body.Appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        if (CheckOpenid(body.Openid) is { } invalid)
        {
            return invalid;
        }
        if (body.SessionKey is { Length: 0 or > 256 })
        {
            return AdminProblems.BadRequest("session_key must be 1 to 256 characters (WeChat issues 24-char base64); leave it out for a new one");
        }
        var session = await sessions.StartAsync(app.Appid, body.Openid!, body.SessionKey).ConfigureAwait(false);
        return TypedResults.Ok(SessionReply.From(session));
    }

    public static async Task<IResult> EndSessionAsync(string openid, string? appid, AppRegistry apps, Sessions sessions)
    {
        if (apps.Resolve(appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        return await sessions.EndAsync(app.Appid, openid).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : AdminProblems.NotFound($"openid {openid} has no session with appid {app.Appid}");
    }

    public static async Task<IResult> IssueLoginCodeAsync(HttpRequest request, AppRegistry apps, Sessions sessions, IOptions<EmulatorOptions> options)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, EmulatorJsonContext.Default.LoginCodeRequest).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }
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

    private static ProblemHttpResult? CheckIdentifier(string name, string? value) =>
        MidasValidation.IsAppIdentifier(value)
            ? null
            : AdminProblems.BadRequest($"{name} is required: 1 to {MidasValidation.MaxKeyPartLength} characters of [0-9A-Za-z_-]");
}
