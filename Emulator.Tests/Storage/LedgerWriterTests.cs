using Microsoft.Extensions.Logging.Abstractions;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Storage;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Storage;

/// <summary>The single writer against a real (in-memory) LiteDB: group commit, publication after commit, failure isolation.</summary>
public sealed class LedgerWriterTests : IDisposable
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private readonly LiteDbStore _store = new(LiteDbStore.InMemory, Durability.Process, NullLogger<LiteDbStore>.Instance);
    private readonly LedgerState _state = new();
    private readonly LedgerWriter _writer;

    public LedgerWriterTests() =>
        _writer = new LedgerWriter(_store, _state, new MoneyRules(new MoneyRuleSettings()), TimeProvider.System, NullLogger<LedgerWriter>.Instance);

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Batch_WithOneWriteTheDatabaseRefuses_CommitsAllTheOthers()
    {
        var setup = _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
        var pays = Enumerable.Range(0, 20).Select(i => _writer.SubmitAsync(new PayCommand(Alice, "wx1", $"B{i}", 10, null, null))).ToList();
        // LiteDB refuses an _id of 1023 bytes or more: queued in the same batch as the pays.
        var refused = _writer.SaveAsync(new SaveApp(new MidasApp(new string('x', 1100), "s", "o", "k", null)), () => { });

        _writer.Start();
        await _writer.StopAsync();

        Assert.True((await setup).Reply.IsOk);
        Assert.All(await Task.WhenAll(pays), r => Assert.True(r.Reply.IsOk, r.Reply.Errmsg));
        Assert.Equal(MidasErrcode.SystemBusy, (await refused).Reply.Errcode);
        Assert.Equal(800, _state.GetAccount(Alice).Balance);
        Assert.Equal(21, _store.OrdersOf(Alice).Count);
    }

    [Fact]
    public async Task Commit_PublishesStateOnlyAfterwards_AndStoreMatchesMemory()
    {
        _writer.Start();
        await _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 100, 40));
        var paid = await _writer.SubmitAsync(new PayCommand(Alice, "wx1", "B1", 50, null, null));
        await _writer.StopAsync();

        Assert.Equal(50, paid.Reply.Balance);
        var stored = Assert.Single(_store.Load().Accounts);
        Assert.Equal(_state.GetAccount(Alice), stored);
        Assert.Equal(["set", "pay"], _store.OrdersOf(Alice).Select(o => Order.KindName(o.Kind)));
    }

    [Fact]
    public async Task CancelOfACommittedPay_KeepsItsPayItemAndRemark_AndMarksItCancelled()
    {
        _writer.Start();
        await _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 100, 0));
        await _writer.SubmitAsync(new PayCommand(Alice, "wx1", "B1", 30, "gem", "月卡 x1"));
        // A later batch: the pay now comes from the committed bill memory, which keeps no pay_item or remark.
        var cancelled = await _writer.SubmitAsync(new CancelPayCommand(Alice, "wx1", "B1", null));
        await _writer.StopAsync();

        Assert.True(cancelled.Reply.IsOk, cancelled.Reply.Errmsg);
        var pay = Assert.Single(_store.OrdersOf(Alice), o => o.Kind == OrderKind.Pay);
        Assert.Equal(OrderStatus.Cancelled, pay.Status);
        Assert.NotNull(pay.CancelledAt);
        Assert.Equal("gem", pay.PayItem);
        Assert.Equal("月卡 x1", pay.AppRemark);
        Assert.Equal(100, _state.GetAccount(Alice).Balance);
        Assert.Equal(OrderStatus.Cancelled, _state.FindBill(new BillKey(Env.Sandbox, "12345678", null, null, "B1"))?.Status);
    }

    [Fact]
    public async Task SameBillNoInOneBatch_IsAppliedOnce()
    {
        _writer.Start();
        await _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 100, 0));
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _writer.SubmitAsync(new PayCommand(Alice, "wx1", "ONE", 10, null, null))));
        await _writer.StopAsync();

        Assert.Single(replies, r => r.Reply.IsOk);
        Assert.Equal(49, replies.Count(r => r.Reply.Errcode == MidasErrcode.BillNoRepeated));
        Assert.Equal(90, _state.GetAccount(Alice).Balance);
    }

    [Fact]
    public async Task Submit_AfterStop_AnswersSystemBusyAndChangesNothing()
    {
        _writer.Start();
        await _writer.StopAsync();

        var late = await _writer.SubmitAsync(new TopupCommand(Alice, "wx1", 5));

        Assert.Equal(MidasErrcode.SystemBusy, late.Reply.Errcode);
        Assert.Equal(0, _state.GetAccount(Alice).Balance);
    }
}

/// <summary>The writer when the disk fails: every caller gets -1 at once, nothing half-applied, no hang.</summary>
public sealed class LedgerWriterDiskFailureTests : IDisposable
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private readonly FailingStream _log = new();
    private readonly LiteDbStore _store;
    private readonly LedgerState _state = new();
    private readonly LedgerWriter _writer;

    public LedgerWriterDiskFailureTests()
    {
        _store = new LiteDbStore(new MemoryStream(), _log, NullLogger<LiteDbStore>.Instance);
        _writer = new LedgerWriter(_store, _state, new MoneyRules(new MoneyRuleSettings()), TimeProvider.System, NullLogger<LedgerWriter>.Instance);
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Commit_LogCannotBeWritten_AnswersMinusOneFaultsTheStoreAndFailsFastAfterwards()
    {
        _writer.Start();
        Assert.True((await _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 100, 0))).Reply.IsOk);
        _log.Broken = true;

        var pays = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _writer.SubmitAsync(new PayCommand(Alice, "wx1", $"B{i}", 1, null, null))))
            .WaitAsync(TimeSpan.FromSeconds(10));
        var later = await _writer.SubmitAsync(new TopupCommand(Alice, "wx1", 5)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(pays, r => Assert.Equal(MidasErrcode.SystemBusy, r.Reply.Errcode));
        Assert.Equal(MidasErrcode.SystemBusy, later.Reply.Errcode);
        Assert.True(_store.Faulted);
        Assert.Equal(100, _state.GetAccount(Alice).Balance);
        await _writer.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunBetweenCommits_AllOrdersInPages_SeesEveryOrderOnceInIdOrder()
    {
        _writer.Start();
        await _writer.SubmitAsync(new SetBalanceCommand(Alice, "wx1", 1000, 0));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _writer.SubmitAsync(new PayCommand(Alice, "wx1", $"B{i}", 1, null, null))));

        var ids = await _writer.RunBetweenCommitsAsync(() => _store.AllOrdersById(pageSize: 3).Select(o => o.Id).ToList());

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), ids);
        await _writer.StopAsync();
    }

    [Fact]
    public async Task RunBetweenCommits_ReadThatThrows_FailsTheCallerAndTheWriterGoesOn()
    {
        _writer.Start();

        var failed = await Assert.ThrowsAsync<WorkBetweenCommitsException>(() => _writer.RunBetweenCommitsAsync<int>(() => throw new InvalidDataException("bad")));

        Assert.IsType<InvalidDataException>(failed.InnerException);
        Assert.True((await _writer.SubmitAsync(new TopupCommand(Alice, "wx1", 5))).Reply.IsOk);
        await _writer.StopAsync();
    }

    [Fact]
    public async Task RunBetweenCommits_OnAStoppedWriter_IsNotCommitted()
    {
        _writer.Start();
        await _writer.StopAsync();

        await Assert.ThrowsAsync<NotCommittedException>(() => _writer.RunBetweenCommitsAsync(() => 1));
    }

    [Fact]
    public async Task RunBetweenCommits_CallerGaveUpBeforeItsTurn_SkipsTheRead()
    {
        var ran = false;
        using var gaveUp = new CancellationTokenSource();
        await gaveUp.CancelAsync();
        _writer.Start();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _writer.RunBetweenCommitsAsync(() => ran = true, gaveUp.Token));

        Assert.False(ran);
        await _writer.StopAsync();
    }
}
