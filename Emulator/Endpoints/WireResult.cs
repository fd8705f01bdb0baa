using System.Text.Json;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>A WeChat-surface reply: HTTP 200 with a JSON body, as WeChat answers even its errors (docs/reference.md §1.1).</summary>
public sealed class WireResult(Action<Utf8JsonWriter> write, int errcode = 0, string? errmsg = null) : IResult, IStatusCodeHttpResult
{
    public static WireResult Of(MidasReply reply, bool firstSaveAsBool = false) =>
        new(w => reply.WriteTo(w, firstSaveAsBool), reply.Errcode, reply.Errmsg);

    /// <summary>The errcode the body carries (0 for a success without one, like /cgi-bin/token's): for the journal and the log.</summary>
    public int Errcode => errcode;

    public string? Errmsg => errmsg;

    public int? StatusCode => StatusCodes.Status200OK;

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
