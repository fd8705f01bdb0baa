using Microsoft.Extensions.Options;
using MidasEmulator;
using MidasEmulator.Endpoints;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

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

// A typo such as Midas__Durability=ful stops the process with one sentence and exit code 2. Only a real
// process gets here: an in-process test host sees the exception itself.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    if (e.ExceptionObject is Exception ex && (ex is OptionsValidationException || ex.InnerException is FormatException or ArgumentException))
    {
        Console.Error.WriteLine($"midas-emulator: bad configuration: {ex.Message}{(ex.InnerException is { } inner ? " " + inner.Message : "")}");
        Environment.Exit(2);
    }
};

try
{
    app.Run();
}
catch (IOException ex)
{
    // The database cannot be opened (a path under a file, no permission, another emulator holding it) or the
    // port is taken: one sentence and exit 2, like a bad setting.
    Console.Error.WriteLine($"midas-emulator: {(ex is DatabaseOpenException ? "" : "cannot start: ")}{ex.Message}");
    return 2;
}
return 0;
