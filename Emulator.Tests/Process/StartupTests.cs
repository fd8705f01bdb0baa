using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>The emulator as a real process, the way `dotnet run` and the container start it.</summary>
// Slow: each case starts the emulator as a real process.
[Trait("Category", "Slow")]
public sealed class StartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task DatabaseThatCannotBeOpened_ExitsWith2AndASentenceNamingIt()
    {
        var underAFile = Path.Combine(_dir, "a-file", "midas.db");
        await File.WriteAllTextAsync(Path.Combine(_dir, "a-file"), "not a directory");

        var (exitCode, line) = await RunAsync($"--Midas:Database={underAFile}");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("midas-emulator: cannot open the database", line, StringComparison.Ordinal);
        Assert.Contains(underAFile, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Midas:Durability=ful", "Midas:Durability")]
    [InlineData("--Midas:BillNoTtlHours=0", "BillNoTtlHours")]
    [InlineData("--Midas:MpSigPolicy=sometimes", "Midas:MpSigPolicy")]
    public async Task BadConfiguration_ExitsWith2AndASentenceNamingTheSetting(string setting, string named)
    {
        var (exitCode, line) = await RunAsync($"--Midas:Database={Path.Combine(_dir, "midas.db")}", setting);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("midas-emulator: bad configuration:", line, StringComparison.Ordinal);
        Assert.Contains(named, line);
    }

    [Theory]
    [InlineData("{\"apps\":[],\"apps\":[]}", "Duplicate property 'apps'")]
    [InlineData("{\"apps\":[", "apps")]
    [InlineData("{\"apps\":[]}", "needs both")]
    [InlineData("{\"apps\":[null],\"users\":[]}", "apps[0] needs an appid")]
    [InlineData("{\"apps\":[{\"appid\":\"wx1\",\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"}],\"users\":[{\"openid\":\"o1\",\"session_key\":\"k\",\"balance\":1,\"gen_balance\":2}]}", "gen_balance <= balance")]
    [InlineData("{\"apps\":[],\"users\":[{\"openid\":\"o1\",\"session_key\":\"k\",\"balance\":1,\"gen_balance\":0}]}", "the seed has no apps")]
    public async Task BrokenSeedFile_ExitsWith2AndASentenceNamingTheFile(string seed, string named)
    {
        var seedFile = Path.Combine(_dir, "seed.json");
        await File.WriteAllTextAsync(seedFile, seed);

        var (exitCode, line) = await RunAsync($"--Midas:Database={Path.Combine(_dir, "midas.db")}", $"--Midas:SeedFile={seedFile}");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("midas-emulator: cannot start: the seed file", line, StringComparison.Ordinal);
        Assert.Contains(seedFile, line);
        Assert.Contains(named, line);
    }

    [Fact]
    public async Task BrokenSeedFile_WritesNothing_SoTheFixedOneLoadsOnTheNextStart()
    {
        var database = Path.Combine(_dir, "midas.db");
        var seedFile = Path.Combine(_dir, "seed.json");
        // A good app and user first, then a user whose app the seed does not register.
        await File.WriteAllTextAsync(seedFile, """
            {"apps":[{"appid":"wxhalf","secret":"s","offer_id":"1","app_key":"k"}],
             "users":[{"openid":"oFirst","session_key":"k","balance":5,"gen_balance":0},
                      {"openid":"oSecond","session_key":"k","balance":5,"gen_balance":0,"appid":"wxother"}]}
            """);

        var (exitCode, _) = await RunAsync($"--Midas:Database={database}", $"--Midas:SeedFile={seedFile}");

        Assert.Equal(2, exitCode);
        using var emulator = EmulatorProcess.Start(_dir);
        using var admin = await emulator.ConnectAsync();
        var apps = await admin.GetStringAsync("/admin/apps");
        Assert.DoesNotContain("wxhalf", apps, StringComparison.Ordinal);
        Assert.Contains(MidasDefaults.Appid, apps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_ExitsWith2AndASentenceNamingTheAddress()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var (exitCode, line) = await RunAsync($"--Midas:Database={Path.Combine(_dir, "midas.db")}", "--urls", url);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("midas-emulator: cannot start:", line, StringComparison.Ordinal);
        Assert.Contains(url, line, StringComparison.Ordinal);
    }

    /// <summary>Runs the emulator to its end; a start-up error must be its whole output: one line on stderr, nothing before it.</summary>
    private async Task<(int ExitCode, string Line)> RunAsync(params string[] settings)
    {
        var (exitCode, output, errors) = await EmulatorProcess.RunToEndAsync(["--urls", "http://127.0.0.1:0", .. settings], workingDirectory: _dir);
        if (exitCode == 0)
        {
            return (exitCode, "");
        }
        Assert.True(output.Trim().Length == 0, $"the failed start wrote to stdout: {output}");
        return (exitCode, Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }
}
