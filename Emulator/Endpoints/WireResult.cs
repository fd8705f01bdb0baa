using System.Text.Json;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>A WeChat-surface reply: HTTP 200 with a JSON body, as WeChat answers even its errors (design.md §1.1).</summary>
public sealed class WireResult(Action<Utf8JsonWriter> write) : IResult
{
    public static WireResult Of(MidasReply reply, bool firstSaveAsBool = false) => new(w => reply.WriteTo(w, firstSaveAsBool));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }
}
