using System.Net.Http.Json;
using System.Text.Json;

namespace MidasEmulator.Testing;

/// <summary>An app's access token as a game backend keeps it: fetched from /cgi-bin/token on first use, kept until forgotten.</summary>
internal sealed class AccessTokenCache(HttpClient http, MidasAppCredentials app)
{
    private string? _token;

    public async Task<string> GetAsync(CancellationToken cancellation)
    {
        if (_token is null)
        {
            var reply = await http.GetFromJsonAsync<JsonElement>(
                $"/cgi-bin/token?grant_type=client_credential&appid={app.Appid}&secret={app.Secret}", cancellation).ConfigureAwait(false);
            _token = reply.TryGetProperty("access_token", out var token) ? token.GetString()
                : throw new InvalidOperationException($"/cgi-bin/token answered {reply}");
        }
        return _token!;
    }

    public void Forget() => _token = null;
}
