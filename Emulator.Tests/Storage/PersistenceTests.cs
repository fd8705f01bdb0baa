using System.Net.Http.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Storage;

/// <summary>Balances, orders, sessions and tokens survive a restart on the same LiteDB file.</summary>
public sealed class PersistenceTests : IDisposable
{
    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-persist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EmulatorApp StartOnFile(string durability = "Process") => new(new Dictionary<string, string?>
    {
        ["Midas:Database"] = Path.Combine(_dir, "midas.db"),
        ["Midas:Durability"] = durability,
    });

    [Theory]
    [InlineData("Process")]
    [InlineData("Full")]
    public async Task Restart_SameFile_KeepsBalancesOrdersSessionsAndTokens(string durability)
    {
        string token;
        using (var first = StartOnFile(durability))
        {
            var backend = first.CreateGameBackend();
            token = await backend.AccessTokenAsync();
            WireAssert.Ok(await backend.PayAsync(User, "R-1", 150));
            WireAssert.Ok(await backend.PresentAsync(User, "R-2", 20));
            WireAssert.Ok(await backend.PayAsync(User, "R-3", 5));
            WireAssert.Ok(await backend.CancelPayAsync(User, "R-3"));
        }

        using var second = StartOnFile(durability);
        var again = second.CreateGameBackend();
        var balance = await again.CallAsync("getbalance", User, [], accessToken: token);

        WireAssert.Ok(balance);
        Assert.Equal((870, 20, 150), (balance.Number("balance"), balance.Number("gen_balance"), balance.Number("cost_sum")));
        WireAssert.Code(90012, await again.CallAsync("pay", User, new() { ["amt"] = 150L, ["bill_no"] = "R-1" }, accessToken: token));
        WireAssert.Code(90015, await again.CallAsync("cancelpay", User, new() { ["bill_no"] = "R-3" }, accessToken: token));
        var orders = await second.CreateClient().AsAdmin().OrdersAsync($"openid={User.Openid}");
        Assert.Equal(["set", "pay", "present", "pay", "cancel"], orders.Select(o => o.Kind));
    }

    [Fact]
    public async Task Restart_SameFile_DoesNotReseed()
    {
        using (var first = StartOnFile())
        {
            await first.CreateClient().AsAdmin().SetBalanceAsync(User.Openid, 3, 0);
        }

        using var second = StartOnFile();

        Assert.Equal(3, (await second.CreateClient().AsAdmin().AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task NewOrders_AfterRestart_ContinueTheIdSequence()
    {
        using (var first = StartOnFile())
        {
            WireAssert.Ok(await first.CreateGameBackend().PayAsync(User, "ID-1", 1));
        }
        using var second = StartOnFile();
        WireAssert.Ok(await second.CreateGameBackend().PayAsync(User, "ID-2", 1));

        var ids = (await second.CreateClient().AsAdmin().OrdersAsync("kind=pay")).Select(o => o.Id).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.True(ids[1] > ids[0]);
    }

    [Fact]
    public async Task Restart_AfterA20PartialRefund_A10CancelReturnsOnlyWhatIsLeft()
    {
        // The cancel reads an unrefunded pay from the bill_no memory; the memory a restart rebuilds must still know
        // this pay was refunded, or the cancel would give back the whole pay a second time.
        using (var first = StartOnFile())
        {
            var game = new MidasGamePayClient(first.CreateClient(), clock: first.Clock);
            WireAssert.Ok(await game.PayAsync(User, "RF-1", 300)); // 100 gift + 200 paid
            WireAssert.Ok(await game.RefundAsync(User, "RF-R1", "RF-1", 120)); // the 100 gift first, then 20 paid
            WireAssert.Ok(await game.PayAsync(User, "RF-2", 50));
        }
        using var second = StartOnFile();
        var backend = second.CreateGameBackend();

        WireAssert.Ok(await backend.CancelPayAsync(User, "RF-1"));
        WireAssert.Ok(await backend.CancelPayAsync(User, "RF-2"));

        var account = await second.CreateClient().AsAdmin().AccountAsync(User.Openid);
        Assert.Equal((1000L, 100L, 0L), (account.Balance, account.GenBalance, account.CostSum));
        var cancels = (await second.CreateClient().AsAdmin().OrdersAsync("kind=cancel")).Select(o => (o.BillNo, o.Amt, o.GenAmt));
        Assert.Equal([("RF-1", 180L, 0L), ("RF-2", 50L, 50L)], cancels);
        await second.CreateClient().AsAdmin().AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task Restart_After48Hours_KeepsOnlyLiveBillNosInMemory_ButAnOldPayStillAnswers90014()
    {
        using (var first = StartOnFile())
        {
            WireAssert.Ok(await first.CreateGameBackend().PayAsync(User, "OLD-1", 10));
        }
        using var second = StartOnFile();
        second.Clock.Advance(TimeSpan.FromHours(49));
        var backend = second.CreateGameBackend();
        var admin = second.CreateClient();
        var secondPlayer = await admin.AsAdmin().LoginAsync("oSecondPlayer01", "c2Vjb25kIHBsYXllcg==");
        await admin.AsAdmin().TopupAsync("oSecondPlayer01", 50);

        // Forgotten after 48 h, so another player may use the bill_no again; the old pay still cannot be cancelled.
        WireAssert.Ok(await backend.PayAsync(secondPlayer, "OLD-1", 10));
        WireAssert.Code(90014, await backend.CancelPayAsync(User, "OLD-1"));
        Assert.Equal(990, (await admin.AsAdmin().AccountAsync(User.Openid)).Balance);
    }
}
