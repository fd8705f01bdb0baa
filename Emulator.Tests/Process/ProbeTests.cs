using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>`--probe`: the container's HEALTHCHECK, which cannot use curl (the runtime image has none).</summary>
// Slow: starts the emulator as a real process, and the probe as two more.
[Trait("Category", "Slow")]
public sealed class ProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Probe_HealthyEmulator_Exits0_AndANotListeningPortExits1()
    {
        using var emulator = EmulatorProcess.Start(_dir);
        (await emulator.ConnectAsync()).Dispose();

        var healthy = await EmulatorProcess.RunToEndAsync(["--probe", $"{emulator.BaseAddress}admin/health"]);
        var nobody = await EmulatorProcess.RunToEndAsync(["--probe", $"http://127.0.0.1:{EmulatorProcess.FreePort()}/admin/health"]);

        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("answered 200", healthy.Output, StringComparison.Ordinal);
        Assert.Equal(1, nobody.ExitCode);
    }

    [Fact]
    public async Task Probe_WithAnAdminToken_SendsTheTokenFromTheEnvironment()
    {
        var token = new Dictionary<string, string> { ["Midas__AdminToken"] = "probe-secret-1" };
        using var emulator = EmulatorProcess.Start(_dir, environment: token);
        (await emulator.ConnectAsync("probe-secret-1")).Dispose();
        var url = $"{emulator.BaseAddress}admin/health";

        var withToken = await EmulatorProcess.RunToEndAsync(["--probe", url], token);
        var without = await EmulatorProcess.RunToEndAsync(["--probe", url]);

        Assert.Equal(0, withToken.ExitCode);
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("answered 401", without.Output, StringComparison.Ordinal);
    }
}
