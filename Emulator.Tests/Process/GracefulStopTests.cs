using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>SIGTERM, as `docker stop` sends it: in-flight calls finish and are logged, LiteDB checkpoints, exit 0 within 5 s, nothing lost.</summary>
// Slow: a real process, stopped with SIGTERM and started again on its file.
[Trait("Category", "Slow")]
public sealed class GracefulStopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sigterm_DuringAPay_AnswersIt_Checkpoints_ExitsWith0Within5s_AndTheRestartHasThePay()
    {
        int port;
        using (var emulator = EmulatorProcess.Start(_dir))
        {
            port = emulator.Port;
            using var http = await emulator.ConnectAsync();
            var backend = new MidasGameClient(http, clock: TimeProvider.System);
            await backend.AccessTokenAsync();
            // The pay commits at once and is answered 1.5 s later: still in flight when SIGTERM arrives.
            await http.AsAdmin().AddFaultAsync(Fault.OnPay().Delay(TimeSpan.FromMilliseconds(1500)).AfterCommit());
            var pay = backend.PayAsync(MidasDefaults.DocPlayer, "STOP-1", 25);
            // Committed, so its reply is now held for 1.5 s: a fixed wait would assume how fast a busy machine gets here.
            var deadline = Stopwatch.StartNew();
            while ((await http.AsAdmin().OrdersAsync("bill_no=STOP-1")).Length == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }

            var stopwatch = Stopwatch.StartNew();
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", emulator.Process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await emulator.Process.WaitForExitAsync(timeout.Token);

            WireAssert.Ok(await pay);
            Assert.Equal(0, emulator.Process.ExitCode);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
            // Log lines are written in batches: the last call's line still made it out before the exit.
            var output = await emulator.OutputAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Contains(output.Split('\n'), line => line.Contains("MidasEmulator.Calls", StringComparison.Ordinal) && line.Contains("bill_no=STOP-1", StringComparison.Ordinal));
        }

        // The checkpoint moved everything into the data file: the log is empty or gone.
        var log = new FileInfo(Path.Combine(_dir, "midas-log.db"));
        Assert.True(!log.Exists || log.Length == 0, $"the log still holds {log.Length} bytes");
        using var restarted = EmulatorProcess.Start(_dir, port);
        using var admin = await restarted.ConnectAsync();
        Assert.Single(await admin.AsAdmin().OrdersAsync("bill_no=STOP-1&kind=pay"));
        Assert.Equal(1000 - 25, (await admin.AsAdmin().AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
    }
}
