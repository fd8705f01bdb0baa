using System.Net.Http.Headers;

namespace MidasEmulator;

/// <summary>
/// <c>--probe [URL]</c>: one GET of /admin/health, exit 0 when it answers 200, 1 otherwise. The container's
/// HEALTHCHECK runs it, because the .NET runtime image has no curl or wget. No web host is built.
/// </summary>
public static class HealthProbe
{
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args is not ["--probe", ..])
        {
            return false;
        }
        var url = args.Length > 1 ? args[1] : DefaultUrl();
        exitCode = Probe(url);
        return true;
    }

    // Inside the container the emulator listens on ASPNETCORE_HTTP_PORTS (8080); outside, on 127.0.0.1:8080.
    private static string DefaultUrl()
    {
        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split(';', ',')[0];
        return $"http://127.0.0.1:{(string.IsNullOrWhiteSpace(port) ? "8080" : port.Trim())}/admin/health";
    }

    private static int Probe(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        // /admin needs the admin token when one is configured; the probe runs with the emulator's environment.
        if (Environment.GetEnvironmentVariable("Midas__AdminToken") is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        try
        {
            using var response = http.Send(request);
            var healthy = response.IsSuccessStatusCode;
            Console.WriteLine($"midas-emulator probe: {url} answered {(int)response.StatusCode}");
            return healthy ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            Console.WriteLine($"midas-emulator probe: {url} failed: {ex.Message}");
            return 1;
        }
    }
}
