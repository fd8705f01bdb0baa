using MidasEmulator.Tests.Support;
using Xunit.Abstractions;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// The CI-sized soak (bench/soak.sh runs the full one): the soak driver against the built emulator as a real process,
/// over real sockets with real signatures, 20% of the WeChat calls faulted, about half the operations through virtual
/// payment 2.0 (pays, partial refunds, presents, getbalance) and the rest through Midas 1.0 on the same players. Nothing
/// may be lost, double-charged or refunded twice, whether a retry of a committed bill_no answers 90012 (Reject) or the
/// first reply again (Replay).
/// </summary>
// Slow: a soak of thousands of operations against a real process.
[Trait("Category", "Slow")]
[Collection(nameof(LoadTests))]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-soak-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("Reject")]
    [InlineData("Replay")]
    public async Task Soak_6000OperationsOver200Users_20PercentFaulted_EveryInvariantHolds(string billNoRepeat)
    {
        // Per-call log lines off: on two shared cores they would only slow the run; the soak reads the ledger, not the log.
        using var emulator = EmulatorProcess.Start(_dir, settings: ["--Logging:LogLevel:MidasEmulator.Calls=Warning", $"--Midas:BillNoRepeat={billNoRepeat}"]);
        using var http = await emulator.ConnectAsync();
        using var progress = new StringWriter();

        var result = await SoakRun.RunAsync(new SoakOptions
        {
            BaseAddress = emulator.BaseAddress,
            Operations = 6_000,
            Users = 200,
            FaultRate = 0.20,
            // Half the full soak's timeout (and so its long delays): the workers meet at each checkpoint, so every
            // abandoned call holds up the rest; 500 ms is still far above a normal call's few milliseconds.
            CallTimeout = TimeSpan.FromMilliseconds(500),
            EmulatorPid = emulator.Process.Id,
            // 4,200 operations after the 30% mark are too few to tell a small leak from warm-up; this catches a gross one.
            RssGrowthSlackMb = 64,
            MemoryVerdictMinOperations = 0,
            Progress = progress,
        });

        output.WriteLine(progress.ToString());
        output.WriteLine(result.Format());
        Assert.True(result.ViolationCount == 0, result.Format());
        Assert.Equal(6_000, result.Operations);
        Assert.Equal(10, result.CheckpointsDone);
        // The faults really happened, at about the rate asked for, and of every kind.
        Assert.InRange((double)result.FaultHits / result.CallsInScope, 0.16, 0.24);
        Assert.All(result.Faults, fault => Assert.True(fault.Value > 0, $"no {fault.Key} fired"));
        Assert.True(result.Counts.PayApplied > 0 && result.Counts.PayRefused > 0 && result.Counts.CancelPay > 0 && result.Counts.Present > 0 && result.Counts.Topup > 0, result.Format());
        Assert.True(result.Counts.Refund > 0 && result.Counts.RefundOverLimit > 0 && result.Counts.RefundBillNoRepeated > 0, result.Format());
        // Half of the getbalances, pays, presents and reversals asked for through 2.0: between a third and two thirds of those.
        Assert.InRange((double)result.Counts.ViaGamePay / (result.Operations - result.Counts.Topup), 0.33, 0.67);
        Assert.True(result.Passed, result.Format());
    }
}
