using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// The load a kill lands in: workers, each a game backend on its own keep-alive connection, sending signed calls until
/// told to stop. Mostly pays with new bill_nos (some too big for the balance), plus presents, cancels of acknowledged pays, retries of bill_nos
/// already sent, and admin top-ups. Every reply, or the lack of one, goes into the <see cref="ClientBooks"/>.
/// </summary>
public sealed class CrashLoad(Uri baseAddress, string accessToken, IReadOnlyList<MidasPlayer> users, ClientBooks books)
{
    /// <summary>Runs <paramref name="workers"/> workers until <paramref name="stop"/>; bill_nos carry the cycle, so every cycle's are new.</summary>
    public async Task RunAsync(int workers, int cycle, int seed, CancellationToken stop)
    {
        var running = Enumerable.Range(0, workers)
            .Select(worker => Task.Run(() => WorkAsync($"c{cycle}w{worker}", new Random(seed + worker), stop), CancellationToken.None));
        await Task.WhenAll(running);
    }

    /// <summary>A client with one connection of its own, kept alive between calls, as a backend's pooled HttpClient holds it.</summary>
    public static HttpClient Connect(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };

    private async Task WorkAsync(string prefix, Random random, CancellationToken stop)
    {
        using var http = Connect(baseAddress);
        var backend = new MidasGameClient(http, clock: TimeProvider.System);
        var sent = new List<Operation>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var user = users[random.Next(users.Count)];
            var roll = random.Next(100);
            Operation operation;
            if (roll < 60)
            {
                // One pay in twenty asks for more than any balance: a refusal (90013) the ledger must not show.
                operation = books.Open(OperationKind.Pay, user, $"{prefix}p{n}", random.Next(20) == 0 ? 1_000_000_000 : random.Next(1, 61));
                sent.Add(operation);
            }
            else if (roll < 70)
            {
                operation = books.Open(OperationKind.Present, user, $"{prefix}g{n}", random.Next(1, 21));
                sent.Add(operation);
            }
            else if (roll < 80 && books.TryTakeCancellable(out var pay))
            {
                operation = books.Open(OperationKind.Cancel, pay.User, pay.BillNo, pay.Amt);
            }
            else if (roll < 90 && sent.Count > 0)
            {
                // The same bill_no again, as a backend retries after a timeout: never applied a second time.
                operation = sent[random.Next(sent.Count)];
            }
            else
            {
                operation = books.Open(OperationKind.Topup, user, null, books.NextTopupAmount());
            }
            books.Record(operation, await SendAsync(backend, accessToken, books, operation));
        }
    }

    /// <summary>Sends one attempt at <paramref name="operation"/> and says how it ended; an HTTP error reply is an anomaly.</summary>
    public static async Task<Attempt> SendAsync(MidasGameClient backend, string accessToken, ClientBooks books, Operation operation)
    {
        try
        {
            using var response = operation.Kind == OperationKind.Topup
                ? await backend.Http.PostAsJsonAsync($"/admin/accounts/{operation.User.Openid}/topup", new { amount = operation.Amt, env = "sandbox" })
                : await PostSignedAsync(backend, accessToken, operation);
            var text = await response.Content.ReadAsStringAsync();
            using var reply = JsonDocument.Parse(text);
            var root = reply.RootElement;
            if (operation.Kind == OperationKind.Topup)
            {
                // The admin API answers 400 for a bad top-up and 503 when the commit failed: nothing applied either way.
                return response.StatusCode == HttpStatusCode.OK
                    ? new Attempt(Seen.Acknowledged, 0, root.Number("balance"), null, "topup")
                    : new Attempt(Seen.Rejected, (int)response.StatusCode, null, null, text);
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                books.Anomaly($"HTTP {(int)response.StatusCode} from {operation}: {text}");
                return new Attempt(Seen.Unknown, null, null, null, $"HTTP {(int)response.StatusCode}");
            }
            var errcode = root.Errcode();
            if (errcode != 0)
            {
                return new Attempt(Seen.Rejected, errcode, null, null, root.GetProperty("errmsg").GetString() ?? "");
            }
            return operation.Kind switch
            {
                OperationKind.Pay => new Attempt(Seen.Acknowledged, 0, root.Number("balance"), root.Number("used_gen_balance"), "ok"),
                OperationKind.Present => new Attempt(Seen.Acknowledged, 0, root.Number("balance"), null, "ok"),
                _ => new Attempt(Seen.Acknowledged, 0, null, null, "ok"),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            // The connection broke before a whole reply arrived: what the kill does to every call in flight.
            return new Attempt(Seen.Unknown, null, null, null, ex.GetType().Name);
        }
        catch (JsonException ex)
        {
            books.Anomaly($"a reply that is not JSON for {operation}: {ex.Message}");
            return new Attempt(Seen.Unknown, null, null, null, nameof(JsonException));
        }
    }

    private static async Task<HttpResponseMessage> PostSignedAsync(MidasGameClient backend, string accessToken, Operation operation)
    {
        var (op, fields) = operation.Kind switch
        {
            OperationKind.Pay => ("pay", new Dictionary<string, object> { ["amt"] = operation.Amt, ["bill_no"] = operation.BillNo! }),
            OperationKind.Present => ("present", new Dictionary<string, object> { ["bill_no"] = operation.BillNo!, ["present_counts"] = operation.Amt }),
            _ => ("cancelpay", new Dictionary<string, object> { ["bill_no"] = operation.BillNo! }),
        };
        var (pathAndQuery, body) = await backend.SignAsync(op, operation.User, fields, accessToken: accessToken);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await backend.Http.PostAsync(pathAndQuery, content);
    }

    public static string Figure(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
