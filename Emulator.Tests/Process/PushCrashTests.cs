using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MidasEmulator.Tests.Pushes;
using MidasEmulator.Tests.Support;
using Xunit.Abstractions;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// Pushes survive a crash: a real emulator process with pushes pending (the game server refuses them for now) and
/// others just delivered is killed with SIGKILL; after a restart on the same file every pending push is delivered, and
/// no push that was settled before the kill is sent again.
/// </summary>
// Slow: two process starts and a kill.
[Trait("Category", "Slow")]
public sealed class PushCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Orders = 40;
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-push-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task KillNine_WithPushesPending_EveryPendingPushIsDeliveredAfterTheRestart_NoneSentAfterItWasSettled()
    {
        // The game server: answers success for "early" orders at once, and for "late" ones only after the restart.
        var acceptLate = false;
        var successes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var game = await GameServers.StartScriptedAsync((_, body) =>
        {
            var outTradeNo = OutTradeNoOf(body);
            if (outTradeNo.StartsWith("late", StringComparison.Ordinal) && !Volatile.Read(ref acceptLate))
            {
                return new Answer(503, "not now");
            }
            successes.AddOrUpdate(outTradeNo, 1, (_, n) => n + 1);
            return Answer.Success;
        });

        var emulator = EmulatorProcess.Start(_dir);
        HttpClient http;
        try
        {
            http = await emulator.ConnectAsync();
            var admin = http.AsAdmin();
            await admin.SetPushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Goods, game.Url.ToString(), GameServers.Token);
            for (var i = 0; i < Orders; i++)
            {
                await admin.BuyItemOnPhoneAsync($"o-crash-{i % 5}", "sword", 600, outTradeNo: $"early-{i:D3}");
            }
            await WaitAsync(admin, pushes => pushes.Count(p => p.Status == MidasPushStatus.Delivered) == Orders, "the early pushes delivered");
            for (var i = 0; i < Orders; i++)
            {
                await admin.BuyItemOnPhoneAsync($"o-crash-{i % 5}", "shield", 900, outTradeNo: $"late-{i:D3}");
            }
            await WaitAsync(admin, pushes => pushes.Count(p => p.OutTradeNo!.StartsWith("late", StringComparison.Ordinal) && p.Attempts.Count > 0) == Orders,
                "every late push tried once");
        }
        catch
        {
            emulator.Dispose();
            throw;
        }
        var settledBeforeKill = successes.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        emulator.Process.Kill();
        await emulator.Process.WaitForExitAsync();
        Assert.Equal(128 + 9, emulator.Process.ExitCode);
        emulator.Dispose();
        http.Dispose();
        Volatile.Write(ref acceptLate, true);

        using var restarted = EmulatorProcess.Start(_dir);
        using var http2 = await restarted.ConnectAsync();
        var admin2 = http2.AsAdmin();
        var afterRestart = await admin2.PushesAsync(new() { Limit = 1000 });
        await admin2.AdvanceClockAsync(TimeSpan.FromSeconds(15));
        var all = await WaitAsync(admin2, pushes => pushes.All(p => p.Status == MidasPushStatus.Delivered), "every push delivered after the restart");
        await admin2.AdvanceClockAsync(TimeSpan.FromDays(2));
        await Task.Delay(1000);
        var orders = await admin2.ClientOrdersAsync();

        Assert.Equal(2 * Orders, afterRestart.Length);
        Assert.Equal(Orders, afterRestart.Count(p => p.Status == MidasPushStatus.Pending && p.OutTradeNo!.StartsWith("late", StringComparison.Ordinal)));
        Assert.Equal(2 * Orders, all.Count);
        // Settled before the kill: not one more send, whatever the clock did after the restart.
        Assert.Equal(Orders, settledBeforeKill.Count);
        Assert.All(settledBeforeKill, kv => Assert.Equal(kv.Value, successes[kv.Key]));
        // Pending at the kill: delivered after the restart, and then never again.
        Assert.All(Enumerable.Range(0, Orders), i => Assert.Equal(1, successes[$"late-{i:D3}"]));
        Assert.All(orders, o => Assert.Equal(2, o.DeliverState));
        output.WriteLine($"{Orders} pushes settled before the kill, {Orders} pending at it; after the restart all {2 * Orders} delivered, each once");
    }

    private static async Task<IReadOnlyList<MidasPush>> WaitAsync(MidasAdminClient admin, Func<IReadOnlyList<MidasPush>, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var pushes = await admin.PushesAsync(new() { Limit = 1000 });
            if (until(pushes))
            {
                return pushes;
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {string.Join("; ", pushes.Take(5).Select(p => p.ToString()))}");
            await Task.Delay(100);
        }
    }

    private static string OutTradeNoOf(string body)
    {
        var envelope = JsonNode.Parse(body)!;
        return JsonNode.Parse(envelope["MiniGame"]!["Payload"]!.GetValue<string>())!["OutTradeNo"]!.GetValue<string>();
    }
}
