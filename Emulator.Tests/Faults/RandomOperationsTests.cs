using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using MidasEmulator.Tests.Support;
using Xunit.Abstractions;

namespace MidasEmulator.Tests.Faults;

/// <summary>
/// Property test: random sequences of pays, retries, cancels, presents, top-ups and balance reads, with fault rules
/// (before and after the commit) firing among them, run over a real socket against a small model of the money
/// rules. After every step the reply must be the model's, every balance the model's and never negative, and
/// GET /admin/invariants must find the ledger sound (conservation, each bill_no at most once, each cancel once).
/// CsCheck shrinks a failing sequence to a short one and prints its seed.
/// </summary>
// Slow: a property test of many random operation sequences, each on its own emulator.
[Trait("Category", "Slow")]
public sealed class RandomOperationsTests(ITestOutputHelper output)
{
    private const int Users = 3;
    private const int Bills = 8;

    private static readonly string[] FaultEndpoints = ["pay", "cancelpay", "present", "getbalance", "*"];
    private static readonly string[] FaultActions = ["errcode", "http_status", "drop"];

    // Mostly a few round amounts, so the same player, bill_no and amount meet again (a replay), sometimes any amount.
    private static readonly Gen<long> GenAmount = Gen.Frequency((3, Gen.OneOf(5L, 10L, 20L, 40L)), (1, Gen.Long[1, 60]));

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], GenAmount, (u, b, amt) => (Op)new PayOp(u, b, amt))),
        (3, Gen.Int[1, 3].Select(back => (Op)new RetryOp(back))),
        (2, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], (u, b) => (Op)new CancelOp(u, b))),
        (2, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], Gen.Long[1, 30], (u, b, c) => (Op)new PresentOp(u, b, c))),
        (1, Gen.Select(Gen.Int[0, Users - 1], Gen.Long[1, 100], (u, a) => (Op)new TopupOp(u, a))),
        (1, Gen.Int[0, Users - 1].Select(u => (Op)new BalanceOp(u))),
        (3, Gen.Select(Gen.OneOf(FaultEndpoints), Gen.OneOf(FaultActions), Gen.Bool,
            (e, a, after) => (Op)new FaultOp(e, a, after))));

    private static readonly Gen<Scenario> GenScenario = Gen.Select(
        Gen.Select(Gen.Long[0, 120], Gen.Long[0, 40], (balance, gen) => (Balance: balance, Gen: Math.Min(gen, balance))).Array[Users],
        GenOp.Array[1, 40],
        (start, ops) => new Scenario(start, ops));

    [Theory]
    [InlineData("Reject")]
    [InlineData("Replay")]
    public async Task RandomOperationsWithFaults_KeepEveryInvariantAfterEveryStep(string billNoRepeat)
    {
        using var app = KestrelEmulatorApp.Start(new Dictionary<string, string?> { ["Midas:BillNoRepeat"] = billNoRepeat });
        var steps = 0;
        await GenScenario.SampleAsync(async scenario => steps += await RunAsync(app, scenario, replay: billNoRepeat == "Replay"),
            writeLine: output.WriteLine, iter: 100, threads: 1, print: s => s.ToString());
        output.WriteLine($"{steps} steps checked");
    }

    private static async Task<int> RunAsync(KestrelEmulatorApp app, Scenario scenario, bool replay)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var backend = new MidasGameClient(http, clock: app.Clock);
        var model = new Model(replay);
        await StartAsync(http, backend, scenario, model);
        var sent = new List<(Op Op, string PathAndQuery, string Body)>();
        var step = 0;
        foreach (var op in scenario.Ops)
        {
            step++;
            var context = $"step {step} ({op})";
            switch (op)
            {
                case FaultOp fault:
                    await PostAsync(http, "/admin/faults", new { endpoint = fault.Endpoint, action = fault.Action, after_commit = fault.AfterCommit, times = 1 });
                    model.Faults.Add(fault);
                    break;
                case TopupOp topup:
                    await PostAsync(http, $"/admin/accounts/{Openid(topup.User)}/topup", new { amount = topup.Amount });
                    model.Topup(topup.User, topup.Amount);
                    break;
                case RetryOp retry when sent.Count >= retry.Back:
                    // The very same signed request again, as a backend's retry sends it: the last one, or one before it.
                    var previous = sent[^retry.Back];
                    await CallAsync(http, model, previous.Op, previous.PathAndQuery, previous.Body, context + " of " + previous.Op);
                    break;
                case RetryOp:
                    break;
                default:
                    var (pathAndQuery, body) = await SignAsync(backend, op);
                    sent.Add((op, pathAndQuery, body));
                    await CallAsync(http, model, op, pathAndQuery, body, context);
                    break;
            }
            await AssertLedgerMatchesAsync(http, model, context);
        }
        return step;
    }

    private static async Task StartAsync(HttpClient http, MidasGameClient backend, Scenario scenario, Model model)
    {
        await PostAsync(http, "/admin/reset", new { reseed = false });
        backend.ForgetAccessToken();
        await backend.AccessTokenAsync();
        for (var u = 0; u < Users; u++)
        {
            await http.AsAdmin().LoginAsync(Openid(u), SessionKey(u));
            var (balance, gen) = scenario.Start[u];
            await http.AsAdmin().SetBalanceAsync(Openid(u), balance, gen);
            model.Set(u, balance, gen);
        }
    }

    private static Task<(string, string)> SignAsync(MidasGameClient backend, Op op) => op switch
    {
        PayOp p => backend.SignAsync("pay", User(p.User), new() { ["amt"] = p.Amt, ["bill_no"] = BillNo(p.Bill) }),
        CancelOp c => backend.SignAsync("cancelpay", User(c.User), new() { ["bill_no"] = BillNo(c.Bill) }),
        PresentOp p => backend.SignAsync("present", User(p.User), new() { ["bill_no"] = BillNo(p.Bill), ["present_counts"] = p.Count }),
        BalanceOp b => backend.SignAsync("getbalance", User(b.User), []),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a Midas call"),
    };

    /// <summary>Sends one signed call and checks what came back against what the model says the emulator must do.</summary>
    private static async Task CallAsync(HttpClient http, Model model, Op op, string pathAndQuery, string body, string context)
    {
        var expected = model.Apply(op);
        HttpResponseMessage response;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            response = await http.PostAsync(pathAndQuery, content);
        }
        catch (HttpRequestException ex)
        {
            Assert.True(expected.Fault == "drop", $"{context}: the connection failed ({ex.Message}); the model expected {expected}");
            return;
        }
        using (response)
        {
            Assert.True(expected.Fault != "drop", $"{context}: expected a dropped connection, got HTTP {(int)response.StatusCode}");
            if (expected.Fault == "http_status")
            {
                Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
                return;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reply = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(reply.Errcode() == expected.Errcode, $"{context}: expected {expected}, got {reply}");
            if (expected.Errcode != 0)
            {
                return;
            }
            if (expected.Balance is { } balance)
            {
                Assert.True(reply.Number("balance") == balance, $"{context}: expected balance {balance}, got {reply}");
            }
            if (expected.Gen is { } gen)
            {
                var field = op is PayOp ? "used_gen_amt" : "gen_balance";
                Assert.True(reply.Number(field) == gen, $"{context}: expected {field} {gen}, got {reply}");
            }
        }
    }

    private static async Task AssertLedgerMatchesAsync(HttpClient http, Model model, string context)
    {
        for (var u = 0; u < Users; u++)
        {
            var account = await http.AsAdmin().AccountAsync(Openid(u));
            var (balance, gen) = (account.Balance, account.GenBalance);
            Assert.True(balance >= 0 && gen >= 0, $"{context}: {Openid(u)} went negative: {account}");
            Assert.True((balance, gen) == (model.Balance[u], model.Gen[u]),
                $"{context}: {Openid(u)} has balance {balance} gen {gen}, the model {model.Balance[u]} gen {model.Gen[u]}");
        }
        var invariants = await http.AsAdmin().InvariantsAsync();
        Assert.True(invariants.Ok, $"{context}: {string.Join("; ", invariants.Violations)}");

        var orders = await http.AsAdmin().OrdersAsync("limit=10000");
        Assert.True(orders.Length == model.OrderCount, $"{context}: {orders.Length} orders in the ledger, the model made {model.OrderCount}");
        foreach (var (billNo, bill) in model.BillsApplied)
        {
            var booked = orders.Where(o => o.BillNo == billNo && o.Kind == bill.Kind).ToList();
            var order = Assert.Single(booked);
            Assert.Equal(bill.Amt, order.Amt);
            Assert.Equal(Openid(bill.User), order.Openid);
            Assert.Equal(bill.Cancelled ? "cancelled" : "applied", order.Status);
        }
    }

    private static async Task PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string Openid(int user) => $"oRandomUser{user}";

    private static string SessionKey(int user) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"session-key-{user:D4}"));

    private static MidasPlayer User(int user) => new(Openid(user), SessionKey(user));

    private static string BillNo(int bill) => $"RB{bill}";

    private abstract record Op;
    private sealed record PayOp(int User, int Bill, long Amt) : Op;
    private sealed record RetryOp(int Back) : Op;
    private sealed record CancelOp(int User, int Bill) : Op;
    private sealed record PresentOp(int User, int Bill, long Count) : Op;
    private sealed record TopupOp(int User, long Amount) : Op;
    private sealed record BalanceOp(int User) : Op;
    private sealed record FaultOp(string Endpoint, string Action, bool AfterCommit) : Op;

    private sealed record Scenario((long Balance, long Gen)[] Start, Op[] Ops)
    {
        public override string ToString() =>
            $"start [{string.Join(", ", Start.Select(s => $"{s.Balance}/{s.Gen}"))}]: {string.Join("; ", Ops.Select(o => o.ToString()))}";
    }

    /// <summary>What the emulator must answer: a fault (errcode, http_status or drop) or the money rules' errcode and figures.</summary>
    private sealed record Expected(int Errcode, string? Fault = null, long? Balance = null, long? Gen = null);

    private sealed record Bill(string Kind, int User, long Amt, long GenAmt, long BalanceAfter)
    {
        public bool Cancelled { get; set; }
    }

    /// <summary>
    /// The money rules as docs/wechat-api.md states them, for one offer: a bill_no is unique per offer (90012 for a repeat;
    /// in replay mode the same player's same request, not cancelled, gets the first reply again, docs/wechat-api.md §10.2),
    /// a pay takes gift coins first and fails with 90013 beyond the balance, a cancel gives back exactly its pay once.
    /// Fault rules fire oldest first, one per call, times 1.
    /// </summary>
    private sealed class Model(bool replay)
    {
        public long[] Balance { get; } = new long[Users];
        public long[] Gen { get; } = new long[Users];
        public List<FaultOp> Faults { get; } = [];
        public Dictionary<string, Bill> BillsApplied { get; } = [];
        public int OrderCount { get; private set; }

        public void Set(int user, long balance, long gen)
        {
            (Balance[user], Gen[user]) = (balance, gen);
            OrderCount++;
        }

        public void Topup(int user, long amount)
        {
            Balance[user] += amount;
            OrderCount++;
        }

        public Expected Apply(Op op)
        {
            var endpoint = op switch { PayOp => "pay", CancelOp => "cancelpay", PresentOp => "present", _ => "getbalance" };
            var fault = Faults.FirstOrDefault(f => f.Endpoint == endpoint || f.Endpoint == "*");
            if (fault is not null)
            {
                Faults.Remove(fault);
            }
            var faultReply = fault is null ? null : new Expected(fault.Action == "errcode" ? -1 : int.MinValue, fault.Action);
            if (faultReply is not null && !fault!.AfterCommit)
            {
                return faultReply;
            }
            var real = Apply(op, endpoint);
            return faultReply ?? real;
        }

        private Expected Apply(Op op, string endpoint)
        {
            switch (op)
            {
                case PayOp pay:
                {
                    var billNo = BillNo(pay.Bill);
                    if (BillsApplied.TryGetValue(billNo, out var repeated))
                    {
                        return replay && repeated is { Kind: "pay", Cancelled: false } && repeated.User == pay.User && repeated.Amt == pay.Amt
                            ? new(0, Balance: repeated.BalanceAfter, Gen: repeated.GenAmt)
                            : new(90012);
                    }
                    if (pay.Amt > Balance[pay.User])
                    {
                        return new(90013);
                    }
                    var usedGen = Math.Min(Gen[pay.User], pay.Amt);
                    Balance[pay.User] -= pay.Amt;
                    Gen[pay.User] -= usedGen;
                    BillsApplied[billNo] = new Bill("pay", pay.User, pay.Amt, usedGen, Balance[pay.User]);
                    OrderCount++;
                    return new(0, Balance: Balance[pay.User], Gen: usedGen);
                }
                case CancelOp cancel:
                {
                    var billNo = BillNo(cancel.Bill);
                    if (!BillsApplied.TryGetValue(billNo, out var bill) || bill.Kind != "pay" || bill.User != cancel.User)
                    {
                        return new(90000);
                    }
                    if (bill.Cancelled)
                    {
                        return new(90015);
                    }
                    bill.Cancelled = true;
                    Balance[cancel.User] += bill.Amt;
                    Gen[cancel.User] += bill.GenAmt;
                    OrderCount++;
                    return new(0);
                }
                case PresentOp present:
                {
                    var billNo = BillNo(present.Bill);
                    if (BillsApplied.TryGetValue(billNo, out var repeated))
                    {
                        return replay && repeated is { Kind: "present" } && repeated.User == present.User && repeated.Amt == present.Count
                            ? new(0, Balance: repeated.BalanceAfter)
                            : new(90012);
                    }
                    Balance[present.User] += present.Count;
                    Gen[present.User] += present.Count;
                    BillsApplied[billNo] = new Bill("present", present.User, present.Count, present.Count, Balance[present.User]);
                    OrderCount++;
                    return new(0, Balance: Balance[present.User]);
                }
                case BalanceOp b:
                    return new(0, Balance: Balance[b.User], Gen: Gen[b.User]);
                default:
                    throw new ArgumentOutOfRangeException(nameof(op), op, $"not a {endpoint} call");
            }
        }
    }
}
