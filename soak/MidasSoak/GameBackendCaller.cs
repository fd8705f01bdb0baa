using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// The Midas calls as a correct game backend makes them: 1.0 signed with the AppKey (sig) and the user's session_key
/// (mp_sig), 2.0 (/wxa/game/*) with pay_sig and signature in the query (<see cref="GamePaySigning"/>); each retried with the same bill_no on -1, an HTTP error, a dropped connection or a timeout until a
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

    /// <summary>A Midas 1.0 call, /cgi-bin/midas/sandbox/{op}.</summary>
    public Task<MidasAnswer> CallUntilDefiniteAsync(string op, SoakUser user, IReadOnlyList<KeyValuePair<string, object>> opFields,
        CancellationToken cancellation)
    {
        var path = $"/cgi-bin/midas/sandbox/{op}";
        return CallUntilDefiniteAsync(() => ($"{path}?access_token={_accessToken}",
            new StringContent(SignedBody(path, user, opFields), Encoding.UTF8, "application/json")), cancellation);
    }

    /// <summary>A virtual payment 2.0 call, /wxa/game/{op}, on env 1: the sandbox ledger the 1.0 calls use.</summary>
    public Task<MidasAnswer> CallGamePayUntilDefiniteAsync(string op, SoakUser user, IReadOnlyList<KeyValuePair<string, object>> opFields,
        CancellationToken cancellation)
    {
        var uri = $"/wxa/game/{op}";
        return CallUntilDefiniteAsync(() =>
        {
            // Re-signed on every attempt with a fresh ts, as for 1.0.
            var body = GamePaySigning.Body(user.Openid, options.OfferId, opFields);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            return ($"{uri}?{GamePaySigning.Query(_accessToken, options.SandboxKey, user.SessionKey, uri, body)}", content);
        }, cancellation);
    }

    private async Task<MidasAnswer> CallUntilDefiniteAsync(Func<(string PathAndQuery, HttpContent Content)> request, CancellationToken cancellation)
    {
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
                var (pathAndQuery, body) = request();
                using var content = body;
                using var response = await wechat.PostAsync(pathAndQuery, content, timeout.Token).ConfigureAwait(false);
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

/// <summary>A 2.0 body and its signed query (docs/wechat-vp2-api.md §2, §4), signed by the library's <see cref="MidasGamePaySigner"/>.</summary>
internal static class GamePaySigning
{
    /// <summary>The body's JSON: openid, offer_id, ts, zone_id "1", env 1 (sandbox), then <paramref name="opFields"/>.</summary>
    public static byte[] Body(string openid, string offerId, IReadOnlyList<KeyValuePair<string, object>> opFields)
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["openid"] = openid,
            ["offer_id"] = offerId,
            ["ts"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["zone_id"] = "1",
            ["env"] = 1,
        };
        foreach (var (name, value) in opFields)
        {
            fields[name] = value;
        }
        return JsonSerializer.SerializeToUtf8Bytes(fields);
    }

    /// <summary>The signed query: MidasEmulator.Testing's signer, the one the emulator's tests use too.</summary>
    public static string Query(string accessToken, string appKey, string sessionKey, string uri, byte[] body) =>
        MidasGamePaySigner.Query(accessToken, appKey, sessionKey, uri, body);
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
