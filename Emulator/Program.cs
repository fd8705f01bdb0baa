using MidasEmulator;
using MidasEmulator.Endpoints;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;
using MidasEmulator.Ui;

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

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddEmulator();

var app = builder.Build();
app.UseStatusCodePages();

// /cgi-bin/token and /sns/jscode2session: the auth calls a game backend makes first.
app.MapWeChatApi();
// /cgi-bin/midas/{sandbox/}getbalance|pay|cancelpay|present: the Midas 1.0 surface.
app.MapMidasApi();
// /admin/...: health, reset, apps, sessions, login codes, accounts, orders.
app.MapAdminApi();
// /openapi/wechat.json, /openapi/admin.json and the /scalar page that shows them (/docs redirects there).
app.MapApiReference();
// /ui: the dashboard, a browser client of /admin (Emulator/Ui/assets, embedded in the assembly).
app.MapUi();

try
{
    app.Run();
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
