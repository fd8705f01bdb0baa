using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>Concurrent pays over a real loopback socket: the single writer decides every bill_no exactly once.</summary>
public class ConcurrencyTests
{
    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;

    private static async Task<(JsonElement[] Replies, MidasGameClient Backend, HttpClient Admin)> PayConcurrentlyAsync(
        KestrelEmulatorApp app, long startBalance, int bills, int sendsPerBill, long amt)
    {
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        await http.AsAdmin().SetBalanceAsync(User.Openid, startBalance, 0);
        var backend = new MidasGameClient(http, clock: app.Clock);
        await backend.AccessTokenAsync();
        var calls = Enumerable.Range(0, bills * sendsPerBill)
            .Select(i => $"C-{i % bills:D3}")
            .OrderBy(_ => Random.Shared.Next())
            .Select(billNo => Task.Run(() => backend.PayAsync(User, billNo, amt)));
        return (await Task.WhenAll(calls), backend, http);
    }

    [Fact]
    public async Task Pay_200ConcurrentCallsOf50BillNos_DeductsExactly50Orders()
    {
        using var app = KestrelEmulatorApp.Start();

        var (replies, _, admin) = await PayConcurrentlyAsync(app, startBalance: 10_000, bills: 50, sendsPerBill: 4, amt: 7);

        Assert.Equal(50, replies.Count(r => r.Errcode() == 0));
        Assert.Equal(150, replies.Count(r => r.Errcode() == 90012));
        Assert.Equal(10_000 - 50 * 7, (await admin.AsAdmin().AccountAsync(User.Openid)).Balance);
        var pays = await admin.AsAdmin().OrdersAsync("kind=pay&limit=1000");
        Assert.Equal(50, pays.Length);
        Assert.Equal(50, pays.Select(o => o.BillNo).Distinct().Count());
    }

    [Fact]
    public async Task Pay_ConcurrentCallsBeyondBalance_NeverGoNegative()
    {
        using var app = KestrelEmulatorApp.Start();

        // Enough for 30 of the 50 orders: the rest must be refused with 90013, never overdrawn.
        var (replies, _, admin) = await PayConcurrentlyAsync(app, startBalance: 30 * 7, bills: 50, sendsPerBill: 4, amt: 7);

        var paidBills = replies.Where(r => r.Errcode() == 0).Select(r => r.GetProperty("bill_no").GetString()).ToList();
        Assert.Equal(30, paidBills.Count);
        Assert.Equal(30, paidBills.Distinct().Count());
        Assert.All(replies, r => Assert.True(r.Errcode() is 0 or 90012 or 90013, r.ToString()));
        Assert.All(replies.Where(r => r.TryGetProperty("balance", out _)), r => Assert.True(r.Number("balance") >= 0));
        Assert.Equal(0, (await admin.AsAdmin().AccountAsync(User.Openid)).Balance);
        Assert.Equal(30, (await admin.AsAdmin().OrdersAsync("kind=pay&limit=1000")).Length);
    }

    [Fact]
    public async Task CancelPay_ConcurrentCancelsOfOnePay_RefundOnce()
    {
        using var app = KestrelEmulatorApp.Start();
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        var backend = new MidasGameClient(http, clock: app.Clock);
        WireAssert.Ok(await backend.PayAsync(User, "CC-1", 100));

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => backend.CancelPayAsync(User, "CC-1"))));

        Assert.Single(replies, r => r.Errcode() == 0);
        Assert.All(replies.Where(r => r.Errcode() != 0), r => WireAssert.Code(90015, r));
        Assert.Equal(1000, (await http.AsAdmin().AccountAsync(User.Openid)).Balance);
    }
}
