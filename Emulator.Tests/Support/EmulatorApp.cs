using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// The emulator in-process through the library users get (MidasEmulator.Testing's <see cref="MidasEmulatorServer"/>, on
/// a real loopback socket): an in-memory LiteDB (or the given file), the test seed (<see cref="TestSeedFile"/>), and a
/// fake clock the test can move. Settings are Midas:* keys, exactly as a user would configure them; a test about the
/// shipped seed itself sets Midas:SeedFile to <see cref="ShippedSeedFile"/> (<see cref="WithShippedSeed"/>). It starts on
/// first use, so an app only derived from (<see cref="WithServices"/>) never starts.
/// </summary>
public class EmulatorApp : IDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly Lazy<MidasEmulatorServer> _server;

    public EmulatorApp(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        _services = services;
        _server = new Lazy<MidasEmulatorServer>(Start);
    }

    /// <summary>
    /// MidasEmulator.Testing/Seeds/small.json (MidasSeed.Small), copied as test-seed.json: the default app and the first three users of seed-data/seed.json (<see cref="DocUser"/>
    /// first), so a start-up loads three accounts, not three hundred.
    /// </summary>
    public static string TestSeedFile => Path.Combine(AppContext.BaseDirectory, "test-seed.json");

    /// <summary>seed-data/seed.json, the 300-user seed the emulator ships with.</summary>
    public static string ShippedSeedFile => Path.Combine(AppContext.BaseDirectory, "seed-data", "seed.json");

    /// <summary>The emulator on the shipped 300-user seed, for the tests about that seed.</summary>
    public static EmulatorApp WithShippedSeed() => new(new Dictionary<string, string?> { ["Midas:SeedFile"] = ShippedSeedFile });

    // Starts at a fixed instant so expiries are exact; tests advance it.
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress => _server.Value.BaseAddress;

    /// <summary>The emulator's services, for tests that reach inside.</summary>
    public IServiceProvider Services => _server.Value.Services;

    /// <summary>A new HttpClient on the emulator; the caller disposes it.</summary>
    public HttpClient CreateClient() => _server.Value.CreateClient();

    /// <summary>The same emulator set-up (settings, seed), a new instance, with <paramref name="services"/> changed too.</summary>
    public EmulatorApp WithServices(Action<IServiceCollection> services) => new(_settings, services);

    /// <summary>The library's signing game-backend client, reading ts from the fake clock.</summary>
    public MidasGameClient CreateGameBackend() => new(CreateClient(), clock: Clock);

    /// <summary>The library's admin client.</summary>
    public MidasAdminClient CreateAdminClient() => new(CreateClient(), appid: MidasDefaults.Appid);

    private MidasEmulatorServer Start()
    {
        var options = new MidasEmulatorServerOptions { SeedFile = TestSeedFile, Clock = Clock, ConfigureServices = _services };
        foreach (var (key, value) in _settings)
        {
            options.Settings[key] = value;
        }
        // Off the caller's synchronization context: a test constructor or property must not deadlock on the start.
        return Task.Run(() => MidasEmulatorServer.StartAsync(options)).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            Task.Run(() => _server.Value.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The emulator started at once, for tests that hold its address before any call (all emulators listen on a real socket now).</summary>
public sealed class KestrelEmulatorApp : EmulatorApp
{
    private KestrelEmulatorApp(IReadOnlyDictionary<string, string?>? settings) : base(settings)
    {
    }

    public static KestrelEmulatorApp Start(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new KestrelEmulatorApp(settings);
        _ = app.BaseAddress;
        return app;
    }
}
