using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MidasEmulator.Clock;

namespace MidasEmulator.Testing;

/// <summary>
/// The emulator in this process, on a real Kestrel socket on a free loopback port, with its own ledger (in memory
/// unless told otherwise). Any number can run at once, each isolated: a test class, or a test, gets its own.
/// <see cref="DisposeAsync"/> stops it as SIGTERM stops the process: in-flight calls finish, the ledger is flushed.
/// </summary>
public sealed class MidasEmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _adminHttp;
    private int _disposed;

    private MidasEmulatorServer(WebApplication app, Uri baseAddress, TimeSpan startTime)
    {
        _app = app;
        BaseAddress = baseAddress;
        StartTime = startTime;
        _adminHttp = CreateClient();
        Admin = new MidasAdminClient(_adminHttp);
    }

    /// <summary>Where it listens: <c>http://127.0.0.1:PORT/</c>. Give it to the code under test as api.weixin.qq.com.</summary>
    public Uri BaseAddress { get; }

    /// <summary>How long <see cref="StartAsync"/> took, from building the host to listening.</summary>
    public TimeSpan StartTime { get; }

    /// <summary>An admin client on this server (its HttpClient is the server's; do not dispose it).</summary>
    public MidasAdminClient Admin { get; }

    /// <summary>The emulator's services, for tests that reach inside.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts an emulator; dispose it to stop it.</summary>
    public static async Task<MidasEmulatorServer> StartAsync(MidasEmulatorServerOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new MidasEmulatorServerOptions();
        var started = Stopwatch.GetTimestamp();
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            // An empty content root of its own: the test project's appsettings.json is not the emulator's.
            $"--contentRoot={SeedFiles.Directory}",
            $"--Midas:Database={options.Database}",
            $"--Midas:SeedFile={options.SeedFile ?? SeedFiles.PathOf(options.Seed)}",
            $"--Logging:LogLevel:Default={options.MinimumLogLevel}",
            $"--Logging:LogLevel:Microsoft.Hosting.Lifetime={options.MinimumLogLevel}",
        };
        args.AddRange(options.Settings.Select(s => $"--{s.Key}={s.Value}"));
        var app = Program.CreateApp([.. args], builder =>
        {
            // The emulator's defaults file is read from beside the binary: here the test project's output folder, where
            // the backend under test's own appsettings.json may sit (Kestrel endpoints and all). The arguments above
            // carry every default instead.
            foreach (var json in builder.Configuration.Sources.OfType<JsonConfigurationSource>().ToList())
            {
                builder.Configuration.Sources.Remove(json);
            }
            if (options.Clock is { } clock)
            {
                builder.Services.RemoveAll<EmulatorClock>();
                builder.Services.AddSingleton(new EmulatorClock(clock));
            }
            options.ConfigureServices?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MidasEmulatorServer(app, new Uri(address.TrimEnd('/') + "/"), Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A new HttpClient on <see cref="BaseAddress"/>; the caller disposes it.</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new() { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(100) };

    /// <summary>A new admin client on its own HttpClient, sending <paramref name="adminToken"/> when the server has one set.</summary>
    public MidasAdminClient CreateAdminClient(string? adminToken = null) => new(CreateClient(), adminToken);

    /// <summary>A game-backend client (token, jscode2session, signed Midas calls) on its own HttpClient.</summary>
    public MidasGameClient CreateGameClient(MidasAppCredentials? app = null, TimeProvider? clock = null) => new(CreateClient(), app, clock);

    /// <summary>A virtual payment 2.0 game-backend client (signed /wxa/game/* calls) on its own HttpClient.</summary>
    public MidasGamePayClient CreateGamePayClient(MidasAppCredentials? app = null, TimeProvider? clock = null) => new(CreateClient(), app, clock);

    /// <summary>Stops the emulator gracefully (in-flight calls finish, the ledger is checkpointed) and frees the port.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _adminHttp.Dispose();
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The embedded seeds, written once per process and version to a folder of their own under the temp directory.</summary>
    private static class SeedFiles
    {
        private static readonly Lock Gate = new();

        public static string Directory { get; } = CreateDirectory();

        public static string PathOf(MidasSeed seed) => seed switch
        {
            MidasSeed.None => "",
            MidasSeed.Small => Extract("small"),
            _ => Extract("default"),
        };

        private static string CreateDirectory()
        {
            var version = typeof(MidasEmulatorServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
            var directory = Path.Combine(Path.GetTempPath(), "midas-emulator-testing",
                string.Concat(version.Split(Path.GetInvalidFileNameChars())).Replace('+', '-'));
            System.IO.Directory.CreateDirectory(directory);
            return directory;
        }

        private static string Extract(string name)
        {
            var path = Path.Combine(Directory, $"seed-{name}.json");
            lock (Gate)
            {
                if (!File.Exists(path))
                {
                    // Written beside, then moved: another test process extracting at the same moment never sees half a file.
                    var partial = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
                    using (var resource = typeof(MidasEmulatorServer).Assembly.GetManifestResourceStream($"MidasEmulator.Testing.Seeds.{name}.json")!)
                    using (var file = File.Create(partial))
                    {
                        resource.CopyTo(file);
                    }
                    File.Move(partial, path, overwrite: true);
                }
            }
            return path;
        }
    }
}
