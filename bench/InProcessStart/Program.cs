using System.Diagnostics;
using System.Globalization;
using MidasEmulator.Testing;

// How long an in-process emulator takes to start (MidasEmulatorServer.StartAsync: build the host, open the in-memory
// ledger, load the seed, listen on a free port), one after another and eight at once, as eight parallel test classes do.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;

foreach (var seed in new[] { MidasSeed.Default, MidasSeed.Small })
{
    var times = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        await using var server = await MidasEmulatorServer.StartAsync(new() { Seed = seed });
        await server.Admin.HealthAsync();
        times.Add(server.StartTime.TotalMilliseconds);
    }
    Report($"sequential, {seed} seed", times);
}

foreach (var seed in new[] { MidasSeed.Default, MidasSeed.Small })
for (var round = 0; round < 3; round++)
{
    var wall = Stopwatch.StartNew();
    var servers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => MidasEmulatorServer.StartAsync(new() { Seed = seed })));
    var elapsed = wall.Elapsed.TotalMilliseconds;
    Report($"8 at once (round {round + 1}), {seed} seed", servers.Select(s => s.StartTime.TotalMilliseconds).ToList(), $", all 8 listening after {elapsed:F0} ms");
    foreach (var server in servers)
    {
        await server.DisposeAsync();
    }
}

static void Report(string what, List<double> ms, string extra = "")
{
    var sorted = ms.Order().ToList();
    // The first start in the process pays for JIT and loading; the rest are what a test suite's later classes see.
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: first {ms[0]:F0} ms, median {sorted[sorted.Count / 2]:F0} ms, max {sorted[^1]:F0} ms over {ms.Count}{extra}"));
}
