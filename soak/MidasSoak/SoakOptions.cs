namespace MidasSoak;

/// <summary>What one soak run does. The defaults are the issue's: 100,000 operations over 1,000 users, 20% of calls faulted.</summary>
public sealed record SoakOptions
{
    /// <summary>The running emulator, e.g. http://127.0.0.1:8080.</summary>
    public required Uri BaseAddress { get; init; }

    public int Operations { get; init; } = 100_000;

    public int Users { get; init; } = 1_000;

    /// <summary>Concurrent game-backend workers; each owns a fixed share of the users, so its model of them is exact.</summary>
    public int Workers { get; init; } = 32;

    /// <summary>The share of WeChat-surface calls a fault rule fires on, 0 … 1.</summary>
    public double FaultRate { get; init; } = 0.20;

    /// <summary>
    /// The share (percent, 0 … 100) of getbalances, pays, presents and reversals sent through virtual payment 2.0
    /// (/wxa/game/*, env 1) instead of Midas 1.0, on the same players and the same sandbox ledger; a 2.0 reversal is a refund.
    /// </summary>
    public int GamePayShare { get; init; } = 50;

    /// <summary>Seeds the workers' choices and every fault rule's draws, so a run can be repeated.</summary>
    public int Seed { get; init; } = 20261125;

    /// <summary>Checks (and RSS samples) are made after each of this many equal slices of the operations.</summary>
    public int Checkpoints { get; init; } = 10;

    /// <summary>The emulator's process id, to read its RSS from /proc; null: no memory figures.</summary>
    public int? EmulatorPid { get; init; }

    /// <summary>
    /// How much the RSS may grow from the checkpoint at 30% to the last one, beyond the bill_no memory's allowance,
    /// before the run counts as leaking. See <see cref="MemoryVerdict"/> for what legitimately grows.
    /// </summary>
    public double RssGrowthSlackMb { get; init; } = 16;

    /// <summary>
    /// Runs shorter than this are not judged on memory: up to a few tens of thousands of operations the RSS still
    /// climbs with warm-up (tiered JIT, LiteDB's cache filling as the file grows), about 12 MB from 30% to 100% of 2,000.
    /// </summary>
    public int MemoryVerdictMinOperations { get; init; } = 50_000;

    /// <summary>A call not answered within this is abandoned and retried, as a backend's HTTP timeout does.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An operation with no definite answer after this many attempts is a violation (its outcome is unknown).</summary>
    public int MaxAttempts { get; init; } = 40;

    /// <summary>Prefix of this run's openids and bill_nos; defaults to one made from the clock, so runs never collide.</summary>
    public string? RunTag { get; init; }

    /// <summary>Progress lines (set-up, each checkpoint); null for none.</summary>
    public TextWriter? Progress { get; init; }

    public string Appid { get; init; } = "wx1234567";

    public string Secret { get; init; } = "midas-emulator-default-secret-0001";

    public string OfferId { get; init; } = "12345678";

    /// <summary>The sandbox AppKey of the default app: the soak uses the sandbox paths, as a game in development does.</summary>
    public string SandboxKey { get; init; } = "sAnDb0xKeyMidasEmulatorDefault01";
}
