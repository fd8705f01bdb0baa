using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MidasSoak;

/// <summary>
/// dotnet MidasSoak.dll --base-url http://127.0.0.1:8080 [--ops 100000] [--users 1000] [--workers 32] [--fault-rate 0.2]
///   [--seed N] [--checkpoints 10] [--pid PID] [--rss-growth-slack-mb 16] [--memory-verdict-min-ops 50000] [--call-timeout-ms 1000] [--game-pay-share 50]
/// Prints the figures; exit code 0 when the run passed, 1 on a violation or memory growth beyond the limit, 2 on bad arguments.
/// </summary>
internal static class Program
{
    private const string CallTimeoutMs = "CallTimeoutMs";

    // Each switch and the configuration key it sets: the SoakOptions property of that name (CallTimeoutMs: CallTimeout).
    private static readonly Dictionary<string, string> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--base-url"] = nameof(SoakOptions.BaseAddress),
        ["--ops"] = nameof(SoakOptions.Operations),
        ["--users"] = nameof(SoakOptions.Users),
        ["--workers"] = nameof(SoakOptions.Workers),
        ["--fault-rate"] = nameof(SoakOptions.FaultRate),
        ["--seed"] = nameof(SoakOptions.Seed),
        ["--checkpoints"] = nameof(SoakOptions.Checkpoints),
        ["--pid"] = nameof(SoakOptions.EmulatorPid),
        ["--rss-growth-slack-mb"] = nameof(SoakOptions.RssGrowthSlackMb),
        ["--memory-verdict-min-ops"] = nameof(SoakOptions.MemoryVerdictMinOperations),
        ["--call-timeout-ms"] = CallTimeoutMs,
        ["--game-pay-share"] = nameof(SoakOptions.GamePayShare),
    };

    private static async Task<int> Main(string[] args)
    {
        SoakOptions options;
        try
        {
            options = Read(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"midas-soak: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        var result = await SoakRun.RunAsync(options).ConfigureAwait(false);
        Console.WriteLine(result.Format());
        return result.Passed ? 0 : 1;
    }

    private static SoakOptions Read(string[] args)
    {
        RefuseStrayArguments(args);
        var config = new ConfigurationBuilder().AddCommandLine(args, Switches).Build();
        // The provider keeps an unmapped --name as a key of its own; here it can only be a typo, so it is refused.
        var unknown = config.AsEnumerable()
            .FirstOrDefault(e => e.Value is not null && !Switches.Values.Contains(e.Key, StringComparer.OrdinalIgnoreCase)).Key;
        if (unknown is not null)
        {
            throw new ArgumentException($"unknown option --{unknown} (see the comment at the top of Program.cs)");
        }

        var c = CultureInfo.InvariantCulture;
        var defaults = new SoakOptions
        {
            BaseAddress = config[nameof(SoakOptions.BaseAddress)] is not { } url ? new Uri("http://127.0.0.1:8080")
                : Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : throw Wrong(nameof(SoakOptions.BaseAddress), "an absolute URL", url),
            Progress = Console.Out,
        };
        var options = defaults with
        {
            Operations = Whole(nameof(SoakOptions.Operations)) ?? defaults.Operations,
            Users = Whole(nameof(SoakOptions.Users)) ?? defaults.Users,
            Workers = Whole(nameof(SoakOptions.Workers)) ?? defaults.Workers,
            FaultRate = Number(nameof(SoakOptions.FaultRate)) ?? defaults.FaultRate,
            Seed = Whole(nameof(SoakOptions.Seed)) ?? defaults.Seed,
            Checkpoints = Whole(nameof(SoakOptions.Checkpoints)) ?? defaults.Checkpoints,
            EmulatorPid = Whole(nameof(SoakOptions.EmulatorPid)) ?? defaults.EmulatorPid,
            RssGrowthSlackMb = Number(nameof(SoakOptions.RssGrowthSlackMb)) ?? defaults.RssGrowthSlackMb,
            MemoryVerdictMinOperations = Whole(nameof(SoakOptions.MemoryVerdictMinOperations)) ?? defaults.MemoryVerdictMinOperations,
            CallTimeout = Whole(CallTimeoutMs) is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.CallTimeout,
            GamePayShare = Whole(nameof(SoakOptions.GamePayShare)) ?? defaults.GamePayShare,
        };
        if (options.Operations < 1 || options.Users < 1 || options.Workers < 1 || options.Checkpoints < 1 || options.FaultRate is < 0 or > 1
            || options.GamePayShare is < 0 or > 100)
        {
            throw new ArgumentException("--ops, --users, --workers and --checkpoints must be at least 1, --fault-rate 0 … 1, --game-pay-share 0 … 100");
        }
        return options;

        int? Whole(string key) => config[key] is not { } text ? null
            : int.TryParse(text, NumberStyles.Integer, c, out var n) ? n : throw Wrong(key, "a whole number", text);

        double? Number(string key) => config[key] is not { } text ? null
            : double.TryParse(text, NumberStyles.Float, c, out var x) ? x : throw Wrong(key, "a number", text);
    }

    private static FormatException Wrong(string key, string takes, string text) =>
        new($"{Switches.First(s => s.Value == key).Key} takes {takes}, got '{text}'");

    /// <summary>
    /// AddCommandLine passes over what it cannot read: a word with no switch before it, a -x it has no mapping for, a
    /// switch at the end with no value. Those are refused, rather than running a soak the caller did not ask for.
    /// </summary>
    private static void RefuseStrayArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument {args[i]}: options are --name value (see the comment at the top of Program.cs)");
            }
            if (!args[i].Contains('=', StringComparison.Ordinal) && ++i == args.Length)
            {
                throw new ArgumentException($"{args[i - 1]} needs a value");
            }
        }
    }
}
