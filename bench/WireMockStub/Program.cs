using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

// The benchmark's yardstick (bench/run.sh): what a team would use instead of the emulator, a WireMock.Net
// server with one fixed mapping that answers every sandbox pay with the body of a successful pay.
// It checks no signature, keeps no ledger and writes nothing. Usage: WireMockStub PORT; stops on SIGTERM/Ctrl+C.
if (args.Length != 1 || !int.TryParse(args[0], out var port))
{
    Console.Error.WriteLine("usage: WireMockStub PORT");
    return 2;
}

var server = WireMockServer.Start(new WireMockServerSettings
{
    Urls = [$"http://127.0.0.1:{port}"],
    // WireMock keeps every request in its log by default; a 10 s run at 10k+ req/s would grow it without bound.
    MaxRequestLogCount = 1000,
    Logger = new WireMockNullLogger(),
});

// The same JSON the emulator answers for a successful pay (docs/wechat-api.md §4: pay replies bill_no, balance, used_gen_balance, used_gen_amt).
const string PayReply =
    """{"errcode":0,"errmsg":"ok","bill_no":"bench-stub-0001","balance":999999999,"used_gen_balance":0,"used_gen_amt":0}""";
server
    .Given(Request.Create().WithPath("/cgi-bin/midas/sandbox/pay").UsingPost())
    .RespondWith(Response.Create()
        .WithStatusCode(200)
        .WithHeader("Content-Type", "application/json; charset=utf-8")
        .WithBody(PayReply));

Console.WriteLine($"WireMock.Net stub listening on {string.Join(", ", server.Urls)}");

using var stop = new ManualResetEventSlim();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Set(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
stop.Wait();
server.Stop();
return 0;
