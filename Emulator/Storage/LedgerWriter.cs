using System.Runtime;
using System.Threading.Channels;
using MidasEmulator.Auth;
using MidasEmulator.Clock;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;

namespace MidasEmulator.Storage;

/// <summary>
/// The single writer of docs/architecture.md §2.1. Handlers hand it commands; it takes whatever is waiting (up to
/// <see cref="BatchLimit"/>), applies them in order with <see cref="MoneyRules"/> against the committed state
/// plus the batch's own changes, writes every changed document in one LiteDB transaction, commits once,
/// and only then publishes the new state and completes the replies. A rejected command (90012, 90013 …)
/// writes nothing and does not spoil the others in its batch.
/// </summary>
public sealed class LedgerWriter(LiteDbStore store, LedgerState state, MoneyRules rules, TimeProvider time, ILogger<LedgerWriter> logger)
    : IMidasLedger, IAuthStore, IPushStore
{
    public const int BatchLimit = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;

    public MoneyRules Rules => rules;

    public Account GetAccount(AccountKey key) => state.GetAccount(key);

    public Order? FindBill(BillKey billKey) => state.FindBill(billKey);

    public ClientOrder? FindClientOrder(string appid, string outTradeNo) => store.FindClientOrder(appid, outTradeNo);

    /// <summary>Applies one money command; the task completes after its change (if any) is committed.</summary>
    public Task<CommitResult> SubmitAsync(MidasCommand command) => Enqueue(new PendingCommand(command));

    /// <summary>
    /// Persists an auth change (app, token, session) in the next group commit. <paramref name="onCommitted"/> runs on
    /// the writer after the commit, in commit order, so the in-memory view never differs from the database.
    /// </summary>
    public Task<CommitResult> SaveAsync(AuthWrite write, Action onCommitted) => Enqueue(new PendingAuth(write, onCommitted));

    /// <summary>Saves a push or push configuration change in the next group commit (docs/architecture.md, pushes).</summary>
    public Task<CommitResult> SavePushAsync(params PushWrite[] writes) => Enqueue(new PendingPush(writes));

    public long NewPushId() => store.NewPushId();

    public Push? FindPush(long id) => store.FindPush(id);

    public IReadOnlyList<Push> DuePushes(DateTimeOffset now, int limit) => store.DuePushes(now, limit);

    public IReadOnlyList<Push> QueryPushes(PushQuery query) => store.QueryPushes(query);

    public IReadOnlyList<(long Id, DateTimeOffset NextAttemptAt)> NextAttempts(int limit) => store.NextPushAttempts(limit);

    public event Action? PushesSaved;

    public PushReceiver? FindPushReceiver(string appid, PushChannel channel) => store.FindPushReceiver(appid, channel);

    /// <summary>Wipes the ledger and the auth state (apps stay) between two batches; <paramref name="onWiped"/> clears the caches there.</summary>
    public Task<CommitResult> ResetAsync(Action onWiped) => Enqueue(new PendingReset(onWiped));

    /// <summary>
    /// Runs <paramref name="work"/> on the writer between two batches: it sees the database and the in-memory state
    /// at one commit, with nothing written meanwhile (GET /admin/invariants), and every command queued after it sees
    /// what it did (a clock change). Writes wait while it runs. A failure of the work itself is thrown as
    /// <see cref="WorkBetweenCommitsException"/>; a writer that is stopping throws <see cref="NotCommittedException"/>.
    /// </summary>
    public async Task<T> RunBetweenCommitsAsync<T>(Func<T> work, CancellationToken cancellation = default)
    {
        var pending = new PendingWork(() => work(), cancellation);
        var done = await Enqueue(pending).ConfigureAwait(false);
        if (pending.Error is { } error)
        {
            throw new WorkBetweenCommitsException(error);
        }
        cancellation.ThrowIfCancellationRequested();
        done.EnsureCommitted();
        return (T)pending.Value!;
    }

    /// <summary>
    /// <see cref="RunBetweenCommitsAsync"/> for work that reads the whole ledger into memory it drops at the end (the
    /// audit of GET /admin/invariants: a million orders leave it holding a few hundred MB of per-bill records). While it
    /// runs the GC skips full collections (each would mark everything the work holds so far, again and again as it
    /// grows: most of the audit's time at a million orders); afterwards one compacting collection gives the memory back,
    /// so the process does not keep the audit's peak for good (docs/architecture.md §2.2).
    /// </summary>
    public Task<T> RunWholeLedgerReadAsync<T>(Func<T> work, CancellationToken cancellation = default) =>
        RunBetweenCommitsAsync(() =>
        {
            var mode = GCSettings.LatencyMode;
            try
            {
                GCSettings.LatencyMode = GCLatencyMode.LowLatency;
                return work();
            }
            finally
            {
                GCSettings.LatencyMode = mode;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }, cancellation);

    private Task<CommitResult> Enqueue(Pending pending)
    {
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromResult(CommitResult.NotCommitted(NotCommittedReason.Stopping));
        }
        return pending.Reply.Task;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops taking commands, finishes every queued one, then returns.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(BatchLimit);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < BatchLimit && _queue.Reader.TryRead(out var pending))
            {
                if (pending is PendingReset or PendingWork)
                {
                    ProcessGuarded(batch);
                    batch.Clear();
                    RunAlone(pending);
                    continue;
                }
                batch.Add(pending);
            }
            ProcessGuarded(batch);
            batch.Clear();
            ForgetExpiredBillsNowAndThen();
            SnapshotNowAndThen();
            CompactAfterBillGrowth();
        }
    }

    /// <summary>
    /// How many bytes of outgrown bill-memory arrays make the writer compact the large-object heap once. The GC leaves
    /// such holes in place (a later, larger array does not fit them), so a ledger growing by half a million bills held
    /// about 100 MB of them in the RSS; compacting a 250 MB heap pauses the writer for about 100 ms, a few times a minute
    /// at most, and only while the memory grows (docs/architecture.md §2.2).
    /// </summary>
    public const long CompactAfterBytesLeftBehind = 32L << 20;

    private long _billBytesLeftBehind;

    private void CompactAfterBillGrowth()
    {
        _billBytesLeftBehind += state.Bills.TakeBytesLeftBehind();
        if (_billBytesLeftBehind < CompactAfterBytesLeftBehind)
        {
            return;
        }
        _billBytesLeftBehind = 0;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// Fills the bill_no memory with the pays and presents still live at <paramref name="now"/>, at start-up before
    /// <see cref="Start"/> (docs/architecture.md §2.2): from the bill snapshot plus the orders after the one it ends at
    /// when the snapshot fits this ledger, these settings and this time; otherwise from the whole ledger, read in pages.
    /// </summary>
    public BillLoad LoadLiveBills(DateTimeOffset now)
    {
        var started = time.GetTimestamp();
        var memory = state.Bills;
        var cutoff = now - rules.BillNoTtl;
        var header = store.BillSnapshotPath is { } path
            ? BillSnapshot.TryLoad(path, h => Fits(h, now), memory, cutoff, logger)
            : null;
        var afterId = header?.LastOrderId ?? 0;
        if (header is null)
        {
            memory.Clear();
        }
        var read = 0;
        foreach (var order in store.OrdersAfter(afterId))
        {
            read++;
            if (Order.HoldsBill(order.Kind) && rules.IsLive(order, now))
            {
                state.Publish(rules.BillKey(order.Account, order.BillNo!), order);
            }
            // An order after the snapshot may have changed a pay the snapshot remembers: a 1.0 cancel names it by its own
            // bill_no, a 2.0 refund by pay_bill_no. Read that pay again (a pay after the snapshot is read as it is now).
            var changedPay = order.Kind switch
            {
                OrderKind.Cancel => order.BillNo,
                OrderKind.Refund => order.PayBillNo,
                _ => null,
            };
            if (header is not null && changedPay is not null
                && state.FindBill(rules.BillKey(order.Account, changedPay)) is { } remembered && remembered.Id <= afterId
                && store.FindOrder(remembered.Id) is { } current)
            {
                state.Publish(rules.BillKey(order.Account, changedPay), current);
            }
        }
        _snapshotLastOrderId = afterId;
        return new BillLoad(header is not null, memory.Count, read, time.GetElapsedTime(started));
    }

    // A snapshot fits when its keys were made with these settings, it was taken no later than now (so every bill live now
    // was live then and is in it), and the ledger holds the very order it ends at (not a ledger reset or replaced since).
    private bool Fits(BillSnapshotHeader header, DateTimeOffset now)
    {
        if (header.Settings != SnapshotSettings || header.TakenAtTicks > now.UtcTicks)
        {
            return false;
        }
        if (header.LastOrderId == 0)
        {
            return true;
        }
        return store.FindOrder(header.LastOrderId) is { } last && last.CreatedAt.ToUnixTimeMilliseconds() == header.LastOrderCreatedAtMs;
    }

    private string SnapshotSettings => $"ttl={rules.BillNoTtl.Ticks};scope={rules.Settings.BillNoScope}";

    /// <summary>
    /// Writes the bill snapshot of the committed state, on the writer between batches or after <see cref="StopAsync"/>.
    /// A failure is logged: the snapshot only shortens the next start.
    /// </summary>
    public void SaveBillSnapshot()
    {
        if (store.BillSnapshotPath is not { } path)
        {
            return;
        }
        var lastId = state.LastOrderId;
        // Counted as done even if it fails: a full disk should cost one attempt per interval, not one per batch.
        _snapshotLastOrderId = lastId;
        try
        {
            var last = lastId == 0 ? null : store.FindOrder(lastId);
            var header = new BillSnapshotHeader(SnapshotSettings, lastId, last?.CreatedAt.ToUnixTimeMilliseconds() ?? 0, time.GetUtcNow().UtcTicks);
            var started = time.GetTimestamp();
            BillSnapshot.Write(path, header, state.Bills);
            logger.LogInformation("bill snapshot of {Bills} bills up to order {LastId} written in {Ms:0} ms", state.Bills.Count, lastId,
                time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            // Whatever it was (a full disk, a store closed under a stop): the writer's loop and the stop must go on.
            logger.LogWarning(ex, "writing the bill snapshot failed; the next start reads more of the ledger");
        }
    }

    /// <summary>
    /// A snapshot every this many orders, or every half as many orders as there are live bills if that is more, bounds
    /// what a start after a kill reads from the ledger. The second term keeps the writing to at most two entries per
    /// order: a snapshot of a million bills stalls the writer for a few hundred ms, and written every 100,000 orders it
    /// showed in pay's p99.
    /// </summary>
    public const int SnapshotEveryOrders = 100_000;

    private long _snapshotLastOrderId;

    private void SnapshotNowAndThen()
    {
        var due = Math.Max(SnapshotEveryOrders, state.Bills.Count / 2L);
        if (state.LastOrderId - _snapshotLastOrderId >= due)
        {
            SaveBillSnapshot();
        }
    }

    /// <summary>
    /// Moves the clock between two commits, so every command after it sees the new time; <paramref name="target"/>
    /// maps the time now to the new one (null: back to the system clock). Going back rebuilds the bill_no memory for
    /// the new time from the ledger, so a bill_no that a jump forward let go is live again, not charged twice; the
    /// ledger is read before anything changes, so a failed read leaves clock and memory as they were.
    /// False, with nothing moved, when the new time is outside the clock's range.
    /// </summary>
    public Task<bool> MoveClockAsync(EmulatorClock clock, Func<DateTimeOffset, DateTimeOffset>? target) =>
        RunBetweenCommitsAsync(() =>
        {
            var before = clock.GetUtcNow();
            var after = target?.Invoke(before) ?? before - clock.Offset;
            if (after < EmulatorClock.Earliest || after > EmulatorClock.Latest)
            {
                return false;
            }
            var live = after < before ? LiveBills(store.AllOrdersById(), after) : null;
            if (target is null)
            {
                clock.UseReal();
            }
            else
            {
                clock.Set(after);
            }
            if (live is not null)
            {
                Remember(live);
            }
            return true;
        });

    // Oldest first, so that for a bill_no used again after its memory expired the newest order is the one kept.
    private List<Order> LiveBills(IEnumerable<Order> orders, DateTimeOffset now) =>
        orders.Where(o => Order.HoldsBill(o.Kind) && rules.IsLive(o, now)).OrderBy(o => o.Id).ToList();

    private void Remember(List<Order> live)
    {
        state.ClearBills();
        foreach (var order in live)
        {
            state.Publish(rules.BillKey(order.Account, order.BillNo!), order);
        }
    }

    private static readonly TimeSpan ForgetInterval = TimeSpan.FromMinutes(1);
    private long _lastForget;

    // Once a minute of real time, between batches: the writer is the only one that adds bills, so nothing races it.
    private void ForgetExpiredBillsNowAndThen()
    {
        var timestamp = time.GetTimestamp();
        if (_lastForget != 0 && time.GetElapsedTime(_lastForget, timestamp) < ForgetInterval)
        {
            return;
        }
        _lastForget = timestamp;
        try
        {
            var forgotten = state.ForgetBillsBefore(time.GetUtcNow() - rules.BillNoTtl);
            if (forgotten > 0)
            {
                logger.LogDebug("forgot {Count} bill_nos older than {Ttl}", forgotten, rules.BillNoTtl);
            }
        }
        catch (Exception ex)
        {
            // Outside the batch guard: a sweep that throws must not end the loop every later call waits on.
            logger.LogError(ex, "the bill_no memory sweep failed; it runs again in a minute");
        }
    }

    // The loop must outlive any bug in one batch: a dead writer would leave every later call waiting forever.
    private void ProcessGuarded(List<Pending> batch)
    {
        try
        {
            Process(batch);
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "the writer failed on a batch of {Count}; its unanswered commands answer -1", batch.Count);
            foreach (var pending in batch)
            {
                pending.Reply.TrySetResult(CommitResult.NotCommitted(NotCommittedReason.Failed));
            }
        }
    }

    private void Process(List<Pending> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        if (TryCommit(batch))
        {
            store.CheckpointIfLarge();
            return;
        }
        // One command that the database refuses must not spoil the others: commit them one at a time.
        // Not after an I/O failure (the store is faulted): every retry would fail the same way.
        foreach (var pending in batch)
        {
            if (batch.Count == 1 || store.Faulted || !TryCommit([pending]))
            {
                pending.Reply.TrySetResult(CommitResult.NotCommitted(NotCommittedReason.WriteFailed));
            }
        }
    }

    // Synchronous from BeginTrans to Commit: LiteDB binds a transaction to its thread.
    // Nothing is published and no reply completed unless the commit succeeded.
    private bool TryCommit(IReadOnlyList<Pending> batch)
    {
        var now = time.GetUtcNow();
        var overlay = new BatchOverlay(state, rules, store);
        var replies = new CommitResult[batch.Count];
        var authWrites = new List<AuthWrite>();
        var pushWrites = new List<PushWrite>();
        for (var i = 0; i < batch.Count; i++)
        {
            switch (batch[i])
            {
                case PendingCommand { Command: var command }:
                    replies[i] = ApplyOne(command, overlay, now);
                    break;
                case PendingAuth { Write: var write }:
                    authWrites.Add(write);
                    replies[i] = CommitResult.Done;
                    break;
                case PendingPush { Writes: var writes }:
                    pushWrites.AddRange(writes);
                    replies[i] = CommitResult.Done;
                    break;
            }
        }
        var faultedBefore = store.Faulted;
        try
        {
            pushWrites.AddRange(overlay.NewPushes.Select(push => new InsertPush(push)));
            if (overlay.HasChanges || authWrites.Count > 0 || pushWrites.Count > 0)
            {
                store.Commit(overlay.Accounts, overlay.NewOrders, overlay.ChangedOrders, authWrites, overlay.ClientOrders, pushWrites);
            }
        }
        catch (Exception ex)
        {
            // Once the store is faulted every write fails the same way: the first failure was logged in full.
            if (faultedBefore)
            {
                logger.LogDebug("group commit of {Count} commands refused: the store is faulted", batch.Count);
            }
            else
            {
                logger.LogError(ex, "group commit of {Count} commands failed; none applied", batch.Count);
            }
            return false;
        }
        overlay.PublishTo(state);
        if (pushWrites.Count > 0)
        {
            PushesSaved?.Invoke();
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is PendingAuth auth)
            {
                auth.OnCommitted();
            }
            batch[i].Reply.TrySetResult(replies[i]);
        }
        return true;
    }

    private CommitResult ApplyOne(MidasCommand command, BatchOverlay overlay, DateTimeOffset now)
    {
        try
        {
            var result = rules.Apply(command, overlay, now);
            // The pushes first: if making them fails, nothing of the command is staged (no order without the push it owes).
            var pushes = PushOutbox.For(command, result, now);
            overlay.Stage(result);
            overlay.StagePushes(pushes);
            return CommitResult.Committed(result);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "applying {Command} failed", command.GetType().Name);
            return CommitResult.NotCommitted(NotCommittedReason.Failed);
        }
    }

    private void RunAlone(Pending pending)
    {
        if (pending is PendingWork work)
        {
            work.Run();
            work.Reply.TrySetResult(CommitResult.Done);
            return;
        }
        Reset((PendingReset)pending);
    }

    private void Reset(PendingReset reset)
    {
        try
        {
            store.WipeAll();
            state.Clear();
            DeleteBillSnapshot();
            reset.OnWiped();
            reset.Reply.TrySetResult(CommitResult.Done);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "reset failed");
            reset.Reply.TrySetResult(CommitResult.NotCommitted(NotCommittedReason.ResetFailed));
        }
    }

    // After a reset the snapshot describes a ledger that is gone (its header would not fit the new one either).
    private void DeleteBillSnapshot()
    {
        _snapshotLastOrderId = 0;
        if (store.BillSnapshotPath is not { } path)
        {
            return;
        }
        try
        {
            BillSnapshot.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The wipe stands: a snapshot left behind no longer fits the ledger (its last order is gone), so no start uses it.
            logger.LogWarning(ex, "deleting the bill snapshot after the reset failed");
        }
    }

    private abstract class Pending
    {
        public TaskCompletionSource<CommitResult> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PendingCommand(MidasCommand command) : Pending
    {
        public MidasCommand Command => command;
    }

    private sealed class PendingAuth(AuthWrite write, Action onCommitted) : Pending
    {
        public AuthWrite Write => write;
        public Action OnCommitted => onCommitted;
    }

    private sealed class PendingPush(PushWrite[] writes) : Pending
    {
        public PushWrite[] Writes => writes;
    }

    private sealed class PendingReset(Action onWiped) : Pending
    {
        public Action OnWiped => onWiped;
    }

    private sealed class PendingWork(Func<object?> work, CancellationToken cancellation) : Pending
    {
        public object? Value { get; private set; }
        public Exception? Error { get; private set; }

        public void Run()
        {
            // The caller gave up while it waited (a client that hung up): writes need not wait for work nobody takes.
            if (cancellation.IsCancellationRequested)
            {
                return;
            }
            try
            {
                Value = work();
            }
            catch (Exception ex)
            {
                Error = ex;
            }
        }
    }

    /// <summary>The committed state seen through the batch's own uncommitted changes.</summary>
    private sealed class BatchOverlay(LedgerState committed, MoneyRules rules, LiteDbStore store) : ILedgerView
    {
        private readonly Dictionary<AccountKey, Account> _accounts = [];
        private readonly Dictionary<long, Order> _orders = [];
        private readonly Dictionary<BillKey, Order> _bills = [];
        private readonly Dictionary<(string, string), ClientOrder> _clientOrders = [];
        private readonly long _committedLastOrderId = committed.LastOrderId;
        private long _lastOrderId = committed.LastOrderId;

        public bool HasChanges => _accounts.Count > 0 || _orders.Count > 0 || _clientOrders.Count > 0;
        private readonly List<Push> _newPushes = [];

        public IEnumerable<ClientOrder> ClientOrders => _clientOrders.Values;
        public IEnumerable<Push> NewPushes => _newPushes;

        public void StagePushes(IEnumerable<Push> pushes) => _newPushes.AddRange(pushes);
        public IEnumerable<Account> Accounts => _accounts.Values;
        public IEnumerable<Order> NewOrders => _orders.Values.Where(o => o.Id > _committedLastOrderId);
        public IEnumerable<Order> ChangedOrders => _orders.Values.Where(o => o.Id <= _committedLastOrderId);

        public Account GetAccount(AccountKey key) => _accounts.TryGetValue(key, out var account) ? account : committed.GetAccount(key);

        public Order? FindBill(BillKey billKey) => _bills.TryGetValue(billKey, out var order) ? order : committed.FindBill(billKey);

        // The pay whole, for a cancel or refund: this batch's own changes win, and a pay made in this batch is found
        // before it is in the database. A live pay comes from the bill_no memory (with what refunds gave back of it);
        // only an expired one, or one another account's bill now holds the key of, is read from LiteDB by the bill_no
        // index. (Reading every cancel's and refund's pay there pulled the index's pages into LiteDB's cache one by
        // one: the soak's RSS grew by 65–90 MB in 100,000 operations.)
        public Order? FindPayInLedger(AccountKey account, string billNo)
        {
            var billKey = rules.BillKey(account, billNo);
            if (_bills.TryGetValue(billKey, out var staged) && staged.Kind == OrderKind.Pay && staged.Account == account)
            {
                return staged;
            }
            if (committed.FindRememberedPay(billKey) is { } remembered && remembered.Account == account)
            {
                return _orders.GetValueOrDefault(remembered.Id, remembered);
            }
            return store.FindPay(account, billNo) is { } stored ? _orders.GetValueOrDefault(stored.Id, stored) : null;
        }

        public ClientOrder? FindClientOrder(string appid, string outTradeNo) =>
            _clientOrders.TryGetValue((appid, outTradeNo), out var staged) ? staged : store.FindClientOrder(appid, outTradeNo);

        public long NextOrderId() => ++_lastOrderId;

        public void Stage(CommandResult result)
        {
            if (result.ChangedAccount is { } account)
            {
                _accounts[account.Key] = account;
            }
            if (result.ClientOrder is { } clientOrder)
            {
                _clientOrders[(clientOrder.Appid, clientOrder.OutTradeNo)] = clientOrder;
            }
            foreach (var order in result.Orders)
            {
                _orders[order.Id] = order;
                if (Order.HoldsBill(order.Kind))
                {
                    _bills[rules.BillKey(order.Account, order.BillNo!)] = order;
                }
            }
        }

        public void PublishTo(LedgerState state)
        {
            foreach (var account in _accounts.Values)
            {
                state.Publish(account);
            }
            foreach (var (billKey, order) in _bills)
            {
                state.Publish(billKey, order);
            }
            state.SetLastOrderId(_lastOrderId);
        }
    }
}

/// <summary>How the start filled the bill_no memory: from the snapshot or not, the bills kept, the orders read from the ledger, the time.</summary>
public sealed record BillLoad(bool FromSnapshot, int Bills, int OrdersRead, TimeSpan Elapsed);

/// <summary>Work run between two commits (<see cref="LedgerWriter.RunBetweenCommitsAsync"/>) failed; the cause is inside.</summary>
public sealed class WorkBetweenCommitsException(Exception cause)
    : Exception($"the work between commits failed: {cause.Message}", cause);
