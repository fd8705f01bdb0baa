using Microsoft.Extensions.Options;
using MidasEmulator;
using MidasEmulator.Endpoints;
using MidasEmulator.Seeding;

// `--generate-seed PATH` writes the deterministic seed file and exits (README: "Regenerating the seed").
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

app.Run();
return 0;
