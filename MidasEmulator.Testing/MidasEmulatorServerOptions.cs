using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MidasEmulator.Testing;

/// <summary>Which seed a <see cref="MidasEmulatorServer"/> loads into its empty ledger (and on POST /admin/reset).</summary>
public enum MidasSeed
{
    /// <summary>The emulator's shipped seed: the default app and 300 players with sessions and sandbox accounts.</summary>
    Default,
    /// <summary>The default app and the shipped seed's first three players (<see cref="MidasDefaults.DocPlayer"/> first): the fastest start.</summary>
    Small,
    /// <summary>No seed: no app, no player. Register apps with <see cref="MidasAdminClient.AddAppAsync"/>.</summary>
    None,
}

/// <summary>How a <see cref="MidasEmulatorServer"/> starts.</summary>
public sealed class MidasEmulatorServerOptions
{
    /// <summary>The LiteDB file, or <c>:memory:</c> (the default): a fresh ledger that lives as long as the server.</summary>
    public string Database { get; set; } = ":memory:";

    /// <summary>
    /// The seed loaded into the empty ledger; ignored when <see cref="SeedFile"/> is set. Small by default (the default
    /// app and three players, <see cref="MidasDefaults.DocPlayer"/> first): ~15 ms to start instead of ~80 ms with the
    /// 300 players of <see cref="MidasSeed.Default"/>, which counts when eight test classes start theirs at once.
    /// </summary>
    public MidasSeed Seed { get; set; } = MidasSeed.Small;

    /// <summary>A seed file of your own (docs/reference.md §4 shows its shape).</summary>
    public string? SeedFile { get; set; }

    /// <summary>
    /// Any emulator setting by its configuration key, as docs/reference.md §2 lists them: <c>["Midas:BillNoRepeat"] = "Replay"</c>.
    /// These win over the other options and over the process's environment variables.
    /// </summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clock the emulator's time starts from (a FakeTimeProvider, say); /admin/clock still moves it. The system clock when null.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>
    /// Changes the emulator's services before it starts: add a logger provider that captures its log, say. Runs after
    /// the emulator's own registrations, so a registration here replaces one of them.
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>The emulator's minimum log level; Warning by default, so a test run's output stays quiet.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Sets one setting (see <see cref="Settings"/>) and answers these options, for chaining.</summary>
    public MidasEmulatorServerOptions With(string key, string? value)
    {
        Settings[key] = value;
        return this;
    }
}
