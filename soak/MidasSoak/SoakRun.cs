using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MidasSoak;

/// <summary>
/// The soak: users with sessions and balances, fault rules on a share of the WeChat calls, then the operations from
/// concurrent workers in equal slices; after each slice the workers wait while the emulator's RSS is read and the
/// ledger is checked against the workers' models.
/// </summary>
public static class SoakRun
{
    public const long StartBalance = 5_000;
    public const long StartGenBalance = 500;

    public static async Task<SoakResult> RunAsync(SoakOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stopwatch = Stopwatch.StartNew();
        var runTag = options.RunTag ?? "s" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);
        var counters = new SoakCounters();
        var violations = new Violations();
        // Enough connections for every worker plus the calls abandoned on a timeout; a drop fault kills one, which is then replaced.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Workers * 2 + 8 };
        using var wechat = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var adminHttp = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var admin = new MidasAdminClient(adminHttp, appid: options.Appid);
        var caller = new GameBackendCaller(wechat, options, counters);
        await caller.FetchAccessTokenAsync(cancellation).ConfigureAwait(false);

        var users = Enumerable.Range(0, options.Users)
            .Select(i => new SoakUser(string.Create(CultureInfo.InvariantCulture, $"{runTag}_u{i:D5}"))).ToList();
        Progress(options, stopwatch, $"setting up {users.Count:N0} users (session and balance {StartBalance}, of it {StartGenBalance} gift)");
        await SetUpUsersAsync(admin, users, cancellation).ConfigureAwait(false);

        var workerCount = Math.Max(1, Math.Min(options.Workers, users.Count));
        var workers = Enumerable.Range(0, workerCount)
            .Select(w => new SoakWorker(w, users.Where((_, i) => i % workerCount == w).ToList(), caller, admin, runTag, options, counters, violations))
            .ToList();
        var check = new LedgerCheck(admin, runTag + "_", users, counters, violations);
        var rss = new List<RssSample>();
        Sample(options, rss, "set-up", 0, counters);

        var shapes = FaultPlan.Shapes(options);
        var faultIds = await FaultPlan.InstallAsync(admin, shapes, options.FaultRate, options.Seed, cancellation).ConfigureAwait(false);
        long done = 0;
        var checkpointsDone = 0;
        (long Calls, IReadOnlyList<long> Hits) faults;
        try
        {
            for (var slice = 1; slice <= options.Checkpoints; slice++)
            {
                var end = (long)options.Operations * slice / options.Checkpoints;
                var sliceOps = (int)(end - done);
                await Task.WhenAll(workers.Select((worker, w) =>
                    worker.RunAsync(sliceOps / workers.Count + (w < sliceOps % workers.Count ? 1 : 0), cancellation))).ConfigureAwait(false);
                done = end;
                var label = string.Create(CultureInfo.InvariantCulture, $"{100 * slice / options.Checkpoints}%");
                Sample(options, rss, label, done, counters);
                await check.RunAsync(label, cancellation).ConfigureAwait(false);
                checkpointsDone++;
                Progress(options, stopwatch, string.Create(CultureInfo.InvariantCulture,
                    $"{label}: {done:N0} operations, {counters.Retries:N0} retries, {Interlocked.Read(ref counters.Checks):N0} checks, {violations.Count} violations{(rss.Count > 0 ? $", rss {rss[^1].RssKib / 1024.0:F0} MB" : "")}"));
            }
        }
        finally
        {
            faults = await FaultPlan.ReadHitsAsync(admin, faultIds, CancellationToken.None).ConfigureAwait(false);
            await FaultPlan.RemoveAsync(admin, faultIds, CancellationToken.None).ConfigureAwait(false);
        }

        CheckRetriesMatchFaults(shapes, faults.Hits, counters, violations);
        var from = rss.Find(s => s.OperationsDone >= options.Operations * 3L / 10 && s.OperationsDone > 0);
        return new SoakResult
        {
            Options = options,
            Duration = stopwatch.Elapsed,
            Operations = done,
            Counts = counters.Snapshot(),
            CallsInScope = faults.Calls,
            Faults = [.. shapes.Zip(faults.Hits, (shape, hits) => new KeyValuePair<string, long>(shape.Name, hits))],
            CheckpointsDone = checkpointsDone,
            ViolationCount = violations.Count,
            Violations = violations.First,
            Rss = rss,
            PeakRssKib = options.EmulatorPid is { } pid ? ProcessMemory.PeakRssKib(pid) : null,
            Memory = options.Operations >= options.MemoryVerdictMinOperations && from is not null && from != rss[^1]
                ? new MemoryVerdict(from, rss[^1], options.RssGrowthSlackMb)
                : null,
        };
    }

    /// <summary>
    /// The client must never see a failure the emulator did not fire (a spontaneous -1, HTTP error or dropped
    /// connection), and every fault fired must reach it, or else be hidden behind one of its timeouts: a call stalled
    /// under load past the timeout is retried as a timeout whatever its reply. (Exact counts are in the figures; they
    /// are not required to match, since a timer late under load lets a long delay through without a timeout.)
    /// </summary>
    private static void CheckRetriesMatchFaults(IReadOnlyList<FaultShape> shapes, IReadOnlyList<long> hits, SoakCounters counters, Violations violations)
    {
        var unseen = 0L;
        foreach (var (seen, retried) in new[] { (ClientSees.SystemBusy, counters.RetriedSystemBusy), (ClientSees.HttpStatus, counters.RetriedHttpStatus), (ClientSees.Dropped, counters.RetriedDropped) })
        {
            var fired = shapes.Zip(hits).Where(p => p.First.Seen == seen).Sum(p => p.Second);
            unseen += fired - retried;
            Interlocked.Increment(ref counters.Checks);
            if (retried > fired)
            {
                violations.Add($"the client retried {retried} × {seen}, the emulator fired only {fired} such faults");
            }
        }
        Interlocked.Increment(ref counters.Checks);
        if (unseen > counters.RetriedTimedOut)
        {
            violations.Add($"{unseen} faults the emulator fired never reached the client, which timed out only {counters.RetriedTimedOut} times");
        }
    }

    private static async Task SetUpUsersAsync(MidasAdminClient admin, List<SoakUser> users, CancellationToken cancellation)
    {
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation }, async (user, token) =>
        {
            user.SessionKey = (await admin.StartSessionAsync(user.Openid, cancellation: token).ConfigureAwait(false)).SessionKey;
            await admin.SetBalanceAsync(user.Openid, StartBalance, StartGenBalance, cancellation: token).ConfigureAwait(false);
            user.Start(StartBalance, StartGenBalance);
        }).ConfigureAwait(false);
    }

    private static void Sample(SoakOptions options, List<RssSample> rss, string checkpoint, long done, SoakCounters counters)
    {
        if (options.EmulatorPid is { } pid && ProcessMemory.RssKib(pid) is { } kib)
        {
            rss.Add(new RssSample(checkpoint, done, counters.PayApplied + counters.Present + counters.Refund + counters.ReconciledLatePays, kib));
        }
    }

    private static void Progress(SoakOptions options, Stopwatch stopwatch, string line) =>
        options.Progress?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{stopwatch.Elapsed.TotalSeconds,6:F1} s] {line}"));
}
