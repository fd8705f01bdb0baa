using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using MidasEmulator.Clock;

namespace MidasEmulator.Tests.Support;

/// <summary>
/// The emulator in-process through WebApplicationFactory (an in-memory test server, so a test can reach its services): an in-memory LiteDB (or the given file), the test seed (<see cref="TestSeedFile"/>), and a
/// fake clock the test can move. Settings are Midas:* keys, exactly as a user would configure them; a test about the
/// shipped seed itself sets Midas:SeedFile to <see cref="ShippedSeedFile"/> (<see cref="WithShippedSeed"/>).
/// </summary>
public class EmulatorApp(IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Midas:Database", ":memory:");
        builder.UseSetting("Midas:SeedFile", TestSeedFile);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<EmulatorClock>();
            services.AddSingleton(new EmulatorClock(Clock));
        });
    }

    /// <summary>The library's signing game-backend client, on the in-memory test server, reading ts from the fake clock.</summary>
    public MidasGameClient CreateGameBackend() => new(CreateClient(), clock: Clock);

    /// <summary>The library's admin client, on the in-memory test server.</summary>
    public MidasAdminClient CreateAdminClient() => new(CreateClient(), appid: MidasDefaults.Appid);
}

/// <summary>The emulator on a real Kestrel socket: for tests that must see real HTTP (and, later, dropped connections).</summary>
public sealed class KestrelEmulatorApp : EmulatorApp
{
    private KestrelEmulatorApp(IReadOnlyDictionary<string, string?>? settings) : base(settings)
    {
        UseKestrel(0);
        try
        {
            StartServer();
        }
        catch
        {
            Dispose(); // releases a database file the half-started host may hold, so a retry can open it
            throw;
        }
        if (BaseAddress.IsDefaultPort)
        {
            throw new InvalidOperationException($"Kestrel did not report its port: {BaseAddress}");
        }
    }

    /// <summary>
    /// Starts one, tried up to three times: under a loaded full run, WebApplicationFactory's port set-up can find the
    /// minimal-hosting server already started ("IServerAddressesFeature.Addresses cannot be modified after the server has
    /// started"), a start-up race of the factory, not of the emulator.
    /// </summary>
    public static KestrelEmulatorApp Start(IReadOnlyDictionary<string, string?>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new KestrelEmulatorApp(settings);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("IServerAddressesFeature", StringComparison.Ordinal))
            {
                // the failed factory is disposed; the next one binds a new port
            }
        }
    }

    /// <summary>A plain HttpClient over a real loopback socket, not the in-memory test server.</summary>
    public Uri BaseAddress => ClientOptions.BaseAddress;
}
