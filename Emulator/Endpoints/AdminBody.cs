using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MidasEmulator.Endpoints;

/// <summary>
/// Reads an /admin body as JSON whatever its Content-Type says (curl -d and urllib send form types by default),
/// and turns every way it can be wrong into a 400 problem that says what is wrong.
/// </summary>
public static class AdminBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, bool optional = false)
        where T : class
    {
        if (await BoundedBody.ReadAsync(request, MaxBytes).ConfigureAwait(false) is not { } bytes)
        {
            return (null, AdminProblems.BadRequest($"the body is larger than {MaxBytes} bytes"));
        }
        if (bytes.Length == 0)
        {
            return optional ? (null, null) : (null, AdminProblems.BadRequest("this call needs a JSON object body"));
        }
        try
        {
            var body = JsonSerializer.Deserialize(bytes, type);
            return body is null ? (null, AdminProblems.BadRequest("the body must be a JSON object")) : (body, null);
        }
        catch (JsonException ex)
        {
            var at = ex.Path is { Length: > 1 } path ? $" at {path[2..]}" : "";
            var why = ex.Message.Split(" Path:", 2)[0];
            return (null, AdminProblems.BadRequest($"the body is not valid for this call{at}: {why}"));
        }
    }
}

/// <summary>
/// An /admin JSON body, read and checked once while the call's parameters are bound. A body that cannot be used
/// leaves its problem here, and the group's <see cref="AdminEndpoints.ChecksJsonBodies"/> answers it before the
/// handler runs. A call documented with an optional body (WithJsonBody(required: false)) may have none.
/// </summary>
public sealed class AdminJson<T> : IBindableFromHttpContext<AdminJson<T>>, IAdminJson
    where T : class
{
    private AdminJson(T? value, ProblemHttpResult? problem)
    {
        ValueOrNull = value;
        Problem = problem;
    }

    public ProblemHttpResult? Problem { get; }

    /// <summary>The body, or null for an optional body that was not sent.</summary>
    public T? ValueOrNull { get; }

    /// <summary>The body of a call that requires one.</summary>
    public T Value => ValueOrNull ?? throw new InvalidOperationException($"no {typeof(T).Name} body: ChecksJsonBodies answers a missing one");

#pragma warning disable CA1000 // the static BindAsync is IBindableFromHttpContext's contract: ASP.NET calls it, not our code
    public static async ValueTask<AdminJson<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
#pragma warning restore CA1000
    {
        var optional = context.GetEndpoint()?.Metadata.GetMetadata<ApiReference.DocumentedBody>() is { Required: false };
        var type = (JsonTypeInfo<T>)EmulatorJsonContext.Default.GetTypeInfo(typeof(T))!;
        var (body, problem) = await AdminBody.ReadAsync(context.Request, type, optional).ConfigureAwait(false);
        return new AdminJson<T>(body, problem);
    }
}

/// <summary>What the body filter asks of every <see cref="AdminJson{T}"/>, whatever its type.</summary>
public interface IAdminJson
{
    ProblemHttpResult? Problem { get; }
}

/// <summary>The /admin errors: RFC 7807 problem details whose detail names the problem.</summary>
public static class AdminProblems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "bad request", detail: detail);

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "conflict", detail: detail);

    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "unprocessable", detail: detail);

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "not applied", detail: detail);
}
