using LiteDB;
using MidasEmulator.Auth;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>How far a commit must get before its reply goes out (docs/architecture.md §2.1).</summary>
public enum Durability
{
    /// <summary>Written through to the OS: survives a killed process, not a power cut.</summary>
    Process,
    /// <summary>Forced to disk on every group commit.</summary>
    Full,
}

/// <summary>GET /admin/orders' filters. <see cref="AfterId"/> pages by the primary key: only the orders after it are read.</summary>
public sealed record OrderQuery(string? Openid, string? BillNo, Env? Env, OrderKind? Kind, int Offset, int Limit, long? AfterId = null);

/// <summary>Everything the database holds, read once at start-up.</summary>
public sealed record StoredData(
    IReadOnlyList<Account> Accounts,
    IReadOnlyList<Order> BillOrders,
    long LastOrderId,
    IReadOnlyList<MidasApp> Apps,
    IReadOnlyList<AccessTokenRecord> Tokens,
    IReadOnlyList<SessionRecord> Sessions);

/// <summary>
/// The only code that touches LiteDB: opens the file (or memory), maps documents, writes one batch in
/// one transaction, and serves the reads that are not kept in memory (the order list).
/// </summary>
public sealed class LiteDbStore : IDisposable
{
    public const string InMemory = ":memory:";

    private readonly LiteDatabase _db;
    // LiteDB does not dispose caller-supplied streams: the store closes them (and so releases the file lock).
    private readonly FileStream[] _files = [];
    // Null for :memory:. LiteDB 5.0.21 writes a commit's pages into this log with Stream.Write and never flushes.
    private readonly FileStream? _log;
    private readonly bool _forceToDisk;
    // Commit and Close take it: the host may stop twice at once (its own Run and a test host), and closing
    // must wait for a commit in progress.
    private readonly Lock _gate = new();
    private bool _closed;
    private readonly ILiteCollection<BsonDocument> _accounts;
    private readonly ILiteCollection<BsonDocument> _orders;
    private readonly ILiteCollection<BsonDocument> _apps;
    private readonly ILiteCollection<BsonDocument> _tokens;
    private readonly ILiteCollection<BsonDocument> _sessions;

    private readonly ILogger _logger;

    public LiteDbStore(string database, Durability durability, ILogger<LiteDbStore> logger)
        : this(database, durability, logger, dataStream: null, logStream: null)
    {
    }

    /// <summary>For tests: a store on caller-made streams (one that fails on demand, say).</summary>
    internal LiteDbStore(Stream dataStream, Stream logStream, ILogger<LiteDbStore> logger)
        : this("(streams)", Durability.Process, logger, dataStream, logStream)
    {
    }

    private LiteDbStore(string database, Durability durability, ILogger<LiteDbStore> logger, Stream? dataStream, Stream? logStream)
    {
        _logger = logger;
        Database = database;
        if (dataStream is not null && logStream is not null)
        {
            _db = new LiteDatabase(dataStream, logStream: logStream);
        }
        else if (database == InMemory)
        {
            _db = new LiteDatabase(new MemoryStream(), logStream: new MemoryStream());
        }
        else
        {
            var full = Path.GetFullPath(database);
            FileStream? data = null;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                // LiteDB accepts caller-supplied streams. Unbuffered, so a commit's pages are in the OS when Commit
                // returns (Durability=process); Full adds one forced flush of the log per group commit.
                // FileShare.None: a second emulator on the same file fails at start instead of corrupting it.
                data = OpenFile(full);
                _log = OpenFile(LogPathOf(full));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                data?.Dispose();
                throw new DatabaseOpenException(full, ex);
            }
            try
            {
                _files = [data, _log];
                _forceToDisk = durability == Durability.Full;
                _db = new LiteDatabase(data, logStream: _log);
            }
            catch
            {
                _log?.Dispose();
                data.Dispose();
                throw;
            }
        }
        try
        {
            // LiteDB's automatic checkpoint runs inside Commit after the transaction is already in the log, so
            // its failure would look like a failed commit. The writer checkpoints between batches instead.
            _db.CheckpointSize = 0;
            _accounts = _db.GetCollection("accounts");
            _orders = _db.GetCollection("orders");
            _apps = _db.GetCollection("apps");
            _tokens = _db.GetCollection("tokens");
            _sessions = _db.GetCollection("sessions");
            // bill_no is indexed: GET /admin/orders?bill_no= is how a test proves "charged once". openid is not:
            // a LiteDB index on a field with few distinct values makes every insert walk the duplicates, which cost
            // a third of pay throughput (bench/). An openid query scans instead. Files from older builds lose the index.
            _orders.EnsureIndex("bill_no");
            _orders.DropIndex("openid");
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Checkpoint once the log holds this much: LiteDB's own default (1,000 pages of 8 KiB).</summary>
    public const long CheckpointLogBytes = 1000 * 8192;

    /// <summary>
    /// True once a write failed in a way that leaves LiteDB's state unknown (an I/O error, a rollback that
    /// failed). Every later write then fails at once instead of waiting on locks; a restart recovers from the log.
    /// </summary>
    public bool Faulted { get; private set; }

    public string Database { get; }

    /// <summary>LiteDB's write-ahead log beside the data file: committed pages live here until a checkpoint.</summary>
    public static string LogPathOf(string dataPath) =>
        Path.Combine(Path.GetDirectoryName(dataPath)!, Path.GetFileNameWithoutExtension(dataPath) + "-log" + Path.GetExtension(dataPath));

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.RandomAccess);

    public bool IsEmpty => _apps.Count() == 0 && _accounts.Count() == 0;

    public StoredData Load()
    {
        var accounts = _accounts.FindAll().Select(ToAccount).ToList();
        var bills = _orders.Find(Query.Or(Query.EQ("kind", "pay"), Query.EQ("kind", "present"))).Select(ToOrder).ToList();
        var lastId = _orders.Count() == 0 ? 0 : _orders.Max("_id").AsInt64;
        return new StoredData(
            accounts,
            bills,
            lastId,
            _apps.FindAll().Select(ToApp).ToList(),
            _tokens.FindAll().Select(ToToken).ToList(),
            _sessions.FindAll().Select(ToSession).ToList());
    }

    /// <summary>
    /// Writes one batch in one transaction and commits once (docs/architecture.md §2.1). Throws if the commit fails; nothing
    /// is then applied. New orders are inserted, never upserted, so a reused id fails loudly.
    /// </summary>
    public void Commit(IEnumerable<Account> accounts, IEnumerable<Order> newOrders, IEnumerable<Order> changedOrders, IEnumerable<AuthWrite> authWrites)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (Faulted)
            {
                throw new IOException("the database had a write failure; restart the emulator to recover from its log");
            }
            CommitOpen(accounts, newOrders, changedOrders, authWrites);
        }
    }

    private void CommitOpen(IEnumerable<Account> accounts, IEnumerable<Order> newOrders, IEnumerable<Order> changedOrders, IEnumerable<AuthWrite> authWrites)
    {
        if (!_db.BeginTrans())
        {
            Faulted = true;
            throw new IOException("a LiteDB transaction was left open on the writer thread");
        }
        try
        {
            foreach (var account in accounts)
            {
                _accounts.Upsert(ToDocument(account));
            }
            foreach (var order in newOrders)
            {
                _orders.Insert(ToDocument(order));
            }
            foreach (var order in changedOrders)
            {
                // Merged into the stored document: the order may come from the compact bill memory, which keeps
                // no pay_item or app_remark (an order's document leaves out fields it does not have).
                var stored = _orders.FindById(order.Id) ?? throw new InvalidOperationException($"order {order.Id} to update is not in the database");
                foreach (var (field, value) in ToDocument(order))
                {
                    stored[field] = value;
                }
                _orders.Update(stored);
            }
            foreach (var write in authWrites)
            {
                Apply(write);
            }
            _db.Commit();
        }
        catch (Exception ex)
        {
            RollbackAfter(ex);
            throw;
        }
        if (_forceToDisk)
        {
            try
            {
                _log?.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                // The commit stands (LiteDB has it, the OS has the pages): failing it now would apply it twice on retry.
                _logger.LogError(ex, "forcing the log to disk failed; the commit is in the OS cache only");
            }
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
            if (_closed || Faulted || _log is null || _log.Length < CheckpointLogBytes)
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

    private void Apply(AuthWrite write)
    {
        switch (write)
        {
            case SaveApp(var app):
                _apps.Upsert(new BsonDocument
                {
                    ["_id"] = app.Appid,
                    ["secret"] = app.Secret,
                    ["offer_id"] = app.OfferId,
                    ["app_key"] = app.AppKey,
                    ["sandbox_app_key"] = app.SandboxAppKey,
                });
                break;
            case SaveTokens(var tokens, var purged):
                foreach (var token in tokens)
                {
                    _tokens.Upsert(new BsonDocument
                    {
                        ["_id"] = token.Token,
                        ["appid"] = token.Appid,
                        ["expires_at"] = token.ExpiresAt.ToUnixTimeMilliseconds(),
                        ["replaced"] = token.Replaced,
                    });
                }
                foreach (var id in purged)
                {
                    _tokens.Delete(id);
                }
                break;
            case SaveSession(var session):
                _sessions.Upsert(new BsonDocument
                {
                    ["_id"] = session.Id,
                    ["appid"] = session.Appid,
                    ["openid"] = session.Openid,
                    ["session_key"] = session.SessionKey,
                    ["expires_at"] = session.ExpiresAt is { } at ? at.ToUnixTimeMilliseconds() : BsonValue.Null,
                });
                break;
            case DeleteSession(var appid, var openid):
                _sessions.Delete($"{appid}|{openid}");
                break;
        }
    }

    /// <summary>Wipes every collection but the registered apps (POST /admin/reset) in one transaction; the caller reseeds.</summary>
    public void WipeAll()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_db.BeginTrans())
            {
                Faulted = true;
                throw new IOException("a LiteDB transaction was left open on the writer thread");
            }
            try
            {
                foreach (var collection in new[] { _accounts, _orders, _tokens, _sessions })
                {
                    collection.DeleteAll();
                }
                _db.Commit();
            }
            catch (Exception ex)
            {
                RollbackAfter(ex);
                throw;
            }
        }
        CheckpointIfLarge();
    }

    public IReadOnlyList<Order> QueryOrders(OrderQuery query)
    {
        var filters = new List<BsonExpression>();
        if (query.Openid is { } openid)
        {
            filters.Add(Query.EQ("openid", openid));
        }
        if (query.BillNo is { } billNo)
        {
            filters.Add(Query.EQ("bill_no", billNo));
        }
        if (query.Env is { } env)
        {
            filters.Add(Query.EQ("env", env.ToWire()));
        }
        if (query.Kind is { } kind)
        {
            filters.Add(Query.EQ("kind", Order.KindName(kind)));
        }
        if (query.AfterId is { } afterId)
        {
            // A range on _id's index: a page far into the ledger reads only its own orders, where an offset reads
            // (and LiteDB's read transaction caches) every order before it.
            filters.Add(Query.GT("_id", afterId));
        }
        var q = _orders.Query();
        if (filters.Count > 0)
        {
            q = q.Where(filters.Count == 1 ? filters[0] : Query.And(filters.ToArray()));
        }
        return q.OrderBy("_id").Skip(query.Offset).Limit(query.Limit).ToEnumerable().Select(ToOrder).ToList();
    }

    /// <summary>The account's latest pay with this bill_no, by the bill_no index (the writer's thread only).</summary>
    public Order? FindPay(AccountKey account, string billNo)
    {
        lock (_gate)
        {
            return _orders.Find(Query.EQ("bill_no", billNo)).Select(ToOrder)
                .Where(o => o.Kind == OrderKind.Pay && o.Account == account)
                .MaxBy(o => o.Id);
        }
    }

    /// <summary>Every order of one account, oldest first (tests).</summary>
    public IReadOnlyList<Order> OrdersOf(AccountKey key) =>
        _orders.Find(Query.EQ("openid", key.Openid)).Select(ToOrder).Where(o => o.Account == key).OrderBy(o => o.Id).ToList();

    /// <summary>Every stored account document (GET /admin/invariants; call between commits).</summary>
    public IReadOnlyList<Account> AllAccounts()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            return _accounts.FindAll().Select(ToAccount).ToList();
        }
    }

    /// <summary>
    /// Every order in id order, for a caller on the writer's thread between commits. Read in pages by _id: one query
    /// over the whole ledger would pin every page it read in LiteDB's cache until it ended, and the cache keeps the
    /// memory it grows to.
    /// </summary>
    public IEnumerable<Order> AllOrdersById(int pageSize = 2048)
    {
        var afterId = 0L;
        while (true)
        {
            List<Order> page;
            // Each page under the gate: a stop that closes the store mid-read ends the read, not the process.
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                page = _orders.Query().Where(Query.GT("_id", afterId)).OrderBy("_id").Limit(pageSize).ToEnumerable().Select(ToOrder).ToList();
            }
            foreach (var order in page)
            {
                yield return order;
            }
            if (page.Count < pageSize)
            {
                yield break;
            }
            afterId = page[^1].Id;
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
                _db.Dispose();
                foreach (var file in _files)
                {
                    file.Dispose();
                }
            }
        }
    }

    public void Dispose() => Close();

    private static BsonDocument ToDocument(Account a) => new()
    {
        ["_id"] = a.Key.ToString(),
        ["env"] = a.Key.Env.ToWire(),
        ["offer_id"] = a.Key.OfferId,
        ["zone_id"] = a.Key.ZoneId,
        ["openid"] = a.Key.Openid,
        ["balance"] = a.Balance,
        ["gen_balance"] = a.GenBalance,
        ["first_save"] = a.FirstSave,
        ["save_amt"] = a.SaveAmt,
        ["save_sum"] = a.SaveSum,
        ["cost_sum"] = a.CostSum,
        ["present_sum"] = a.PresentSum,
    };

    private static AccountKey KeyOf(BsonDocument d)
    {
        if (!EnvNames.TryParse(d["env"].AsString, out var env))
        {
            throw new InvalidDataException($"document {d["_id"]} has an unknown env {d["env"]}");
        }
        return new AccountKey(env, d["offer_id"].AsString, d["zone_id"].AsString, d["openid"].AsString);
    }

    private static Account ToAccount(BsonDocument d) => new(KeyOf(d))
    {
        Balance = d["balance"].AsInt64,
        GenBalance = d["gen_balance"].AsInt64,
        FirstSave = d["first_save"].AsBoolean,
        SaveAmt = d["save_amt"].AsInt64,
        SaveSum = d["save_sum"].AsInt64,
        CostSum = d["cost_sum"].AsInt64,
        PresentSum = d["present_sum"].AsInt64,
    };

    // Fields that are usually null (cancelled_at, pay_item, app_remark) are left out: smaller documents, fewer
    // BSON writes per pay. A missing field reads as null.
    private static BsonDocument ToDocument(Order o)
    {
        var document = new BsonDocument
        {
            ["_id"] = o.Id,
            ["kind"] = Order.KindName(o.Kind),
            ["env"] = o.Account.Env.ToWire(),
            ["offer_id"] = o.Account.OfferId,
            ["zone_id"] = o.Account.ZoneId,
            ["openid"] = o.Account.Openid,
            ["appid"] = o.Appid,
            ["bill_no"] = o.BillNo,
            ["amt"] = o.Amt,
            ["gen_amt"] = o.GenAmt,
            ["status"] = o.Status == OrderStatus.Applied ? "applied" : "cancelled",
            ["created_at"] = o.CreatedAt.ToUnixTimeMilliseconds(),
            ["balance_after"] = o.BalanceAfter,
        };
        if (o.CancelledAt is { } at)
        {
            document["cancelled_at"] = at.ToUnixTimeMilliseconds();
        }
        if (o.PayItem is { } payItem)
        {
            document["pay_item"] = payItem;
        }
        if (o.AppRemark is { } appRemark)
        {
            document["app_remark"] = appRemark;
        }
        return document;
    }

    private static Order ToOrder(BsonDocument d)
    {
        if (!Order.TryParseKind(d["kind"].AsString, out var kind))
        {
            throw new InvalidDataException($"order {d["_id"]} has an unknown kind {d["kind"]}");
        }
        return new Order
        {
            Id = d["_id"].AsInt64,
            Kind = kind,
            Account = KeyOf(d),
            Appid = d["appid"].AsString,
            BillNo = d["bill_no"].IsNull ? null : d["bill_no"].AsString,
            Amt = d["amt"].AsInt64,
            GenAmt = d["gen_amt"].AsInt64,
            Status = d["status"].AsString == "cancelled" ? OrderStatus.Cancelled : OrderStatus.Applied,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(d["created_at"].AsInt64),
            CancelledAt = d["cancelled_at"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["cancelled_at"].AsInt64),
            BalanceAfter = d["balance_after"].AsInt64,
            PayItem = d["pay_item"].IsNull ? null : d["pay_item"].AsString,
            AppRemark = d["app_remark"].IsNull ? null : d["app_remark"].AsString,
        };
    }

    private static MidasApp ToApp(BsonDocument d) => new(
        d["_id"].AsString, d["secret"].AsString, d["offer_id"].AsString, d["app_key"].AsString,
        d["sandbox_app_key"].IsNull ? null : d["sandbox_app_key"].AsString);

    private static AccessTokenRecord ToToken(BsonDocument d) =>
        new(d["_id"].AsString, d["appid"].AsString, DateTimeOffset.FromUnixTimeMilliseconds(d["expires_at"].AsInt64), d["replaced"].AsBoolean);

    private static SessionRecord ToSession(BsonDocument d) => new(
        d["appid"].AsString, d["openid"].AsString, d["session_key"].AsString,
        d["expires_at"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(d["expires_at"].AsInt64));
}

/// <summary>The database file (or its log) cannot be opened or created: the process says so in one sentence and exits 2.</summary>
public sealed class DatabaseOpenException(string path, Exception cause)
    : IOException($"cannot open the database {path}: {cause.Message}", cause);
