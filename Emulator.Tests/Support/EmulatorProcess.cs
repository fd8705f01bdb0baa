using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MidasEmulator.Tests.Support;

/// <summary>The built emulator as a real process on a loopback port and a file database, as `dotnet MidasEmulator.dll` runs it.</summary>
public sealed class EmulatorProcess : IDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly Task<string> _output;

    private EmulatorProcess(System.Diagnostics.Process process, int port)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public System.Diagnostics.Process Process => _process;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "MidasEmulator.dll");

    public static EmulatorProcess Start(string dataDir, int? port = null, IReadOnlyDictionary<string, string>? environment = null, params string[] settings) =>
        StartFrom(Dll, dataDir, port, environment, settings);

    /// <summary>
    /// Runs `dotnet DLL` (the test build's, or a published one) on <paramref name="dataDir"/>/midas.db with the seed file
    /// that sits beside the dll, as the publish folder and the image hold it.
    /// </summary>
    public static EmulatorProcess StartFrom(string dll, string dataDir, int? port = null, IReadOnlyDictionary<string, string>? environment = null, params string[] settings)
    {
        var chosen = port ?? FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{chosen}",
            $"--Midas:Database={Path.Combine(dataDir, "midas.db")}",
            $"--Midas:SeedFile={SeedFileBeside(dll)}", .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = System.Diagnostics.Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        return new EmulatorProcess(process, chosen);
    }

    public static string SeedFileBeside(string dll) => Path.Combine(Path.GetDirectoryName(dll)!, "seed-data", "seed.json");

    /// <summary>Everything the process wrote to standard output; completes once it has exited.</summary>
    public Task<string> OutputAsync() => _output;

    /// <summary>An HttpClient for the emulator once /admin/health answers 200.</summary>
    public async Task<HttpClient> ConnectAsync(string? adminToken = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        if (adminToken is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        }
        for (var attempt = 0; attempt < 300 && !_process.HasExited; attempt++)
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
        http.Dispose();
        throw new InvalidOperationException($"the emulator on port {Port} never became healthy");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Runs `dotnet MidasEmulator.dll ARGS` to its end and returns its exit code and what it wrote. A run past 30 s is
    /// killed (and the test fails) rather than left behind.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunToEndAsync(string[] args,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet MidasEmulator.dll {string.Join(' ', args)} did not end within 30 s");
        }
        return (process.ExitCode, await output, await errors);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
