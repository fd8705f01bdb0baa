using System.Net;

namespace MidasEmulator.Testing;

/// <summary>An /admin call the emulator refused: the status and its problem details.</summary>
public sealed class MidasAdminException(HttpStatusCode status, string method, string path, string body)
    : Exception($"{method} {path} answered {(int)status} {status}: {body}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The reply body (RFC 7807 problem details).</summary>
    public string Body { get; } = body;
}
