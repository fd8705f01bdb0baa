using System.Diagnostics;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// The emulator as users run it: `dotnet publish Emulator/Emulator.csproj -c Release` (framework-dependent) into a
/// temporary folder, once per test run as the fixture of the <see cref="LoadTests"/> collection. The folder holds
/// the seed beside the dll.
/// </summary>
public sealed class PublishedEmulator : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-published-").FullName;

    public string Dll => Path.Combine(_dir, "MidasEmulator.dll");

    public string SeedFile => EmulatorProcess.SeedFileBeside(Dll);

    public TimeSpan PublishTime { get; private set; }

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(root, "Emulator", "Emulator.csproj"), "-c", "Release", "-o", _dir, "-nodeReuse:false", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        // `dotnet test` runs this inside its own MSBuild's environment; a nested build must find its own SDK paths.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        var stopwatch = Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var limit = TimeSpan.FromMinutes(5);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Not left running after the tests, holding a core and the obj/ folders: its child processes go with it.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"dotnet publish did not finish within {limit.TotalMinutes} minutes; it was killed");
        }
        PublishTime = stopwatch.Elapsed;
        if (process.ExitCode != 0 || !File.Exists(Dll) || !File.Exists(SeedFile))
        {
            throw new InvalidOperationException($"dotnet publish exited {process.ExitCode}: {await errors}{await output}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The folder holding MidasEmulator.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MidasEmulator.sln")))
        {
            root = root.Parent;
        }
        return root?.FullName ?? throw new InvalidOperationException($"no MidasEmulator.sln above {AppContext.BaseDirectory}");
    }
}
