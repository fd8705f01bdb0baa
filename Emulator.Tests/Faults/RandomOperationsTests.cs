using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using MidasEmulator.Tests.Support;
using Xunit.Abstractions;

namespace MidasEmulator.Tests.Faults;

/// <summary>
/// Property test: random sequences of pays, retries, cancels, presents, top-ups and balance reads, through Midas 1.0
/// (/cgi-bin/midas/sandbox/*) and virtual payment 2.0 (/wxa/game/* with env 1) mixed on the same players, with fault
/// rules (before and after the commit, on 1.0 and 2.0 endpoint names) firing among them, run over a real socket against
/// a small model of the money rules. 2.0 cancelpay is a partial refund under its own bill_no, so the model keeps what
/// each pay has had given back. After every step the reply must be the model's, every balance and cost_sum the model's
/// and never negative, each pay's refunded amounts the model's, and GET /admin/invariants must find the ledger sound
/// (conservation, each bill_no at most once, each cancel once, refunds within their pays).
/// CsCheck shrinks a failing sequence to a short one and prints its seed.
/// </summary>
// Slow: a property test of many random operation sequences, each on its own emulator.
[Trait("Category", "Slow")]
public sealed class RandomOperationsTests(ITestOutputHelper output)
{
    private const int Users = 3;
    private const int Bills = 8;

    // Pays and presents use RB0 … RB7; 2.0 refunds take their own bill_no from RB6 … RB13 (two shared with pays and
    // presents, so a refund bill_no meets a pay's, a present's or an earlier refund's) and name their pay either from
    // RB0 … RB9 (RB8 and RB9 are never pays: an unknown pay, or another refund's bill_no) or, as a negative pick, as the
    // player's latest (-1) or second latest (-2) pay, resolved when the step runs, so that refunds mostly meet real pays.
    private const int RefundBillsFrom = Bills - 2;
    private const int RefundBillsTo = Bills + 5;
    private const int PayBillsTo = Bills + 1;
    private static readonly Gen<int> GenPayPick = Gen.Frequency((4, Gen.Int[-2, -1]), (1, Gen.Int[0, PayBillsTo]));

    private static readonly string[] FaultEndpoints =
        ["pay", "cancelpay", "present", "getbalance", "game/pay", "game/cancelpay", "game/present", "game/getbalance", "*"];
    private static readonly string[] FaultActions = ["errcode", "http_status", "drop"];

    // Mostly a few round amounts, so the same player, bill_no and amount meet again (a replay), sometimes any amount.
    private static readonly Gen<long> GenAmount = Gen.Frequency((3, Gen.OneOf(5L, 10L, 20L, 40L)), (1, Gen.Long[1, 60]));

    // A refund's amount: mostly a part of a round pay, sometimes more than any pay left.
    private static readonly Gen<long> GenRefundAmount = Gen.Frequency((4, Gen.OneOf(1L, 3L, 5L, 10L, 20L)), (1, Gen.Long[1, 60]));

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], GenAmount, (u, b, amt) => (Op)new PayOp(u, b, amt))),
        (4, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], GenAmount, (u, b, amt) => (Op)new GamePayOp(u, b, amt))),
        (4, Gen.Int[1, 3].Select(back => (Op)new RetryOp(back))),
        (3, Gen.Select(Gen.Int[0, Users - 1], Gen.Frequency((2, Gen.Int[-2, -1]), (1, Gen.Int[0, Bills - 1])), (u, b) => (Op)new CancelOp(u, b))),
        (5, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[RefundBillsFrom, RefundBillsTo], GenPayPick, GenRefundAmount,
            (u, r, p, amount) => (Op)new GameRefundOp(u, r, p, amount))),
        (1, GenPayPick.Select(p => (Op)new RefundAgainOp(p))),
        (1, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], Gen.Long[1, 30], (u, b, c) => (Op)new PresentOp(u, b, c))),
        (1, Gen.Select(Gen.Int[0, Users - 1], Gen.Int[0, Bills - 1], Gen.Long[1, 30], (u, b, c) => (Op)new GamePresentOp(u, b, c))),
        (1, Gen.Select(Gen.Int[0, Users - 1], Gen.Long[1, 100], (u, a) => (Op)new TopupOp(u, a))),
        (1, Gen.Int[0, Users - 1].Select(u => (Op)new BalanceOp(u))),
        (1, Gen.Int[0, Users - 1].Select(u => (Op)new GameBalanceOp(u))),
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
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        await GenScenario.SampleAsync(async scenario => steps += await RunAsync(app, scenario, replay: billNoRepeat == "Replay", outcomes),
            writeLine: output.WriteLine, iter: 100, threads: 1, print: s => s.ToString());
        output.WriteLine($"{steps} steps checked");
        // What the runs met, so that a generator change that stops reaching a rule shows here.
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }
    }

    private static async Task<int> RunAsync(KestrelEmulatorApp app, Scenario scenario, bool replay, Dictionary<string, int> outcomes)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var backend = new MidasGameClient(http, clock: app.Clock);
        var game = new MidasGamePayClient(http, clock: app.Clock);
        var model = new Model(replay, outcomes);
        await StartAsync(http, backend, scenario, model);
        var sent = new List<(Op Op, string PathAndQuery, string Body)>();
        var step = 0;
        foreach (var generated in scenario.Ops)
        {
            var op = generated;
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
                case RefundAgainOp again when sent.LastOrDefault(s => s.Op is GameRefundOp).Op is GameRefundOp last:
                    // The last refund's bill_no, player and amount again, naming another pay (or the same one): a new request.
                    var refundAgain = model.Resolve(last with { PayBill = again.PayBill });
                    var (againPath, againBody) = await SignAsync(backend, game, refundAgain);
                    sent.Add((refundAgain, againPath, againBody));
                    await CallAsync(http, model, refundAgain, againPath, againBody, $"{context} as {refundAgain}");
                    break;
                case RefundAgainOp:
                    break;
                default:
                    op = model.Resolve(op);
                    context = $"step {step} ({op})";
                    var (pathAndQuery, body) = await SignAsync(backend, game, op);
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

    private static Task<(string, string)> SignAsync(MidasGameClient backend, MidasGamePayClient game, Op op) => op switch
    {
        PayOp p => backend.SignAsync("pay", User(p.User), new() { ["amt"] = p.Amt, ["bill_no"] = BillNo(p.Bill) }),
        CancelOp c => backend.SignAsync("cancelpay", User(c.User), new() { ["bill_no"] = BillNo(c.Bill) }),
        PresentOp p => backend.SignAsync("present", User(p.User), new() { ["bill_no"] = BillNo(p.Bill), ["present_counts"] = p.Count }),
        BalanceOp b => backend.SignAsync("getbalance", User(b.User), []),
        GamePayOp p => SignGameAsync(backend, game, "pay", p.User, new { amount = p.Amount, bill_no = BillNo(p.Bill) }),
        GameRefundOp r => SignGameAsync(backend, game, "cancelpay", r.User,
            new { amount = r.Amount, bill_no = BillNo(r.Bill), pay_bill_no = BillNo(r.PayBill) }),
        GamePresentOp p => SignGameAsync(backend, game, "present", p.User, new { amount = p.Amount, bill_no = BillNo(p.Bill) }),
        GameBalanceOp b => SignGameAsync(backend, game, "getbalance", b.User, null),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a Midas call"),
    };

    /// <summary>
    /// A 2.0 call as a game backend signs it: the sandbox body (env 1, zone "1") with pay_sig under the sandbox AppKey and
    /// signature under the player's session_key, with the access_token the 1.0 calls use (one token per app).
    /// </summary>
    private static async Task<(string, string)> SignGameAsync(MidasGameClient backend, MidasGamePayClient game, string op, int user, object? extra)
    {
        var body = game.Body(User(user), extra);
        var uri = "/wxa/game/" + op;
        var query = MidasGamePaySigner.Query(await backend.AccessTokenAsync(), MidasDefaults.SandboxKey, SessionKey(user), uri, body);
        return ($"{uri}?{query}", Encoding.UTF8.GetString(body));
    }

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
            if (IsGamePay(op) && expected.Fault is null or "errcode")
            {
                AssertGamePayShape(op, reply, context);
            }
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
                var field = op switch { PayOp => "used_gen_amt", GamePayOp => "used_present_amount", GameBalanceOp => "present_balance", _ => "gen_balance" };
                Assert.True(reply.Number(field) == gen, $"{context}: expected {field} {gen}, got {reply}");
            }
            if (expected.Cost is { } cost)
            {
                var field = op is GameBalanceOp ? "sum_cost" : "cost_sum";
                Assert.True(reply.Number(field) == cost, $"{context}: expected {field} {cost}, got {reply}");
            }
            if (expected.BillNo is { } billNo)
            {
                Assert.True(reply.GetProperty("bill_no").GetString() == billNo, $"{context}: expected bill_no {billNo}, got {reply}");
            }
        }
    }

    /// <summary>2.0 replies carry 2.0 names only; an error is just errcode and an errmsg ending in its traceid and rid.</summary>
    private static void AssertGamePayShape(Op op, JsonElement reply, string context)
    {
        string[] names = reply.Errcode() != 0 ? ["errcode", "errmsg"] : op switch
        {
            GamePayOp => ["errcode", "errmsg", "bill_no", "balance", "used_present_amount"],
            GameRefundOp => ["errcode", "errmsg", "bill_no"],
            GamePresentOp => ["errcode", "errmsg", "bill_no", "balance"],
            _ => ["errcode", "errmsg", "balance", "present_balance", "sum_save", "sum_present", "sum_balance", "sum_cost", "first_save"],
        };
        Assert.True(reply.EnumerateObject().Select(p => p.Name).SequenceEqual(names), $"{context}: expected the fields {string.Join(", ", names)}, got {reply}");
        var errmsg = reply.GetProperty("errmsg").GetString()!;
        if (reply.Errcode() != 0)
        {
            Assert.Matches(@" traceid: \S+ rid: \S+$", errmsg);
        }
        // The errmsg says which rule refused (docs/wechat-vp2-api.md §5, §6).
        var says = reply.Errcode() switch
        {
            90012 => "bill_no repeated",
            90013 => "balance not enough hint: balance ",
            90018 when op is GameRefundOp => "[amount] amount is invalid",
            90000 when op is GameRefundOp => "order not exist",
            _ => null,
        };
        Assert.True(says is null || errmsg.StartsWith(says, StringComparison.Ordinal), $"{context}: the errmsg should start with \"{says}\": {errmsg}");
        Assert.True(reply.Errcode() != 90013 || errmsg.Contains(" < amount ", StringComparison.Ordinal), $"{context}: 2.0 names amount: {errmsg}");
        if (op is GameBalanceOp && reply.Errcode() == 0)
        {
            // The 2.0 totals keep the getbalance identities: balance = sum_balance − sum_cost, sum_balance = sum_save + sum_present.
            Assert.True(reply.Number("balance") == reply.Number("sum_balance") - reply.Number("sum_cost")
                && reply.Number("sum_balance") == reply.Number("sum_save") + reply.Number("sum_present")
                && reply.GetProperty("first_save").ValueKind is JsonValueKind.True or JsonValueKind.False, $"{context}: {reply}");
        }
    }

    private static async Task AssertLedgerMatchesAsync(HttpClient http, Model model, string context)
    {
        for (var u = 0; u < Users; u++)
        {
            var account = await http.AsAdmin().AccountAsync(Openid(u));
            var (balance, gen, cost) = (account.Balance, account.GenBalance, account.CostSum);
            Assert.True(balance >= 0 && gen >= 0 && cost >= 0, $"{context}: {Openid(u)} went negative: {account}");
            Assert.True((balance, gen, cost) == (model.Balance[u], model.Gen[u], model.Cost[u]),
                $"{context}: {Openid(u)} has balance {balance} gen {gen} cost_sum {cost}, the model {model.Balance[u]} gen {model.Gen[u]} cost_sum {model.Cost[u]}");
        }
        var invariants = await http.AsAdmin().InvariantsAsync();
        Assert.True(invariants.Ok, $"{context}: {string.Join("; ", invariants.Violations)}");

        // Read as JSON: a pay's refunded_amt and refunded_gen_amt and a refund's pay_bill_no are not in the typed record.
        var orders = (await http.GetFromJsonAsync<JsonElement>("/admin/orders?limit=10000")).EnumerateArray().ToList();
        Assert.True(orders.Count == model.OrderCount, $"{context}: {orders.Count} orders in the ledger, the model made {model.OrderCount}");
        foreach (var (billNo, bill) in model.BillsApplied)
        {
            var booked = orders.Where(o => Text(o, "bill_no") == billNo && Text(o, "kind") == bill.Kind).ToList();
            Assert.True(booked.Count == 1, $"{context}: {booked.Count} {bill.Kind} orders with bill_no {billNo}, the model made one");
            var order = booked[0];
            var what = $"{context}: {bill.Kind} {billNo} is {order}, the model {bill}";
            Assert.True(order.Number("amt") == bill.Amt && order.Number("gen_amt") == bill.GenAmt, what);
            Assert.True(Text(order, "openid") == Openid(bill.User), what);
            Assert.True(Text(order, "status") == (bill.Cancelled ? "cancelled" : "applied"), what);
            if (bill.Kind == "pay")
            {
                Assert.True(order.Number("refunded_amt") == bill.Refunded && order.Number("refunded_gen_amt") == bill.RefundedGen, what);
            }
            if (bill.Kind == "refund")
            {
                Assert.True(Text(order, "pay_bill_no") == bill.PayBill, what);
            }
        }
    }

    private static string? Text(JsonElement order, string name) =>
        order.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsGamePay(Op op) => op is GamePayOp or GameRefundOp or GamePresentOp or GameBalanceOp;

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
    /// <summary>1.0 cancelpay; a negative <see cref="Bill"/> picks the player's latest (-1) or second latest (-2) pay.</summary>
    private sealed record CancelOp(int User, int Bill) : Op;
    /// <summary>The last 2.0 refund's bill_no, player and amount again, for the pay <see cref="PayBill"/> (a pick as in <see cref="GameRefundOp"/>).</summary>
    private sealed record RefundAgainOp(int PayBill) : Op;
    private sealed record PresentOp(int User, int Bill, long Count) : Op;
    private sealed record TopupOp(int User, long Amount) : Op;
    private sealed record BalanceOp(int User) : Op;
    private sealed record FaultOp(string Endpoint, string Action, bool AfterCommit) : Op;
    private sealed record GamePayOp(int User, int Bill, long Amount) : Op;
    /// <summary>
    /// 2.0 cancelpay: refund <see cref="Amount"/> of the pay <see cref="PayBill"/> under the bill_no <see cref="Bill"/>; a negative
    /// <see cref="PayBill"/> picks the player's latest (-1) or second latest (-2) pay.
    /// </summary>
    private sealed record GameRefundOp(int User, int Bill, int PayBill, long Amount) : Op;
    private sealed record GamePresentOp(int User, int Bill, long Amount) : Op;
    private sealed record GameBalanceOp(int User) : Op;

    private sealed record Scenario((long Balance, long Gen)[] Start, Op[] Ops)
    {
        public override string ToString() =>
            $"start [{string.Join(", ", Start.Select(s => $"{s.Balance}/{s.Gen}"))}]: {string.Join("; ", Ops.Select(o => o.ToString()))}";
    }

    /// <summary>What the emulator must answer: a fault (errcode, http_status or drop) or the money rules' errcode and figures.</summary>
    private sealed record Expected(int Errcode, string? Fault = null, long? Balance = null, long? Gen = null, long? Cost = null, string? BillNo = null);

    /// <summary>A committed pay, present or 2.0 refund (<see cref="PayBill"/> names a refund's pay).</summary>
    private sealed record Bill(string Kind, int User, long Amt, long GenAmt, long BalanceAfter, string? PayBill = null)
    {
        public bool Cancelled { get; set; }

        /// <summary>A pay's coins given back so far by 2.0 refunds, and the gift part of them.</summary>
        public long Refunded { get; set; }

        public long RefundedGen { get; set; }

        public override string ToString() =>
            $"{Kind} of {Openid(User)} amt {Amt} gen {GenAmt}{(PayBill is null ? "" : $" of {PayBill}")}"
            + $"{(Kind == "pay" ? $" refunded {Refunded} gen {RefundedGen}" : "")}{(Cancelled ? " cancelled" : "")}";
    }

    /// <summary>
    /// The money rules as docs/wechat-api.md and docs/wechat-vp2-api.md state them, for one offer in the sandbox, 1.0 and 2.0
    /// alike: a bill_no is unique per offer across pays, presents and 2.0 refunds (90012 for a repeat; in replay mode the same
    /// player's same request, not cancelled, gets the first reply again, docs/wechat-api.md §10.2), a pay takes gift coins
    /// first and fails with 90013 beyond the balance. A 2.0 refund gives back part of the player's own pay (90000 for any
    /// other), never more than is left of it (90018), gift coins first up to what the pay took from them; a 1.0 cancel gives
    /// back what is left of its pay once (90015 when nothing is left). Fault rules fire oldest first, one per call, times 1.
    /// </summary>
    private sealed class Model(bool replay, Dictionary<string, int> outcomes)
    {
        public long[] Balance { get; } = new long[Users];
        public long[] Gen { get; } = new long[Users];
        public long[] Cost { get; } = new long[Users];
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
            var endpoint = op switch
            {
                PayOp => "pay", CancelOp => "cancelpay", PresentOp => "present", BalanceOp => "getbalance",
                GamePayOp => "game/pay", GameRefundOp => "game/cancelpay", GamePresentOp => "game/present", _ => "game/getbalance",
            };
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
            var key = $"{endpoint} {(real.Errcode == 0 ? "ok" : real.Errcode.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
            Count(key);
            return faultReply ?? real;
        }

        private void Count(string outcome) => outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

        private Expected Apply(Op op, string endpoint)
        {
            switch (op)
            {
                case PayOp pay:
                    return Pay(pay.User, pay.Bill, pay.Amt);
                case GamePayOp pay:
                    return Pay(pay.User, pay.Bill, pay.Amount);
                case CancelOp cancel:
                {
                    var billNo = BillNo(cancel.Bill);
                    if (!BillsApplied.TryGetValue(billNo, out var bill) || bill.Kind != "pay" || bill.User != cancel.User)
                    {
                        return new(90000);
                    }
                    // What 2.0 refunds left of the pay; nothing left is as good as cancelled.
                    var (left, leftGen) = (bill.Amt - bill.Refunded, bill.GenAmt - bill.RefundedGen);
                    if (bill.Cancelled || left == 0)
                    {
                        Count(bill.Cancelled ? "cancelpay 90015: cancelled before" : "cancelpay 90015: wholly refunded by 2.0");
                        return new(90015);
                    }
                    if (bill.Refunded > 0)
                    {
                        Count("cancelpay ok: the rest after 2.0 refunds");
                    }
                    bill.Cancelled = true;
                    Balance[cancel.User] += left;
                    Gen[cancel.User] += leftGen;
                    Cost[cancel.User] -= left;
                    OrderCount++;
                    return new(0);
                }
                case GameRefundOp refund:
                    return Refund(refund);
                case PresentOp present:
                    return Present(present.User, BillNo(present.Bill), present.Count);
                case GamePresentOp present:
                    return Present(present.User, BillNo(present.Bill), present.Amount);
                case BalanceOp b:
                    return new(0, Balance: Balance[b.User], Gen: Gen[b.User], Cost: Cost[b.User]);
                case GameBalanceOp b:
                    return new(0, Balance: Balance[b.User], Gen: Gen[b.User], Cost: Cost[b.User]);
                default:
                    throw new ArgumentOutOfRangeException(nameof(op), op, $"not a {endpoint} call");
            }
        }

        /// <summary>A pick of the player's latest pays made concrete: the bill index of that pay, or RB9 (never a pay) when there is none.</summary>
        public Op Resolve(Op op) => op switch
        {
            CancelOp { Bill: < 0 } cancel => cancel with { Bill = PickPay(cancel.User, cancel.Bill) },
            GameRefundOp { PayBill: < 0 } refund => refund with { PayBill = PickPay(refund.User, refund.PayBill) },
            _ => op,
        };

        private int PickPay(int user, int pick)
        {
            var pays = _paysMade.Where(p => p.User == user).ToList();
            return pays.Count >= -pick ? pays[^-pick].Bill : PayBillsTo;
        }

        private readonly List<(int User, int Bill)> _paysMade = [];

        private Expected Pay(int user, int bill, long amt)
        {
            var billNo = BillNo(bill);
            if (BillsApplied.TryGetValue(billNo, out var repeated))
            {
                // A pay partly or wholly given back by 2.0 refunds is still applied: an identical retry replays its first reply.
                return replay && repeated is { Kind: "pay", Cancelled: false } && repeated.User == user && repeated.Amt == amt
                    ? new(0, Balance: repeated.BalanceAfter, Gen: repeated.GenAmt, BillNo: billNo)
                    : new(90012);
            }
            if (amt > Balance[user])
            {
                return new(90013);
            }
            var usedGen = Math.Min(Gen[user], amt);
            Balance[user] -= amt;
            Gen[user] -= usedGen;
            Cost[user] += amt;
            BillsApplied[billNo] = new Bill("pay", user, amt, usedGen, Balance[user]);
            _paysMade.Add((user, bill));
            OrderCount++;
            return new(0, Balance: Balance[user], Gen: usedGen, BillNo: billNo);
        }

        private Expected Present(int user, string billNo, long count)
        {
            if (BillsApplied.TryGetValue(billNo, out var repeated))
            {
                return replay && repeated is { Kind: "present" } && repeated.User == user && repeated.Amt == count
                    ? new(0, Balance: repeated.BalanceAfter, BillNo: billNo)
                    : new(90012);
            }
            Balance[user] += count;
            Gen[user] += count;
            BillsApplied[billNo] = new Bill("present", user, count, count, Balance[user]);
            OrderCount++;
            return new(0, Balance: Balance[user], BillNo: billNo);
        }

        // docs/wechat-vp2-api.md §6: the refund's own bill_no is checked first (one space with pays and presents), then its pay.
        private Expected Refund(GameRefundOp refund)
        {
            var (user, billNo, payBillNo) = (refund.User, BillNo(refund.Bill), BillNo(refund.PayBill));
            if (BillsApplied.TryGetValue(billNo, out var repeated))
            {
                // Replay only for the identical request: the same player, amount and pay (docs/wechat-api.md §10.2).
                var identical = repeated is { Kind: "refund" } && repeated.User == user && repeated.Amt == refund.Amount;
                Count(identical ? repeated!.PayBill == payBillNo ? "game/cancelpay repeat: identical" : "game/cancelpay repeat: another pay"
                    : $"game/cancelpay repeat: of a {repeated!.Kind}");
                return replay && identical && repeated.PayBill == payBillNo ? new(0, BillNo: billNo) : new(90012);
            }
            if (!BillsApplied.TryGetValue(payBillNo, out var pay) || pay.Kind != "pay" || pay.User != user)
            {
                return new(90000);
            }
            var left = pay.Cancelled ? 0 : pay.Amt - pay.Refunded;
            if (refund.Amount > left)
            {
                Count(pay.Cancelled ? "game/cancelpay 90018: a 1.0-cancelled pay" : "game/cancelpay 90018: more than is left");
                return new(90018);
            }
            Count(refund.Amount == left ? "game/cancelpay ok: the last of the pay" : "game/cancelpay ok: part of the pay");
            var gen = Math.Min(refund.Amount, pay.GenAmt - pay.RefundedGen);
            pay.Refunded += refund.Amount;
            pay.RefundedGen += gen;
            Balance[user] += refund.Amount;
            Gen[user] += gen;
            Cost[user] -= refund.Amount;
            BillsApplied[billNo] = new Bill("refund", user, refund.Amount, gen, Balance[user], payBillNo);
            OrderCount++;
            return new(0, BillNo: billNo);
        }
    }
}
