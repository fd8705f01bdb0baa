using System.Globalization;

namespace MidasSoak;

/// <summary>
/// dotnet MidasSoak.dll --base-url http://127.0.0.1:8080 [--ops 100000] [--users 1000] [--workers 32] [--fault-rate 0.2]
///   [--seed N] [--checkpoints 10] [--pid PID] [--rss-growth-slack-mb 16] [--memory-verdict-min-ops 50000] [--call-timeout-ms 1000]
/// Prints the figures; exit code 0 when the run passed, 1 on a violation or memory growth beyond the limit, 2 on bad arguments.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        SoakOptions options;
        try
        {
            options = Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"midas-soak: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        var result = await SoakRun.RunAsync(options).ConfigureAwait(false);
        Console.WriteLine(result.Format());
        return result.Passed ? 0 : 1;
    }

    private static SoakOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value pairs, got {args[i]} (see the comment at the top of Program.cs)");
            }
            values[args[i][2..]] = args[i + 1];
        }
        var c = CultureInfo.InvariantCulture;
        var options = new SoakOptions
        {
            BaseAddress = new Uri(Take("base-url") ?? "http://127.0.0.1:8080"),
            Progress = Console.Out,
        };
        options = Take("ops") is { } ops ? options with { Operations = int.Parse(ops, c) } : options;
        options = Take("users") is { } users ? options with { Users = int.Parse(users, c) } : options;
        options = Take("workers") is { } workers ? options with { Workers = int.Parse(workers, c) } : options;
        options = Take("fault-rate") is { } rate ? options with { FaultRate = double.Parse(rate, c) } : options;
        options = Take("seed") is { } seed ? options with { Seed = int.Parse(seed, c) } : options;
        options = Take("checkpoints") is { } checkpoints ? options with { Checkpoints = int.Parse(checkpoints, c) } : options;
        options = Take("pid") is { } pid ? options with { EmulatorPid = int.Parse(pid, c) } : options;
        options = Take("rss-growth-slack-mb") is { } slack ? options with { RssGrowthSlackMb = double.Parse(slack, c) } : options;
        options = Take("memory-verdict-min-ops") is { } minOps ? options with { MemoryVerdictMinOperations = int.Parse(minOps, c) } : options;
        options = Take("call-timeout-ms") is { } timeout ? options with { CallTimeout = TimeSpan.FromMilliseconds(int.Parse(timeout, c)) } : options;
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option --{values.Keys.First()}");
        }
        if (options.Operations < 1 || options.Users < 1 || options.Workers < 1 || options.Checkpoints < 1 || options.FaultRate is < 0 or > 1)
        {
            throw new ArgumentException("--ops, --users, --workers and --checkpoints must be at least 1, --fault-rate 0 … 1");
        }
        return options;

        string? Take(string name) => values.Remove(name, out var value) ? value : null;
    }
}
