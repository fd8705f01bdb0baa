using System.Buffers;

namespace MidasEmulator.Endpoints;

/// <summary>Reads a request body up to a limit, on both surfaces: a larger body is refused, not buffered whole.</summary>
public static class BoundedBody
{
    /// <summary>The body's bytes, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength is { } length)
        {
            return length > maxBytes ? null : await ReadExactlyAsync(request.Body, (int)length).ConfigureAwait(false);
        }

        // Chunked: the length is known only at the end.
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    // The usual case (a Content-Length): one array of the right size, no copies. Kestrel ends the body at
    // Content-Length, so a shorter read means the client went away; the bytes that came are what there is.
    private static async Task<byte[]> ReadExactlyAsync(Stream body, int length)
    {
        var bytes = new byte[length];
        var filled = await body.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false).ConfigureAwait(false);
        return filled == length ? bytes : bytes[..filled];
    }
}
