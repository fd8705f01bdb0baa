using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// The load a kill lands in: workers, each a game backend on its own keep-alive connection, sending signed calls until
/// told to stop. Mostly pays with new bill_nos (some too big for the balance), plus presents, cancels of acknowledged pays,
/// 2.0 partial refunds of them (several per pay, some over what is left, some with a bill_no a refund already has),
/// retries of bill_nos already sent, and admin top-ups. About half the pays and presents go through virtual payment 2.0
/// (/wxa/game/*), the rest through Midas 1.0, on the same players; a pay from either is cancelled or refunded through
/// either. Every reply, or the lack of one, goes into the <see cref="ClientBooks"/>.
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
            if (roll < 48)
            {
                // One pay in twenty asks for more than any balance: a refusal (90013) the ledger must not show.
                operation = books.Open(OperationKind.Pay, user, $"{prefix}p{n}", random.Next(20) == 0 ? 1_000_000_000 : random.Next(1, 61),
                    viaGamePay: random.Next(2) == 0);
                sent.Add(operation);
            }
            else if (roll < 58)
            {
                operation = books.Open(OperationKind.Present, user, $"{prefix}g{n}", random.Next(1, 21), viaGamePay: random.Next(2) == 0);
                sent.Add(operation);
            }
            else if (roll < 80 && books.TryTakePay(out var pay))
            {
                // One worker holds the pay while its call is out, so what it knows of the pay's refunds is all there is.
                if (roll < 66 && !ClientBooks.MayRefundWhole(pay))
                {
                    operation = books.Open(OperationKind.Cancel, pay.User, pay.BillNo, pay.Amt);
                    books.Record(operation, await SendAsync(backend, accessToken, books, operation));
                    continue;
                }
                operation = PlanRefund(pay, $"{prefix}r{n}", random);
                if (operation.Intent != RefundIntent.RepeatedBillNo)
                {
                    sent.Add(operation);
                }
                var attempt = await SendAsync(backend, accessToken, books, operation);
                books.Record(operation, attempt);
                if (attempt.Seen != Seen.Unknown && !(ClientBooks.MayRefundWhole(pay) && MayBeRefunded(pay) == pay.Amt))
                {
                    books.ReturnPay(pay);
                }
                continue;
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

    /// <summary>
    /// The next 2.0 refund of <paramref name="pay"/>: within what is left (counting every earlier refund that may be in),
    /// over it (counting only those surely in), or with the bill_no of an acknowledged refund.
    /// </summary>
    private Operation PlanRefund(Operation pay, string billNo, Random random)
    {
        var surelyIn = books.RefundsOf(pay.BillNo!).Where(r => r.Expected == Expected.In).Sum(r => r.Amt);
        var left = pay.Amt - MayBeRefunded(pay) - (ClientBooks.MayRefundWhole(pay) ? 0 : 1);
        var kind = random.Next(100);
        if (kind < 12 && books.TryPickAcknowledgedRefund(random, out var done))
        {
            return books.OpenRefund(pay, done.BillNo!, random.Next(1, 5), RefundIntent.RepeatedBillNo);
        }
        if (kind < 30 || left < 1)
        {
            return books.OpenRefund(pay, billNo, pay.Amt - surelyIn + 1 + random.Next(5), RefundIntent.OverLimit);
        }
        return books.OpenRefund(pay, billNo, random.Next(3) == 0 ? left : random.Next(1, (int)left + 1), RefundIntent.Within);
    }

    private long MayBeRefunded(Operation pay) =>
        books.RefundsOf(pay.BillNo!).Where(r => r.Intent == RefundIntent.Within && r.Expected != Expected.Out).Sum(r => r.Amt);

    /// <summary>Sends one attempt at <paramref name="operation"/> and says how it ended; an HTTP error reply is an anomaly.</summary>
    public static async Task<Attempt> SendAsync(MidasGameClient backend, string accessToken, ClientBooks books, Operation operation)
    {
        try
        {
            using var response = operation.Kind == OperationKind.Topup
                ? await backend.Http.PostAsJsonAsync($"/admin/accounts/{operation.User.Openid}/topup", new { amount = operation.Amt, env = "sandbox" })
                : operation.ViaGamePay
                    ? await PostGamePayAsync(backend.Http, accessToken, operation)
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
                OperationKind.Pay when operation.ViaGamePay =>
                    new Attempt(Seen.Acknowledged, 0, root.Number("balance"), root.Number("used_present_amount"), "ok"),
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

    /// <summary>A 2.0 call: the body as the docs show it (env 1, the sandbox ledger 1.0 uses), pay_sig and signature in the query.</summary>
    private static async Task<HttpResponseMessage> PostGamePayAsync(HttpClient http, string accessToken, Operation operation)
    {
        var fields = new Dictionary<string, object>
        {
            ["openid"] = operation.User.Openid,
            ["offer_id"] = MidasDefaults.OfferId,
            ["ts"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["zone_id"] = "1",
            ["env"] = 1,
            ["amount"] = operation.Amt,
            ["bill_no"] = operation.BillNo!,
        };
        var op = operation.Kind switch
        {
            OperationKind.Pay => "pay",
            OperationKind.Present => "present",
            _ => "cancelpay",
        };
        if (operation.Kind == OperationKind.Refund)
        {
            fields["pay_bill_no"] = operation.PayBillNo!;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(fields);
        var uri = "/wxa/game/" + op;
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return await http.PostAsync($"{uri}?{MidasGamePaySigner.Query(accessToken, MidasDefaults.SandboxKey, operation.User.SessionKey, uri, body)}", content);
    }

    public static string Figure(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
