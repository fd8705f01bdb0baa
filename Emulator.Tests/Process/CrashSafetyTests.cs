using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Seeding;
using MidasEmulator.Tests.Support;
using Xunit.Abstractions;
using static MidasEmulator.Tests.Process.CrashLoad;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// The issue's crash safety, with a real process: the published Release build on a file database, signed calls from
/// many connections (Midas 1.0 and virtual payment 2.0 on the same players), `kill -9` at a random moment under load, a restart on the same file, and an audit of the ledger
/// and the accounts over the admin API against what every client was told (<see cref="ClientLedgerCheck"/>). Repeated on
/// one file, the load going on after each restart. MIDAS_CRASH_CYCLES sets the number of kills (bench/crash.sh: 20).
/// </summary>
// Slow: publishes a Release build and kills it with SIGKILL under load, again and again.
[Trait("Category", "Slow")]
[Collection(nameof(LoadTests))]
public sealed class CrashSafetyTests(PublishedEmulator published, ITestOutputHelper output) : IDisposable
{
    private const int DefaultCycles = 4;
    private const int Workers = 24;
    private const int UsersInPlay = 64;

    // The per-call log lines would cost the load a few percent of two shared cores and tell the audit nothing.
    private static readonly Dictionary<string, string> Quiet = new() { ["Logging__LogLevel__MidasEmulator.Calls"] = "Warning" };

    private readonly string _dir = Directory.CreateTempSubdirectory("midas-crash-").FullName;
    private readonly List<string> _violations = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task KillNine_MidLoad_EveryAcknowledgedOperationIsInTheLedgerExactlyOnce_AndEveryBalanceAddsUp()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("MIDAS_CRASH_CYCLES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCycles;
        var randomSeed = Environment.TickCount;
        var random = new Random(randomSeed);
        var seedUsers = SeedLoader.Read(published.SeedFile).Users;
        var seed = seedUsers.ToDictionary(u => u.Openid, StringComparer.Ordinal);
        var users = seedUsers.Take(UsersInPlay).Select(u => new MidasPlayer(u.Openid, u.SessionKey)).ToList();
        var books = new ClientBooks();
        var totals = new Totals();
        output.WriteLine($"published {published.Dll} (Release) in {published.PublishTime.TotalSeconds:F1} s; {cycles} kills, " +
            $"{Workers} connections, {UsersInPlay} accounts, random seed {randomSeed}");

        IReadOnlyList<Operation> unanswered = [];
        for (var cycle = 1; cycle <= cycles + 1; cycle++)
        {
            using var emulator = await StartAsync(totals);
            using var admin = await emulator.ConnectAsync();
            if (cycle > 1)
            {
                await AuditAfterRestartAsync(cycle - 1, emulator, admin, seed, users, books, unanswered, totals);
            }
            if (cycle > cycles)
            {
                // The retries of the last cycle's unanswered calls are in the books now: one more audit covers them.
                var final = await AuditAsync(admin, seed, users, books);
                totals.Acknowledged = final.Acknowledged;
                output.WriteLine($"final audit: {Figure(final.Orders)} orders; {Figure(final.Acknowledged)} acknowledged operations in exactly once " +
                    $"({Figure(books.Pays.Values.Count(p => p.Acknowledgement is not null))} pays, {Figure(books.Presents.Values.Count(p => p.Acknowledgement is not null))} presents, " +
                    $"{Figure(books.Cancels.Values.Count(p => p.Acknowledgement is not null))} cancels, {Figure(books.Topups.Values.Count(p => p.Acknowledgement is not null))} top-ups, " +
                    $"{Figure(books.Refunds.Values.Count(p => p.Acknowledgement is not null))} 2.0 refunds; " +
                    $"{Figure(books.Pays.Values.Count(p => p.ViaGamePay && p.Acknowledgement is not null))} of the pays and " +
                    $"{Figure(books.Presents.Values.Count(p => p.ViaGamePay && p.Acknowledgement is not null))} of the presents through 2.0), " +
                    $"{Figure(books.Refunds.Values.Count(r => r.Intent == RefundIntent.OverLimit && r.Expected == Expected.Out))} refunds over the limit refused (90018), " +
                    $"{Figure(books.RepeatedRefunds.Count(r => r.Attempts.Any(a => a.Errcode == 90012)))} refunds with a used bill_no answered 90012, " +
                    $"{Figure(books.Pays.Values.Count(p => books.RefundsOf(p.BillNo!).Count(r => r.Expected == Expected.In) > 1))} pays refunded more than once, " +
                    $"{Figure(books.Cancels.Values.Count(c => c.Expected == Expected.In && books.RefundsOf(c.BillNo!).Any(r => r.Expected == Expected.In)))} partly refunded pays cancelled by 1.0; " +
                    $"{Figure(final.AppliedByRepeat)} more confirmed by a repeat's 90012/90015, {Figure(final.Refused)} refused and absent, " +
                    $"{final.OpenIn + final.OpenOut} top-ups never answered ({final.OpenIn} in, {final.OpenOut} out); {_violations.Count} violations");
                break;
            }

            var token = await new MidasGameClient(admin, clock: TimeProvider.System).AccessTokenAsync();
            using var stop = new CancellationTokenSource();
            var load = new CrashLoad(emulator.BaseAddress, token, users, books).RunAsync(Workers, cycle, random.Next(), stop.Token);
            var killAfter = TimeSpan.FromMilliseconds(random.Next(500, 2500));
            await Task.Delay(killAfter);
            if (emulator.Process.HasExited)
            {
                Assert.Fail($"the emulator exited by itself under load, code {emulator.Process.ExitCode}: {await emulator.OutputAsync()}");
            }
            // No new calls from here, and SIGKILL to the emulator itself at once, while the calls already sent are in
            // flight: no shutdown hook, no last commit, no checkpoint. (No await between the two: the calls would finish.)
            stop.Cancel();
            emulator.Process.Kill();
            await emulator.Process.WaitForExitAsync();
            Assert.Equal(128 + 9, emulator.Process.ExitCode);
            await load;
            unanswered = books.TakeUnanswered();
            output.WriteLine($"cycle {cycle}: kill -9 {killAfter.TotalSeconds:F2} s into the load; {Figure(books.All.Sum(o => o.Attempts.Count))} calls so far; " +
                $"{unanswered.Count} cut off by the kill");
        }

        output.WriteLine($"crash safety: {cycles} kills survived; restarts healthy in {totals.RestartMs.Skip(1).Min()}–{totals.RestartMs.Skip(1).Max()} ms; " +
            $"{Figure(totals.Acknowledged)} acknowledged operations checked; {totals.Unanswered} unknown outcomes resolved " +
            $"({totals.ResolvedIn} in, {totals.ResolvedOut} out; {totals.Retried} retried after the restart, each answered consistently); violations {_violations.Count}");
        Assert.Empty(_violations);
    }

    /// <summary>
    /// Issue 16: the same kill on a ledger of at least <see cref="LargeLedgerOrders"/> orders, where the start reads the
    /// bill_no memory from the snapshot the writer wrote at 100,000 and 200,000 orders (the kill may land in the middle of
    /// one) plus the orders after it. Then the same audit, and a repeat of acknowledged pays from all over the ledger
    /// (some in the snapshot, the latest after it) must answer 90012. MIDAS_LARGE_LEDGER_ORDERS sets the size.
    /// </summary>
    [Fact]
    public async Task KillNine_OnALargeLedger_EveryAcknowledgedOperationIsInOnce_AndRepeatsOfEarlierPaysAnswer90012()
    {
        var target = int.TryParse(Environment.GetEnvironmentVariable("MIDAS_LARGE_LEDGER_ORDERS"), CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : LargeLedgerOrders;
        var randomSeed = Environment.TickCount;
        var random = new Random(randomSeed);
        var seedUsers = SeedLoader.Read(published.SeedFile).Users;
        var seed = seedUsers.ToDictionary(u => u.Openid, StringComparer.Ordinal);
        var users = seedUsers.Take(UsersInPlay).Select(u => new MidasPlayer(u.Openid, u.SessionKey)).ToList();
        var books = new ClientBooks();
        var totals = new Totals();
        output.WriteLine($"large ledger: load until {Figure(target)} orders, then kill -9; random seed {randomSeed}");

        var loadTime = Stopwatch.StartNew();
        using (var emulator = await StartAsync(totals))
        using (var admin = await emulator.ConnectAsync())
        {
            var token = await new MidasGameClient(admin, clock: TimeProvider.System).AccessTokenAsync();
            using var stop = new CancellationTokenSource();
            var load = new CrashLoad(emulator.BaseAddress, token, users, books).RunAsync(Workers, 1, random.Next(), stop.Token);
            while (!await HasOrderAfterAsync(admin, target - 1))
            {
                if (emulator.Process.HasExited)
                {
                    Assert.Fail($"the emulator exited by itself under load, code {emulator.Process.ExitCode}: {await emulator.OutputAsync()}");
                }
                Assert.True(loadTime.Elapsed < TimeSpan.FromMinutes(4), $"the ledger did not reach {target} orders in 4 minutes");
                await Task.Delay(500);
            }
            // A random moment past the target: the writer may be committing, checkpointing or writing the snapshot.
            await Task.Delay(random.Next(100, 1500));
            stop.Cancel();
            emulator.Process.Kill();
            await emulator.Process.WaitForExitAsync();
            Assert.Equal(128 + 9, emulator.Process.ExitCode);
            await load;
        }
        var unanswered = books.TakeUnanswered();
        output.WriteLine($"killed after {loadTime.Elapsed.TotalSeconds:F0} s of load, {Figure(books.All.Sum(o => o.Attempts.Count))} calls; {unanswered.Count} cut off by the kill");

        using (var emulator = await StartAsync(totals))
        using (var admin = await emulator.ConnectAsync())
        {
            await AuditAfterRestartAsync(1, emulator, admin, seed, users, books, unanswered, totals);

            var acknowledged = books.Pays.Values.Where(p => p.Acknowledgement is not null).ToList();
            var repeats = acknowledged.Take(500).Concat(acknowledged.Skip(500).OrderBy(_ => random.Next()).Take(1500)).Concat(acknowledged.TakeLast(500)).Distinct().ToList();
            using var http = Connect(emulator.BaseAddress);
            var backend = new MidasGameClient(http, clock: TimeProvider.System);
            var token = await backend.AccessTokenAsync();
            var wrong = new List<string>();
            foreach (var pay in repeats)
            {
                var attempt = await SendAsync(backend, token, books, pay);
                if (attempt.Errcode != 90012)
                {
                    wrong.Add($"{pay}: {attempt.Errcode?.ToString(CultureInfo.InvariantCulture) ?? attempt.Detail}");
                }
            }
            Record(wrong.Select(w => $"a repeat of an acknowledged pay after the restart did not answer 90012: {w}"));
            var final = await AuditAsync(admin, seed, users, books);
            output.WriteLine($"large ledger: {Figure(final.Orders)} orders; restart healthy in {totals.RestartMs[^1]} ms; {Figure(final.Acknowledged)} acknowledged " +
                $"operations in exactly once; {repeats.Count} repeats of acknowledged pays answered 90012: {repeats.Count - wrong.Count}; violations {_violations.Count}");
            Assert.True(final.Orders >= target, $"the audit saw {final.Orders} orders");
        }
        Assert.Empty(_violations);
    }

    private const int LargeLedgerOrders = 200_000;

    private static async Task<bool> HasOrderAfterAsync(HttpClient admin, long id)
    {
        using var page = JsonDocument.Parse(await admin.GetStringAsync($"/admin/orders?after_id={id}&limit=1"));
        return page.RootElement.GetArrayLength() > 0;
    }

    private async Task<EmulatorProcess> StartAsync(Totals totals)
    {
        var stopwatch = Stopwatch.StartNew();
        var emulator = EmulatorProcess.StartFrom(published.Dll, _dir, environment: Quiet);
        using (await emulator.ConnectAsync())
        {
            totals.RestartMs.Add(stopwatch.ElapsedMilliseconds);
        }
        return emulator;
    }

    private async Task<AuditFigures> AuditAsync(HttpClient admin, IReadOnlyDictionary<string, SeedUser> seed, IReadOnlyList<MidasPlayer> users, ClientBooks books)
    {
        var audit = new ClientLedgerCheck(seed, books);
        var figures = audit.Check(await admin.AsAdmin().AllOrdersAsync(), await ClientLedgerCheck.ReadAccountsAsync(admin, users));
        Record(audit.Violations);
        await RecordEmulatorAuditAsync(admin);
        return figures;
    }

    /// <summary>The emulator's own check as well (GET /admin/invariants): every account, the whole ledger replayed.</summary>
    private async Task RecordEmulatorAuditAsync(HttpClient admin)
    {
        var invariants = await admin.AsAdmin().InvariantsAsync();
        if (!invariants.Ok)
        {
            Record([$"GET /admin/invariants: {invariants.ViolationCount} violations: {string.Join("; ", invariants.Violations)}"]);
        }
    }

    /// <summary>
    /// After a restart: the full audit, then each call the kill cut off is looked up (in or out, never half) and sent
    /// again with the same bill_no. One that is in must answer its repeat errcode; one that is out must apply now.
    /// </summary>
    private async Task AuditAfterRestartAsync(int cycle, EmulatorProcess emulator, HttpClient admin, IReadOnlyDictionary<string, SeedUser> seed,
        IReadOnlyList<MidasPlayer> users, ClientBooks books, IReadOnlyList<Operation> unanswered, Totals totals)
    {
        var orders = await admin.AsAdmin().AllOrdersAsync();
        var audit = new ClientLedgerCheck(seed, books);
        var figures = audit.Check(orders, await ClientLedgerCheck.ReadAccountsAsync(admin, users));
        Record(audit.Violations);
        await RecordEmulatorAuditAsync(admin);
        totals.Acknowledged = figures.Acknowledged;

        var index = ClientLedgerCheck.Index(orders);
        using var http = Connect(emulator.BaseAddress);
        var backend = new MidasGameClient(http, clock: TimeProvider.System);
        var token = await backend.AccessTokenAsync();
        int resolvedIn = 0, resolvedOut = 0, retried = 0, viaGamePay = 0, refunds = 0, refundsIn = 0;
        foreach (var operation in unanswered.Where(o => o.Expected == Expected.InOrOut))
        {
            var wasIn = ClientLedgerCheck.OrdersOf(operation, index).Count == 1;
            _ = wasIn ? resolvedIn++ : resolvedOut++;
            viaGamePay += operation.ViaGamePay ? 1 : 0;
            refunds += operation.Kind == OperationKind.Refund ? 1 : 0;
            refundsIn += operation.Kind == OperationKind.Refund && wasIn ? 1 : 0;
            if (operation.Kind == OperationKind.Topup)
            {
                continue; // a top-up has no key to retry by
            }
            var attempt = await SendAsync(backend, token, books, operation);
            books.Record(operation, attempt);
            retried++;
            var consistent = operation.Intent == RefundIntent.OverLimit && operation.Kind == OperationKind.Refund
                ? !wasIn && attempt.Errcode == 90018
                : wasIn
                    ? attempt.Errcode == operation.AlreadyAppliedErrcode
                    : attempt.Seen == Seen.Acknowledged || (operation.Kind == OperationKind.Pay && attempt.Errcode == 90013);
            if (!consistent)
            {
                Record([$"after restart {cycle}, the ledger {(wasIn ? "had" : "did not have")} {operation.Kind} {operation.Key}, and its retry answered " +
                    $"{attempt.Errcode?.ToString(CultureInfo.InvariantCulture) ?? attempt.Detail}: {operation}"]);
            }
        }
        totals.ResolvedIn += resolvedIn;
        totals.ResolvedOut += resolvedOut;
        totals.Retried += retried;
        output.WriteLine($"restart {cycle}: healthy in {totals.RestartMs[^1]} ms; {Figure(figures.Orders)} orders on {figures.Accounts} audited accounts; " +
            $"{Figure(figures.Acknowledged)} acknowledged operations in exactly once, {Figure(figures.Refused)} refused and absent; " +
            $"{resolvedIn + resolvedOut} unknown outcomes ({viaGamePay} of them 2.0 calls, {refunds} refunds of which {refundsIn} in): " +
            $"{resolvedIn} in, {resolvedOut} out, {retried} retried, each answered consistently; violations {_violations.Count}");
        Assert.True(_violations.Count == 0, $"after restart {cycle}:\n{string.Join('\n', _violations.Take(20))}");
    }

    private void Record(IEnumerable<string> violations)
    {
        foreach (var violation in violations)
        {
            _violations.Add(violation);
            output.WriteLine($"VIOLATION {violation}");
        }
    }

    /// <summary>The seed file's users in its order, so the users in play are the same on every run.</summary>

    private sealed class Totals
    {
        public List<long> RestartMs { get; } = [];
        public int Acknowledged { get; set; }
        public int ResolvedIn { get; set; }
        public int ResolvedOut { get; set; }
        public int Unanswered => ResolvedIn + ResolvedOut;
        public int Retried { get; set; }
    }
}
