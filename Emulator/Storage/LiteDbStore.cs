using System.Collections.Concurrent;
using LiteDB;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;

namespace MidasEmulator.Storage;

/// <summary>
/// The only code that touches LiteDB, with <see cref="LiteDbFile"/> (the files), <see cref="BsonMapping"/> (the
/// documents) and <see cref="AuthCollections"/> (apps, tokens, sessions): writes one batch in one transaction, serves
/// the reads that are not kept in memory, checkpoints. Every call takes the store's gate, so a read never meets a
/// commit, a checkpoint or a close half-way.
/// </summary>
public sealed class LiteDbStore : IDisposable
{
    public const string InMemory = ":memory:";

    private readonly LiteDbFile _file;
    private readonly LiteDatabase _db;
    // Every call takes it: the host may stop twice at once (its own Run and a test host), closing must wait for a
    // commit in progress, and LiteDB's reads are not safe beside its own checkpoint.
    private readonly Lock _gate = new();
    private bool _closed;
    private readonly ILiteCollection<BsonDocument> _accounts;
    private readonly ILiteCollection<BsonDocument> _orders;
    private readonly ILiteCollection<BsonDocument> _clientOrders;
    private readonly AuthCollections _auth;
    private readonly PushCollections _pushes;

    private readonly ILogger _logger;

    public LiteDbStore(string database, Durability durability, ILogger<LiteDbStore> logger)
        : this(database, database == InMemory ? LiteDbFile.InMemory() : LiteDbFile.Open(database, durability), logger)
    {
    }

    /// <summary>For tests: a store on caller-made streams (one that fails on demand, say).</summary>
    internal LiteDbStore(Stream dataStream, Stream logStream, ILogger<LiteDbStore> logger)
        : this("(streams)", LiteDbFile.OnStreams(dataStream, logStream), logger)
    {
    }

    private LiteDbStore(string database, LiteDbFile file, ILogger<LiteDbStore> logger)
    {
        _logger = logger;
        Database = database;
        _file = file;
        _db = file.Db;
        try
        {
            // LiteDB's automatic checkpoint runs inside Commit after the transaction is already in the log, so
            // its failure would look like a failed commit. The writer checkpoints between batches instead.
            _db.CheckpointSize = 0;
            _accounts = _db.GetCollection("accounts");
            _orders = _db.GetCollection("orders");
            _clientOrders = _db.GetCollection("client_orders");
            _auth = new AuthCollections(_db);
            _pushes = new PushCollections(_db, _clientOrders);
            // bill_no is indexed, by bucket (BillKeyExpression): GET /admin/orders?bill_no= is how a test proves
            // "charged once", and a cancel of a pay the bill_no memory has let go reads it there. openid is not: a
            // LiteDB index on a field with few distinct values makes every insert walk the duplicates, which cost a third
            // of pay throughput (bench/). An openid query scans instead.
            _orders.DropIndex("openid");
            ChooseBillIndex();
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Orders per bucket of the bill_no index (see <see cref="BillKeyExpression"/>).</summary>
    public const int BillKeyBucketOrders = 16_384;

    /// <summary>
    /// The bill_no index's key: the bucket of 16,384 order ids the order falls in, then its bill_no (<c>"61:B-42"</c>).
    /// A plain bill_no index put each new key at a random place among all the others when bill_nos are random (UUIDs,
    /// as many backends make them), and dirtied index pages all over the file: pay fell to half by a million orders
    /// (docs/benchmarks.md §6). Bucketed, a new key lands among the keys of the last 16,384 orders, whose pages are
    /// few and in the cache, so inserts cost the same at any size. A lookup by bill_no asks every bucket: one index
    /// seek per 16,384 orders, about 60 at a million. LiteDB's INT32 of the quotient rounds, which moves each bucket's
    /// edges by half a bucket and changes nothing else.
    /// </summary>
    internal static readonly string BillKeyExpression = $"STRING(INT32($._id / {BillKeyBucketOrders})) + ':' + $.bill_no";

    private const string BillKeyIndex = "bill_key";

    // What EnsureIndex("bill_no") named the plain index of older builds: LiteDB drops the underscore.
    private const string PlainBillNoIndex = "billno";

    /// <summary>
    /// The largest ledger (by last order id) whose plain bill_no index, from an older build, is rebuilt by bucket at open.
    /// The rebuild reads every order: 49.5 s and 1.1 GB RSS for 1.5 million (docs/benchmarks.md §6), so about 1.6 s
    /// here. A larger file keeps its plain index rather than hold its start (and a health check) for minutes.
    /// </summary>
    internal const long RebuildPlainBillNoIndexUpToOrders = 50_000;

    // True when the orders keep an older build's plain bill_no index (see ChooseBillIndex).
    private bool _plainBillNoIndex;

    private void ChooseBillIndex()
    {
        var indexes = _db.GetCollection("$indexes").Find(new Filter().Where("collection", "=", "orders").ToExpression())
            .ToDictionary(index => index["name"].AsString, index => index["expression"].AsString);
        if (indexes.ContainsKey(PlainBillNoIndex) && !indexes.ContainsKey(BillKeyIndex) && LastOrderIdUnderGate() is var lastId
            && lastId > RebuildPlainBillNoIndexUpToOrders)
        {
            _plainBillNoIndex = true;
            _logger.LogWarning("orders keep the plain bill_no index of an older build: rebuilding it by bucket would read all {Orders} orders " +
                "at this start; with random bill_nos, pays slow down as this ledger grows (docs/architecture.md §2.2)", lastId);
            return;
        }
        // A file made with another bucket size (or by hand) has an index of that name on another expression: it is rebuilt.
        if (indexes.TryGetValue(BillKeyIndex, out var expression) && expression != BsonExpression.Create(BillKeyExpression).Source)
        {
            _orders.DropIndex(BillKeyIndex);
        }
        // Built before the plain index goes, so a kill in between leaves both, and the next open drops the plain one.
        _orders.EnsureIndex(BillKeyIndex, BillKeyExpression);
        _orders.DropIndex(PlainBillNoIndex);
    }

    // The orders with this bill_no, by whichever index the file has.
    private Filter WhereBillNo(Filter filter, string billNo) =>
        _plainBillNoIndex ? filter.Where("bill_no", "=", billNo) : filter.WhereExpression(BillKeyExpression, "IN", BillKeys(billNo));

    // The keys a bill_no can have in the ledger as it is: one per bucket, up to the bucket of the last order (and one
    // past it, since INT32 rounds up in a bucket's second half).
    private BsonArray BillKeys(string billNo)
    {
        var lastBucket = (int)(LastOrderIdUnderGate() / BillKeyBucketOrders) + 1;
        var keys = new BsonArray(lastBucket + 1);
        for (var bucket = 0; bucket <= lastBucket; bucket++)
        {
            keys.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bucket}:{billNo}"));
        }
        return keys;
    }

    /// <summary>
    /// True once a write failed in a way that leaves LiteDB's state unknown (an I/O error, a rollback that
    /// failed). Every later write then fails at once instead of waiting on locks; a restart recovers from the log.
    /// </summary>
    public bool Faulted { get; private set; }

    public string Database { get; }

    public bool IsEmpty => Read(() => !_auth.HasApps && _accounts.Count() == 0);

    /// <summary>
    /// What a start needs from the database, none of it proportional to the ledger: the accounts, the last order id (the
    /// end of _id's index) and the auth state. The live bills come from the bill snapshot and the orders after it
    /// (<see cref="LedgerWriter.LoadLiveBills"/>), never from a scan of every order.
    /// </summary>
    public StoredData Load() => Read(() =>
    {
        var accounts = _accounts.FindAll().Select(BsonMapping.ToAccount).ToList();
        return new StoredData(accounts, LastOrderIdUnderGate(), _auth.Apps(), _auth.Tokens(), _auth.Sessions());
    });

    /// <summary>Where the bill snapshot of this database lives; null for a database in memory or on a test's streams.</summary>
    internal string? BillSnapshotPath => _file.DataPath is { } data ? BillSnapshot.PathOf(data) : null;

    public long LastOrderId() => Read(LastOrderIdUnderGate);

    private long LastOrderIdUnderGate() =>
        _orders.Query().OrderByDescending("_id").Limit(1).ToDocuments().FirstOrDefault() is { } last ? last["_id"].AsInt64 : 0;

    /// <summary>One order by id, through _id's index; null when there is none.</summary>
    public Order? FindOrder(long id) => Read(() => _orders.FindById(id) is { } document ? BsonMapping.ToOrder(document) : null);

    /// <summary>
    /// Writes one batch in one transaction and commits once (docs/architecture.md §2.1). Throws if the commit fails;
    /// nothing is then applied. New orders are inserted, never upserted, so a reused id fails loudly.
    /// </summary>
    public void Commit(IEnumerable<Account> accounts, IEnumerable<Order> newOrders, IEnumerable<Order> changedOrders, IEnumerable<AuthWrite> authWrites,
        IEnumerable<ClientOrder>? clientOrders = null, IEnumerable<PushWrite>? pushWrites = null) =>
        InTransaction(() =>
        {
            foreach (var clientOrder in clientOrders ?? [])
            {
                _clientOrders.Upsert(BsonMapping.ToDocument(clientOrder));
            }
            foreach (var account in accounts)
            {
                _accounts.Upsert(BsonMapping.ToDocument(account));
            }
            foreach (var order in newOrders)
            {
                _orders.Insert(BsonMapping.ToDocument(order));
            }
            foreach (var order in changedOrders)
            {
                // Merged into the stored document: the order may come from the compact bill memory, which keeps
                // no pay_item or app_remark (an order's document leaves out fields it does not have).
                var stored = _orders.FindById(order.Id) ?? throw new InvalidOperationException($"order {order.Id} to update is not in the database");
                foreach (var (field, value) in BsonMapping.ToDocument(order))
                {
                    stored[field] = value;
                }
                _orders.Update(stored);
            }
            foreach (var write in authWrites)
            {
                _auth.Apply(write);
            }
            // After the client orders: an item's delivery mark lands on the order as this batch left it.
            foreach (var write in pushWrites ?? [])
            {
                _pushes.Apply(write);
            }
        }, forceToDisk: true);

    /// <summary>Wipes every collection but the registered apps (POST /admin/reset) in one transaction; the caller reseeds.</summary>
    public void WipeAll()
    {
        InTransaction(() =>
        {
            _accounts.DeleteAll();
            _orders.DeleteAll();
            _clientOrders.DeleteAll();
            _pushes.WipePushes();
            _auth.WipeLogins();
        }, forceToDisk: false);
        CheckpointIfLarge();
    }

    // One transaction, under the gate, synchronous from BeginTrans to Commit: LiteDB binds a transaction to its thread.
    private void InTransaction(Action write, bool forceToDisk)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (Faulted)
            {
                throw new IOException("the database had a write failure; restart the emulator to recover from its log");
            }
            if (!_db.BeginTrans())
            {
                Faulted = true;
                throw new IOException("a LiteDB transaction was left open on the writer thread");
            }
            try
            {
                write();
                _db.Commit();
            }
            catch (Exception ex)
            {
                RollbackAfter(ex);
                throw;
            }
            if (forceToDisk)
            {
                ForceToDisk();
            }
        }
    }

    private void ForceToDisk()
    {
        try
        {
            _file.ForceLogToDisk();
        }
        catch (IOException ex)
        {
            // The commit stands (LiteDB has it, the OS has the pages): failing it now would apply it twice on retry.
            _logger.LogError(ex, "forcing the log to disk failed; the commit is in the OS cache only");
        }
    }

    // An I/O failure, or a rollback that fails, leaves LiteDB's state unknown: fault the store rather than
    // retry into held locks. A refused document (a key too long) rolls back cleanly and the store goes on.
    private void RollbackAfter(Exception cause)
    {
        if (cause is IOException || cause.InnerException is IOException)
        {
            Faulted = true;
        }
        try
        {
            _db.Rollback();
        }
        catch (Exception ex)
        {
            Faulted = true;
            _logger.LogCritical(ex, "rollback failed after {Cause}; the store takes no more writes until a restart", cause.Message);
            ReleaseStrandedTransactions();
        }
    }

    private void ReleaseStrandedTransactions()
    {
        try
        {
            StrandedTransactions.Release(_db);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogCritical(ex, "could not release LiteDB's stranded transaction; its finalizer may end the process");
        }
    }

    /// <summary>Copies the log into the data file once it is large. Run between batches; a failure is logged, never blamed on a commit.</summary>
    public void CheckpointIfLarge()
    {
        lock (_gate)
        {
            if (_closed || Faulted || !_file.LogIsLarge)
            {
                return;
            }
            try
            {
                _db.Checkpoint();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "checkpoint failed; the log keeps the committed data and the next checkpoint retries");
            }
        }
    }

    public IReadOnlyList<Order> QueryOrders(OrderQuery query)
    {
        var filter = new Filter()
            .WhereEqual("openid", query.Openid)
            .WhereEqual("env", query.Env?.ToWire())
            .WhereEqual("kind", query.Kind is { } kind ? Order.KindName(kind) : null);
        if (query.BillNo is { } billNo)
        {
            // A bill_no has a handful of orders at most: they are read by the bill_no index alone and paged here. Given
            // an after_id as well, LiteDB would weigh a seek per bucket against the _id range and might read the range.
            return Read(() => WhereBillNo(filter, billNo).Apply(_orders.Query()).ToEnumerable()
                .Select(BsonMapping.ToOrder).Where(o => o.Id > (query.AfterId ?? 0)).OrderBy(o => o.Id)
                .Skip(query.Offset).Take(query.Limit).ToList());
        }
        if (query.AfterId is { } afterId)
        {
            // A range on _id's index: a page far into the ledger reads only its own orders, where an offset reads
            // (and LiteDB's read transaction caches) every order before it.
            filter.Where("_id", ">", afterId);
        }
        return Read(() => filter.Apply(_orders.Query())
            .OrderBy("_id").Skip(query.Offset).Limit(query.Limit).ToEnumerable().Select(BsonMapping.ToOrder).ToList());
    }

    /// <summary>The account's latest pay with this bill_no, by the bill_no index (the writer's thread only).</summary>
    public Order? FindPay(AccountKey account, string billNo) => Read(() =>
        _orders.Find(WhereBillNo(new Filter(), billNo).ToExpression()).Select(BsonMapping.ToOrder)
            .Where(o => o.Kind == OrderKind.Pay && o.Account == account)
            .MaxBy(o => o.Id));

    /// <summary>A client-side order by app and out_trade_no (the writer, queryorderinfo, the admin API).</summary>
    public ClientOrder? FindClientOrder(string appid, string outTradeNo) => Read(() =>
        _clientOrders.FindById(BsonMapping.ClientOrderId(appid, outTradeNo)) is { } document ? BsonMapping.ToClientOrder(document) : null);

    /// <summary>GET /admin/client-orders: by creation, oldest first; filters are optional.</summary>
    public IReadOnlyList<ClientOrder> QueryClientOrders(string? openid, string? outTradeNo, int? bizId, int offset, int limit)
    {
        var filter = new Filter().WhereEqual("openid", openid).WhereEqual("out_trade_no", outTradeNo).WhereEqual("biz_id", bizId);
        return Read(() => filter.Apply(_clientOrders.Query())
            .OrderBy("created_at").Skip(offset).Limit(limit).ToEnumerable().Select(BsonMapping.ToClientOrder).ToList());
    }

    /// <summary>Every order of one account, oldest first (tests).</summary>
    public IReadOnlyList<Order> OrdersOf(AccountKey key) => Read(() =>
        _orders.Find(new Filter().Where("openid", "=", key.Openid).ToExpression()).Select(BsonMapping.ToOrder).Where(o => o.Account == key).OrderBy(o => o.Id).ToList());

    /// <summary>An id for a push made outside a command (POST /admin/pushes), so the caller can name it before it is saved.</summary>
    public long NewPushId() => _pushes.NewId();

    public Push? FindPush(long id) => Read(() => _pushes.Find(id));

    public IReadOnlyList<Push> DuePushes(DateTimeOffset now, int limit) => Read(() => _pushes.Due(now, limit));

    public IReadOnlyList<Push> QueryPushes(PushQuery query) => Read(() => _pushes.Find(query));

    public IReadOnlyList<(long Id, DateTimeOffset NextAttemptAt)> NextPushAttempts(int limit) => Read(() => _pushes.NextAttempts(limit));

    public PushReceiver? FindPushReceiver(string appid, PushChannel channel) => Read(() => _pushes.FindReceiver(appid, channel));

    /// <summary>Every stored account document (GET /admin/invariants; call between commits).</summary>
    public IReadOnlyList<Account> AllAccounts() => Read(() => _accounts.FindAll().Select(BsonMapping.ToAccount).ToList());

    /// <summary>
    /// Every order in id order, for a caller on the writer's thread between commits. Read in pages by _id: one query
    /// over the whole ledger would pin every page it read in LiteDB's cache until it ended, and the cache keeps the
    /// memory it grows to.
    /// </summary>
    public IEnumerable<Order> AllOrdersById(int pageSize = 2048) => OrdersAfter(0, pageSize);

    /// <summary>The orders whose id is greater than <paramref name="afterId"/>, in id order, read like <see cref="AllOrdersById"/>.</summary>
    public IEnumerable<Order> OrdersAfter(long afterId, int pageSize = 2048) => OrderPagesAfter(afterId, pageSize).SelectMany(page => page);

    /// <summary>
    /// <see cref="AllOrdersById"/> with the next pages read on another thread while the caller works through this one (the
    /// audit of GET /admin/invariants: reading and checking each take about half its time, and there are two cores). At
    /// most two pages wait; a read failure is thrown to the caller, and a caller that stops early stops the reading.
    /// </summary>
    public IEnumerable<Order> AllOrdersReadAhead(int pageSize = 2048)
    {
        using var pages = new BlockingCollection<List<Order>>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        // Its own thread, not the pool's: the caller blocks a pool thread (the writer's) until the read ends, and a
        // pool short of threads adds them only slowly.
        var reader = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var page in OrderPagesAfter(0, pageSize))
                {
                    pages.Add(page, stop.Token);
                }
            }
            finally
            {
                pages.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var page in pages.GetConsumingEnumerable())
            {
                foreach (var order in page)
                {
                    yield return order;
                }
            }
            reader.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            // No read may outlive the caller (it runs between commits); its failure, if any, was thrown above.
            ((IAsyncResult)reader).AsyncWaitHandle.WaitOne();
        }
    }

    // Page after page by _id, each read whole under the gate: a stop that closes the store mid-read ends the read, not
    // the process.
    private IEnumerable<List<Order>> OrderPagesAfter(long afterId, int pageSize)
    {
        while (true)
        {
            var after = new Filter().Where("_id", ">", afterId).ToExpression();
            var page = Read(() => _orders.Query().Where(after).OrderBy("_id").Limit(pageSize).ToEnumerable().Select(BsonMapping.ToOrder).ToList());
            yield return page;
            if (page.Count < pageSize)
            {
                yield break;
            }
            afterId = page[^1].Id;
        }
    }

    // Whole results only: a lazy query left open past the gate would read beside a commit or a close.
    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            return read();
        }
    }

    /// <summary>
    /// Copies the log into the data file (so the file alone holds everything) and closes it. Safe to call more
    /// than once and from two threads: the first call closes, the others return.
    /// </summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            try
            {
                if (!Faulted)
                {
                    _db.Checkpoint();
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "checkpoint at close failed; the log keeps the committed data for the next start");
            }
            finally
            {
                if (Faulted)
                {
                    ReleaseStrandedTransactions();
                }
                _file.Dispose();
            }
        }
    }

    public void Dispose() => Close();
}
