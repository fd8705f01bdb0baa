using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// The Midas calls as a correct game backend makes them: signed with the AppKey (sig) and the user's session_key
/// (mp_sig), and retried with the same bill_no on -1, an HTTP error, a dropped connection or a timeout until a
/// definite answer comes (docs/reference.md §1.3, "What a correct backend does"), so the caller always learns each operation's outcome.
/// </summary>
internal sealed class GameBackendCaller(HttpClient wechat, SoakOptions options, SoakCounters counters)
{
    private string _accessToken = "";

    /// <summary>Fetched once, before any fault rule is installed: the soak is about the Midas calls.</summary>
    public async Task FetchAccessTokenAsync(CancellationToken cancellation)
    {
        var reply = await wechat.GetFromJsonAsync<JsonElement>(
            $"/cgi-bin/token?grant_type=client_credential&appid={options.Appid}&secret={options.Secret}", cancellation).ConfigureAwait(false);
        _accessToken = reply.TryGetProperty("access_token", out var token) ? token.GetString() ?? "" : "";
        if (_accessToken.Length == 0)
        {
            throw new InvalidOperationException($"/cgi-bin/token answered {reply}");
        }
    }

    public async Task<MidasAnswer> CallUntilDefiniteAsync(string op, SoakUser user, IReadOnlyList<KeyValuePair<string, object>> opFields,
        CancellationToken cancellation)
    {
        var path = $"/cgi-bin/midas/sandbox/{op}";
        long? lastTimedOutAttemptStarted = null;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                // A short, growing pause, as a backend's retry policy has; it also spreads retries out.
                await Task.Delay(Math.Min(5 * (attempt - 1), 50), cancellation).ConfigureAwait(false);
            }
            var started = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref counters.Calls);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(options.CallTimeout);
            try
            {
                using var content = new StringContent(SignedBody(path, user, opFields), Encoding.UTF8, "application/json");
                using var response = await wechat.PostAsync($"{path}?access_token={_accessToken}", content, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref counters.RetriedHttpStatus);
                    continue;
                }
                var reply = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token).ConfigureAwait(false);
                var errcode = reply.GetProperty("errcode").GetInt32();
                if (errcode == -1)
                {
                    Interlocked.Increment(ref counters.RetriedSystemBusy);
                    continue;
                }
                counters.SawAttempts(attempt);
                return new MidasAnswer(reply, errcode, attempt, lastTimedOutAttemptStarted);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                // Abandoned, not failed: the emulator may still be holding this attempt (a delay fault) and commit it late.
                Interlocked.Increment(ref counters.RetriedTimedOut);
                lastTimedOutAttemptStarted = started;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref counters.RetriedDropped);
            }
        }
        counters.SawAttempts(options.MaxAttempts);
        return new MidasAnswer(default, null, options.MaxAttempts, lastTimedOutAttemptStarted);
    }

    private string SignedBody(string path, SoakUser user, IReadOnlyList<KeyValuePair<string, object>> opFields)
    {
        // Re-signed on every attempt with a fresh ts, as a backend does; bill_no and amounts stay the same.
        var fields = new List<KeyValuePair<string, object>>(6 + opFields.Count)
        {
            new("openid", user.Openid),
            new("appid", options.Appid),
            new("offer_id", options.OfferId),
            new("ts", DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            new("zone_id", "1"),
            new("pf", "android"),
        };
        fields.AddRange(opFields);
        var body = MidasSigner.SignedBody(fields, path, options.SandboxKey, _accessToken, user.SessionKey);
        return body.ToJsonString();
    }
}

/// <summary>
/// The first definite answer to an operation. <see cref="Errcode"/> is null when none came within the attempts allowed.
/// <see cref="LastTimedOutAttemptStarted"/> (a Stopwatch timestamp) is set when an abandoned attempt may still commit late.
/// </summary>
internal readonly record struct MidasAnswer(JsonElement Reply, int? Errcode, int Attempts, long? LastTimedOutAttemptStarted)
{
    public long Number(string name) => Reply.GetProperty(name).GetInt64();

    public bool Has(string name) => Reply.ValueKind == JsonValueKind.Object && Reply.TryGetProperty(name, out _);
}
