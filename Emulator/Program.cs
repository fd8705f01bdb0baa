using MidasEmulator;
using MidasEmulator.Endpoints;
using MidasEmulator.Seeding;

// `--generate-seed PATH` writes the deterministic seed file and exits (README: "Regenerating the seed").
if (SeedGenerator.TryRun(args))
{
    return;
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

app.Run();
