using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>SIGTERM, as `docker stop` sends it: in-flight calls finish, LiteDB checkpoints, exit 0 within 5 s, nothing lost.</summary>
public sealed class GracefulStopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sigterm_DuringAPay_AnswersIt_Checkpoints_ExitsWith0Within5s_AndTheRestartHasThePay()
    {
        var port = FreePort();
        using (var emulator = Start(port))
        {
            using var http = await ConnectAsync(emulator, port);
            var backend = new GameBackend(http, TimeProvider.System);
            await backend.AccessTokenAsync();
            // The pay commits at once and is answered 1.5 s later: still in flight when SIGTERM arrives.
            using (var fault = await http.PostAsJsonAsync("/admin/faults", new { endpoint = "pay", action = "delay", delay_ms = 1500, after_commit = true }))
            {
                fault.EnsureSuccessStatusCode();
            }
            var pay = backend.PayAsync(EmulatorApp.DocUser, "STOP-1", 25);
            await Task.Delay(500);

            var stopwatch = Stopwatch.StartNew();
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", emulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await emulator.WaitForExitAsync(timeout.Token);

            WireAssert.Ok(await pay);
            Assert.Equal(0, emulator.ExitCode);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        }

        // The checkpoint moved everything into the data file: the log is empty or gone.
        var log = new FileInfo(Path.Combine(_dir, "midas-log.db"));
        Assert.True(!log.Exists || log.Length == 0, $"the log still holds {log.Length} bytes");
        using var restarted = Start(port);
        using var admin = await ConnectAsync(restarted, port);
        Assert.Single(await admin.OrdersAsync("bill_no=STOP-1&kind=pay"));
        Assert.Equal(1000 - 25, (await admin.AccountAsync(EmulatorApp.DocUser.Openid)).Number("balance"));
        restarted.Kill();
    }

    private System.Diagnostics.Process Start(int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MidasEmulator.dll"),
            "--urls", $"http://127.0.0.1:{port}", $"--Midas:Database={Path.Combine(_dir, "midas.db")}",
            $"--Midas:SeedFile={Path.Combine(AppContext.BaseDirectory, "seed-data", "seed.json")}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        var process = System.Diagnostics.Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static async Task<HttpClient> ConnectAsync(System.Diagnostics.Process emulator, int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var attempt = 0; attempt < 300 && !emulator.HasExited; attempt++)
        {
            try
            {
                using var health = await http.GetAsync("/admin/health");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return http;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"the emulator on port {port} never became healthy");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
