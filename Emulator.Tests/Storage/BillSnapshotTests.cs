using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Tests.Storage;

/// <summary>
/// The start-up path of docs/architecture.md §2.2: the bill_no memory comes back from the snapshot plus the orders after
/// it, never from a scan of the ledger, and a snapshot that does not fit the ledger, the settings or the time is ignored.
/// </summary>
public sealed class BillSnapshotTests : IDisposable
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private readonly string _dir = Directory.CreateTempSubdirectory("midas-bills-").FullName;
    private FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly MoneyRules _rules = new(new MoneyRuleSettings());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DatabasePath => Path.Combine(_dir, "midas.db");

    private sealed class Running(LiteDbStore store, LedgerState state, LedgerWriter writer) : IAsyncDisposable
    {
        public LedgerState State => state;
        public LedgerWriter Writer => writer;
        public LiteDbStore Store => store;

        public async Task<CommitResult> RunAsync(MidasCommand command) => await writer.SubmitAsync(command);

        public Task<int> SnapshotAsync() => writer.RunBetweenCommitsAsync(() =>
        {
            writer.SaveBillSnapshot();
            return 0;
        });

        /// <summary>Like a kill: no snapshot at the end (LiteDB's log keeps every commit, as after SIGKILL).</summary>
        public async ValueTask DisposeAsync()
        {
            await writer.StopAsync();
            store.Dispose();
        }
    }

    private (Running Running, BillLoad Load) Open(string? path = null)
    {
        var store = new LiteDbStore(path ?? DatabasePath, Durability.Process, NullLogger<LiteDbStore>.Instance);
        var state = new LedgerState();
        var writer = new LedgerWriter(store, state, _rules, _time, NullLogger<LedgerWriter>.Instance);
        var data = store.Load();
        foreach (var account in data.Accounts)
        {
            state.Publish(account);
        }
        state.SetLastOrderId(data.LastOrderId);
        var load = writer.LoadLiveBills(_time.GetUtcNow());
        writer.Start();
        return (new Running(store, state, writer), load);
    }

    private Order? Bill(LedgerState state, string billNo) => state.FindBill(_rules.BillKey(Alice, billNo));

    private static async Task PayAsync(Running running, string billNo, long amt = 10) =>
        Assert.True((await running.RunAsync(new PayCommand(Alice, "wx1", billNo, amt, null, null))).Reply.IsOk);

    [Fact]
    public async Task Restart_AfterARefundPastTheSnapshot_RemembersWhatItGaveBack_AndTheRefundItself()
    {
        var (first, _) = Open();
        await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 100));
        await PayAsync(first, "B1", 300);
        await first.SnapshotAsync();
        Assert.True((await first.RunAsync(new RefundCommand(Alice, "wx1", "R1", "B1", 120))).Reply.IsOk);
        await first.DisposeAsync(); // killed: the snapshot predates the refund

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((true, 1), (load.FromSnapshot, load.OrdersRead));
        Assert.Equal((120L, 100L), (Bill(second.State, "B1")!.RefundedAmt, Bill(second.State, "B1")!.RefundedGenAmt));
        Assert.Equal(OrderKind.Refund, Bill(second.State, "R1")!.Kind);
        // A 1.0 cancel gives back only what the refund left, and the refund's bill_no is still taken.
        Assert.True((await second.RunAsync(new CancelPayCommand(Alice, "wx1", "B1", null))).Reply.IsOk);
        Assert.Equal(1000, second.State.GetAccount(Alice).Balance);
        Assert.Equal(90012, (await second.RunAsync(new RefundCommand(Alice, "wx1", "R1", "B1", 1))).Reply.Errcode);
    }

    [Fact]
    public async Task Restart_AfterACleanStop_LoadsTheLiveBillsFromTheSnapshot_AndReadsNoOrder()
    {
        var (first, _) = Open();
        await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 100));
        await PayAsync(first, "B1", 150);
        Assert.True((await first.RunAsync(new PresentCommand(Alice, "wx1", "P1", 5))).Reply.IsOk);
        await first.Writer.StopAsync();
        first.Writer.SaveBillSnapshot();
        first.Store.Dispose();

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((true, 2, 0), (load.FromSnapshot, load.Bills, load.OrdersRead));
        var pay = Bill(second.State, "B1");
        Assert.NotNull(pay);
        Assert.Equal((OrderKind.Pay, 150L, 100L, 850L, "wx1"), (pay.Kind, pay.Amt, pay.GenAmt, pay.BalanceAfter, pay.Appid));
        Assert.Equal(_time.GetUtcNow(), pay.CreatedAt);
        Assert.Equal(OrderKind.Present, Bill(second.State, "P1")?.Kind);
    }

    [Fact]
    public async Task Restart_AfterAKillPastTheSnapshot_ReadsOnlyTheOrdersAfterIt_AndACancelThereMarksTheRememberedPay()
    {
        var (first, _) = Open();
        await using (first)
        {
            await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
            await PayAsync(first, "B1");
            await PayAsync(first, "B2");
            await first.SnapshotAsync();
            await PayAsync(first, "B3");
            Assert.True((await first.RunAsync(new CancelPayCommand(Alice, "wx1", "B1", null))).Reply.IsOk);
        }

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((true, 3, 2), (load.FromSnapshot, load.Bills, load.OrdersRead));
        Assert.Equal(OrderStatus.Cancelled, Bill(second.State, "B1")?.Status);
        Assert.Equal(OrderStatus.Applied, Bill(second.State, "B2")?.Status);
        Assert.NotNull(Bill(second.State, "B3"));
        Assert.Equal(MidasErrcode.BillNoRepeated, (await second.RunAsync(new PayCommand(Alice, "wx1", "B2", 10, null, null))).Reply.Errcode);
    }

    [Fact]
    public async Task Snapshot_OfAnotherLedger_IsIgnored_AndTheBillsComeFromThisOne()
    {
        var (other, _) = Open(Path.Combine(_dir, "other.db"));
        await other.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
        await PayAsync(other, "ELSEWHERE");
        await other.SnapshotAsync();
        await other.DisposeAsync();
        var (first, _) = Open();
        await using (first)
        {
            _time.Advance(TimeSpan.FromSeconds(1)); // the same order ids, another created_at
            await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
            await PayAsync(first, "HERE");
        }
        File.Copy(BillSnapshot.PathOf(Path.Combine(_dir, "other.db")), BillSnapshot.PathOf(DatabasePath));

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((false, 1), (load.FromSnapshot, load.Bills));
        Assert.Null(Bill(second.State, "ELSEWHERE"));
        Assert.NotNull(Bill(second.State, "HERE"));
    }

    [Fact]
    public async Task Reset_DeletesTheSnapshot()
    {
        var (first, _) = Open();
        await using var _ = first;
        await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
        await PayAsync(first, "B1");
        await first.SnapshotAsync();
        Assert.True(File.Exists(BillSnapshot.PathOf(DatabasePath)));

        (await first.Writer.ResetAsync(() => { })).EnsureCommitted();

        Assert.False(File.Exists(BillSnapshot.PathOf(DatabasePath)));
    }

    [Fact]
    public async Task Snapshot_TakenLaterThanNow_IsIgnored_SinceItMayHaveForgottenBillsLiveNow()
    {
        var (first, _) = Open();
        await using (first)
        {
            await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
            await PayAsync(first, "B1");
            _time.Advance(TimeSpan.FromHours(1));
            await first.SnapshotAsync();
        }
        _time = new FakeTimeProvider(_time.GetUtcNow().AddHours(-2)); // a start with an earlier clock

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((false, 1), (load.FromSnapshot, load.Bills));
    }

    [Fact]
    public async Task Snapshot_CutShort_IsIgnored_AndTheLedgerIsReadInstead()
    {
        var (first, _) = Open();
        await using (first)
        {
            await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
            for (var i = 0; i < 50; i++)
            {
                await PayAsync(first, $"B{i}", 1);
            }
            await first.SnapshotAsync();
        }
        var path = BillSnapshot.PathOf(DatabasePath);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((false, 50), (load.FromSnapshot, load.Bills));
    }

    [Fact]
    public async Task Restart_After48Hours_LeavesTheExpiredBillsOfTheSnapshotOut()
    {
        var (first, _) = Open();
        await using (first)
        {
            await first.RunAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
            await PayAsync(first, "OLD");
            _time.Advance(TimeSpan.FromHours(47));
            await PayAsync(first, "NEW");
            await first.SnapshotAsync();
        }
        _time.Advance(TimeSpan.FromHours(2));

        var (second, load) = Open();
        await using var _ = second;

        Assert.Equal((true, 1), (load.FromSnapshot, load.Bills));
        Assert.Null(Bill(second.State, "OLD"));
        Assert.NotNull(Bill(second.State, "NEW"));
    }
}
