using System.Net.Sockets;

namespace MidasEmulator.Testing.Tests;

public class MidasEmulatorServerTests
{
    [Fact]
    public async Task StartAsync_DefaultSeed_ListensOnLoopbackWith300Players()
    {
        await using var server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.Default });

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.Equal("ok", (await server.Admin.HealthAsync()).Status);
        Assert.Equal(300, (await server.Admin.InvariantsAsync()).Accounts);
        Assert.Equal(1000, (await server.Admin.AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
    }

    [Fact]
    public async Task StartAsync_NoOptions_LoadsTheSmallSeedsThreePlayers()
    {
        await using var server = await MidasEmulatorServer.StartAsync();

        Assert.Equal(3, (await server.Admin.InvariantsAsync()).Accounts);
    }

    [Fact]
    public async Task StartAsync_NoSeed_HasNoApp()
    {
        await using var server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.None });

        Assert.Empty(await server.Admin.AppsAsync());
    }

    [Fact]
    public async Task StartAsync_WithSetting_AppliesIt()
    {
        await using var server = await MidasEmulatorServer.StartAsync(new MidasEmulatorServerOptions { Seed = MidasSeed.Small }
            .With("Midas:BillNoRepeat", "Replay"));
        var game = server.CreateGameClient();

        var first = await game.PayAsync(MidasDefaults.DocPlayer, "REPLAY-1", 10);
        var again = await game.PayAsync(MidasDefaults.DocPlayer, "REPLAY-1", 10);

        Assert.Equal(0, first.Errcode());
        Assert.Equal(0, again.Errcode()); // Replay: the stored reply, not 90012
        Assert.Equal(990, (await server.Admin.AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
    }

    [Fact]
    public async Task StartAsync_AppsettingsBesideTheTests_NotRead()
    {
        // appsettings.json in this project's output says BillNoRepeat=Replay and a Kestrel endpoint on port 1.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
        await using var server = await MidasEmulatorServer.StartAsync();
        var game = server.CreateGameClient();

        await game.PayAsync(MidasDefaults.DocPlayer, "APPSETTINGS-1", 1);

        Assert.Equal(90012, (await game.PayAsync(MidasDefaults.DocPlayer, "APPSETTINGS-1", 1)).Errcode());
    }

    [Fact]
    public async Task StartAsync_AdminTokenSetting_RequiresTheToken()
    {
        await using var server = await MidasEmulatorServer.StartAsync(new MidasEmulatorServerOptions { Seed = MidasSeed.Small }
            .With("Midas:AdminToken", "t0ken"));

        var refused = await Assert.ThrowsAsync<MidasAdminException>(() => server.Admin.HealthAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("ok", (await server.CreateAdminClient("t0ken").HealthAsync()).Status);
    }

    [Fact]
    public async Task StartAsync_FileDatabase_KeepsTheLedgerAcrossServers()
    {
        var file = Path.Combine(Path.GetTempPath(), $"midas-testing-{Guid.NewGuid():N}.db");
        try
        {
            await using (var first = await MidasEmulatorServer.StartAsync(new() { Database = file, Seed = MidasSeed.Small }))
            {
                await first.Admin.TopupAsync(MidasDefaults.DocPlayer.Openid, 5);
            }
            await using var second = await MidasEmulatorServer.StartAsync(new() { Database = file, Seed = MidasSeed.Small });

            Assert.Equal(1005, (await second.Admin.AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
        }
        finally
        {
            foreach (var path in Directory.GetFiles(Path.GetTempPath(), Path.GetFileNameWithoutExtension(file) + "*"))
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public async Task DisposeAsync_Running_FreesThePort()
    {
        var server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.Small });
        var port = server.BaseAddress.Port;

        await server.DisposeAsync();
        await server.DisposeAsync(); // twice is harmless

        using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start(); // would throw "address in use" if the emulator still held it
    }

    [Fact]
    public async Task Clock_FakeTimeProvider_DrivesTheEmulatorsTime()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var server = await MidasEmulatorServer.StartAsync(new() { Seed = MidasSeed.Small, Clock = new FixedClock(start) });

        Assert.Equal(start, (await server.Admin.ClockAsync()).Now);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
