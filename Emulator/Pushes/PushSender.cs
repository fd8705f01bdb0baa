using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MidasEmulator.Midas;
using MidasEmulator.Signing;

namespace MidasEmulator.Pushes;

/// <summary>
/// Sends one push over HTTP the way the platform does (docs/wechat-vp2-api.md §7.2, §7.5): the envelope with PayEventSig,
/// plain or encrypted, the query signatures, a 3 s limit for the whole exchange; and the URL check a saved configuration
/// must pass. Only an HTTP 200 whose JSON has ErrCode 0 counts as success.
/// </summary>
public sealed class PushSender(TimeProvider clock) : IDisposable
{
    /// <summary>The platform's limit for a push's answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>How much of a reply is kept with the attempt.</summary>
    public const int MaxReplyChars = 1024;

    // Proxies from the environment are ignored: the receiver is the game server under test, usually on this machine.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        // A push's answer is a line of JSON; a receiver that streams megabytes back has answered wrongly, not slowly.
        MaxResponseContentBufferSize = 1024 * 1024,
    };

    /// <summary>The message as it goes out: the query string to add to the URL and the body.</summary>
    public sealed record Message(string Query, string Body);

    /// <summary>
    /// The message for <paramref name="push"/> to <paramref name="receiver"/> at this moment: CreateTime, timestamp and
    /// nonce are fresh, the payload and its PayEventSig are the push's own.
    /// </summary>
    public Message Build(Push push, PushReceiver receiver, MidasApp app)
    {
        var (now, timestamp, nonce) = Stamp();
        var appKey = app.KeyFor(push.Env) ?? app.AppKey;
        var envelope = new JsonObject();
        // The delivery pages' samples carry the game's original id and WeChat's own sender; the event pages' do not.
        if (push.Channel == PushChannel.Goods)
        {
            envelope["ToUserName"] = app.OriginalId;
            envelope["FromUserName"] = PushPayloads.WeChatFromUserName;
        }
        envelope["CreateTime"] = now;
        envelope["MsgType"] = "event";
        envelope["Event"] = push.Event;
        envelope["MiniGame"] = new JsonObject
        {
            ["Payload"] = push.Payload,
            ["PayEventSig"] = PushSignature.PayEventSig(appKey, push.Event, push.Payload),
            ["IsMock"] = push.IsMock,
        };
        var message = envelope.ToJsonString(PushPayloads.Json);
        var query = $"signature={PushSignature.Signature(receiver.Token, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}";
        if (receiver.Mode == PushMode.Plain)
        {
            return new Message(query, message);
        }
        var encrypt = PushSignature.Encrypt(receiver.EncodingAesKey!, app.Appid, message);
        var body = new JsonObject { ["ToUserName"] = app.OriginalId, ["Encrypt"] = encrypt }.ToJsonString(PushPayloads.Json);
        var msgSignature = PushSignature.MsgSignature(receiver.Token, timestamp, nonce, encrypt);
        return new Message($"{query}&encrypt_type=aes&msg_signature={msgSignature}", body);
    }

    /// <summary>POSTs <paramref name="message"/> to <paramref name="url"/> and says how it went.</summary>
    public async Task<PushAttempt> SendAsync(string url, Message message, string? faultId, CancellationToken stopping)
    {
        var at = clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WithQuery(url, message.Query))
            {
                Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
            };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            string reply;
            try
            {
                reply = await ReadTextAsync(response, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                // Headers came, the body broke off or was too long: the game server answered, wrongly.
                return new PushAttempt(at, (int)response.StatusCode, null, "bad_reply", Elapsed(started), faultId);
            }
            var succeeded = response.StatusCode == HttpStatusCode.OK && IsSuccessReply(reply);
            return new PushAttempt(at, (int)response.StatusCode, Truncate(reply), succeeded ? null : "bad_reply", Elapsed(started), faultId);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new PushAttempt(at, null, null, "timeout", Elapsed(started), faultId);
        }
        catch (HttpRequestException ex) when (!stopping.IsCancellationRequested)
        {
            return new PushAttempt(at, null, null, ErrorOf(ex), Elapsed(started), faultId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever else the exchange threw, it is a failed attempt like any other: recorded, and the schedule moves on.
            return new PushAttempt(at, null, null, "reset", Elapsed(started), faultId);
        }
    }

    // The bytes as UTF-8 whatever charset the answer claims: a bogus charset must not turn an answer into an exception.
    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The check a saved configuration must pass (docs/wechat-vp2-api.md §7.2): GET with signature, timestamp, nonce and
    /// echostr; the answer must be HTTP 200 with the echostr as its whole body. Null when it passed, else what went wrong.
    /// </summary>
    public async Task<string?> CheckUrlAsync(string url, string token, CancellationToken cancellation)
    {
        var (_, timestamp, nonce) = Stamp();
        var echostr = OrderNumbers.RandomDigits(19);
        var query = $"signature={PushSignature.Signature(token, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}&echostr={echostr}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await _http.GetAsync(WithQuery(url, query), timeout.Token).ConfigureAwait(false);
            var body = await ReadTextAsync(response, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"the URL check got HTTP {(int)response.StatusCode} from {url}; it must answer 200 with the echostr";
            }
            return body == echostr ? null : $"the URL check sent echostr {echostr} and {url} answered \"{Truncate(body, 100)}\"; it must answer the echostr verbatim";
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return $"the URL check timed out: {url} did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            return $"the URL check could not reach {url}: {ErrorOf(ex)} ({ex.Message})";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"the URL check to {url} failed: {ex.Message}";
        }
    }

    /// <summary>HTTP 200's body must be a JSON object whose ErrCode (that exact key) is the number 0.</summary>
    public static bool IsSuccessReply(string reply)
    {
        try
        {
            using var json = JsonDocument.Parse(reply);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("ErrCode", out var code)
                && code.ValueKind == JsonValueKind.Number && code.TryGetInt64(out var number) && number == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The query's timestamp (emulator time, Unix seconds) and a fresh nonce, as the platform sends both on every request.
    private (long Now, string Timestamp, string Nonce) Stamp()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return (now, now.ToString(CultureInfo.InvariantCulture),
            RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture));
    }

    private static string ErrorOf(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.NameResolutionError
        || ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NetworkUnreachable or SocketError.HostUnreachable }
            ? "refused"
            : "reset";

    private static string WithQuery(string url, string query) => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);

    private static string Truncate(string text, int max = MaxReplyChars) => text.Length <= max ? text : text[..max];

    public void Dispose() => _http.Dispose();
}
