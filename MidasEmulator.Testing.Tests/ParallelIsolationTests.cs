using System.Collections.Concurrent;

[assembly: CollectionBehavior(MaxParallelThreads = 8)]

namespace MidasEmulator.Testing.Tests;

/// <summary>
/// Eight test classes, each with its own in-process emulator (<see cref="MidasEmulatorFixture"/> as a class fixture),
/// run in parallel. Each pays the same bill_no for the same player: on a shared ledger seven of them would get 90012.
/// </summary>
public abstract class ParallelIsolationTests(MidasEmulatorFixture midas)
{
    private static readonly ConcurrentDictionary<int, string> Ports = new();
    private static int s_running;
    private static int s_maxRunning;

    [Fact]
    public async Task Pay_SameBillNoInEightEmulators_EachDeductsOnce()
    {
        Assert.True(Ports.TryAdd(midas.BaseAddress.Port, GetType().Name), $"port {midas.BaseAddress.Port} shared with {Ports.GetValueOrDefault(midas.BaseAddress.Port)}");
        var running = Interlocked.Increment(ref s_running);
        InterlockedMax(ref s_maxRunning, running);
        try
        {
            var game = midas.CreateGameClient();
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(0, (await game.PayAsync(MidasDefaults.DocPlayer, $"PARALLEL-{i}", 5)).Errcode());
                Assert.Equal(90012, (await game.PayAsync(MidasDefaults.DocPlayer, $"PARALLEL-{i}", 5)).Errcode());
            }
            // Overlap for a while, so the other classes' emulators are serving at the same time.
            await Task.Delay(200);

            Assert.Equal(1000 - 20 * 5, (await midas.Admin.AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
            Assert.Equal(20, (await midas.Admin.OrdersAsync(new() { Kind = "pay" })).Length);
            await midas.Admin.AssertBooksBalancedAsync();
        }
        finally
        {
            Interlocked.Decrement(ref s_running);
        }
    }

    /// <summary>The most classes seen running at once, for the benchmark's report.</summary>
    public static int MaxRunning => Volatile.Read(ref s_maxRunning);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

public sealed class ParallelIsolation1Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation2Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation3Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation4Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation5Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation6Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation7Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
public sealed class ParallelIsolation8Tests(MidasEmulatorFixture midas) : ParallelIsolationTests(midas), IClassFixture<MidasEmulatorFixture>;
