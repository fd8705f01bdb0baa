using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace MidasEmulator.Ui;

/// <summary>
/// The dashboard at /ui (docs/reference.md §6): a page, its script modules and its style sheet, embedded in this
/// assembly, so `dotnet run`, an in-process test host and the published or container build serve the same files, with
/// no network. The page is only a client of /admin and holds no data, so it loads without the admin token; every call
/// it makes needs it.
/// </summary>
public static class UiEndpoints
{
    public const string PagePath = "/ui";

    // Emulator.csproj embeds Ui/assets/* under this prefix, file name kept.
    private const string ResourcePrefix = "MidasEmulator.Ui.";

    // Only the emulator's own files: no inline script, no other origin (a CDN could not be reached offline anyway).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private static readonly Lazy<IReadOnlyDictionary<string, UiFile>> Files = new(ReadFiles);

    /// <summary>Maps /ui (the page) and /ui/{file} (its scripts and styles); no admin token needed, none of it in the OpenAPI documents.</summary>
    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup(PagePath).ExcludeFromDescription();
        ui.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        ui.MapGet("/{file}", (string file, HttpContext http) => Serve(http, file));
        return app;
    }

    /// <summary>The names of the embedded files, for tests: every one of them is served.</summary>
    public static IReadOnlyCollection<string> FileNames => (IReadOnlyCollection<string>)Files.Value.Keys;

    private static IResult Serve(HttpContext http, string name)
    {
        if (!Files.Value.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }
        var headers = http.Response.Headers;
        // Revalidated on every load (the ETag makes that a 304), so a new emulator build is never shown with old scripts.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Bytes(file.Content, file.ContentType, entityTag: file.ETag);
    }

    private static Dictionary<string, UiFile> ReadFiles()
    {
        var assembly = typeof(UiEndpoints).Assembly;
        var files = new Dictionary<string, UiFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (ContentTypeOf(name) is not { } contentType)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"the embedded resource {resource} is listed but cannot be read");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
            files[name] = new UiFile(content, contentType, etag);
        }
        return files;
    }

    private static string? ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => null,
    };

    private sealed record UiFile(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
