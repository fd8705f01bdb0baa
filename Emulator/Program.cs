using MidasEmulator.Endpoints;
using MidasEmulator.Seeding;
using MidasEmulator.Ui;

namespace MidasEmulator;

/// <summary>
/// The emulator's entry point and its table of contents. A namespaced class with an explicit <c>Main</c>, not top-level
/// statements: a test project that references both the emulator and a game backend of its own would otherwise see two
/// global <c>Program</c> types (CS0433). Not static, so <c>WebApplicationFactory&lt;MidasEmulator.Program&gt;</c> can name it
/// (it finds <c>Main</c> through the assembly's entry point).
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static int Main(string[] args)
    {
        // `--generate-seed PATH` writes the deterministic seed file and exits (docs/contributing.md §8).
        if (SeedGenerator.TryRun(args))
        {
            return 0;
        }
        // `--probe [URL]` checks a running emulator's health and exits 0 or 1 (the container's HEALTHCHECK).
        if (HealthProbe.TryRun(args, out var probeExitCode))
        {
            return probeExitCode;
        }

        try
        {
            CreateApp(args).Run();
        }
        catch (Exception ex) when (StartupError.Describe(ex) is { } sentence)
        {
            // A bad setting (Midas__Durability=ful), a database that cannot be opened (a path under a file, no permission,
            // another emulator holding it), a broken seed file or a port in use: one sentence and exit 2, nothing before it
            // (the host's own multi-line report of the failure is filtered out in HostingExtensions).
            Console.Error.WriteLine($"midas-emulator: {sentence}");
            return 2;
        }
        return 0;
    }

    /// <summary>
    /// The emulator, built and mapped but not started: <see cref="Main"/> runs it, and MidasEmulator.Testing starts one
    /// per test class on a free port. <paramref name="configure"/> runs after <c>AddEmulator</c>, before the build.
    /// </summary>
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddEmulator();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseStatusCodePages();

        // /cgi-bin/token and /sns/jscode2session: the auth calls a game backend makes first.
        app.MapWeChatApi();
        // /cgi-bin/midas/{sandbox/}getbalance|pay|cancelpay|present: the Midas 1.0 surface.
        app.MapMidasApi();
        app.MapGamePayApi();
        // /admin/...: health, reset, apps, sessions, login codes, accounts, orders, faults, journal, clock, invariants.
        app.MapAdminApi();
        // /openapi/wechat.json, /openapi/admin.json and the /scalar page that shows them (/docs redirects there).
        app.MapApiReference();
        // /ui: the dashboard, a browser client of /admin (Emulator/Ui/assets, embedded in the assembly).
        app.MapUi();
        return app;
    }
}
