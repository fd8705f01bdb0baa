using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Tests.Storage;

/// <summary>GET /admin/orders' reads over a ledger of several thousand orders: filters, offset and after_id combine as documented.</summary>
public sealed class QueryOrdersTests : IDisposable
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private static readonly AccountKey Bob = new(Env.Production, "12345678", "1", "oBob");
    private readonly LiteDbStore _store = new(LiteDbStore.InMemory, Durability.Process, NullLogger<LiteDbStore>.Instance);
    private readonly List<Order> _orders = [];
    private readonly Lazy<string> _olderFiles = new(() => Directory.CreateTempSubdirectory("midas-bill-key-").FullName);

    public QueryOrdersTests()
    {
        var at = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        // Alice's orders thin out towards the end, so an offset among hers reaches far into the ledger.
        for (var id = 1; id <= 20_000; id++)
        {
            var alice = id < 15_000 ? id % 3 == 0 : id % 97 == 0;
            _orders.Add(new Order
            {
                Id = id,
                Kind = id % 5 == 0 ? OrderKind.Present : OrderKind.Pay,
                Account = alice ? Alice : Bob,
                Appid = "wx1",
                // One bill_no used twice, in different buckets of the bill_no index (16,384 orders each).
                BillNo = id is 101 or 19_001 ? "B-twice" : $"B{id}",
                Amt = 1,
                GenAmt = 0,
                CreatedAt = at,
                BalanceAfter = 0,
            });
        }
        _store.Commit([], _orders, [], []);
    }

    public void Dispose()
    {
        _store.Dispose();
        if (_olderFiles.IsValueCreated)
        {
            Directory.Delete(_olderFiles.Value, recursive: true);
        }
    }

    public static TheoryData<string?, OrderKind?, int, int, long?> Queries => new()
    {
        { null, null, 0, 100, null },
        { null, null, 0, 100, 19_950 },
        { null, null, 12_345, 50, null },
        { null, null, 19_990, 50, 5 },
        { "oAlice", null, 0, 10_000, null },
        { "oAlice", null, 4_990, 20, null },
        { "oAlice", OrderKind.Present, 100, 100, 9_000 },
        { null, OrderKind.Present, 3_999, 10, null },
        { "oNobody", null, 0, 100, null },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void QueryOrders_AnswersWhatAFilterOverTheWholeLedgerWould(string? openid, OrderKind? kind, int offset, int limit, long? afterId)
    {
        var expected = _orders.Where(o => (openid is null || o.Account.Openid == openid) && (kind is null || o.Kind == kind) && o.Id > (afterId ?? 0))
            .Skip(offset).Take(limit).Select(o => o.Id);

        var found = _store.QueryOrders(new OrderQuery(openid, null, null, kind, offset, limit, afterId));

        Assert.Equal(expected, found.Select(o => o.Id));
    }

    [Fact]
    public void QueryOrders_ByBillNo_UsesItsIndex_AndHonoursTheOtherFilters()
    {
        Assert.Equal([300L], _store.QueryOrders(new OrderQuery("oAlice", "B300", null, null, 0, 10)).Select(o => o.Id));
        Assert.Empty(_store.QueryOrders(new OrderQuery("oBob", "B300", null, null, 0, 10)));
    }

    [Fact]
    public void BillNoInTwoBuckets_IsFoundInBoth_ByTheAdminQueryAndByTheCancelsLookup()
    {
        var twice = new OrderQuery(null, "B-twice", null, null, 0, 10);

        Assert.Equal([101L, 19_001L], _store.QueryOrders(twice).Select(o => o.Id));
        Assert.Equal([19_001L], _store.QueryOrders(twice with { AfterId = 101 }).Select(o => o.Id));
        Assert.Equal([19_001L], _store.QueryOrders(twice with { Offset = 1 }).Select(o => o.Id));
        Assert.Equal(19_001L, _store.FindPay(Bob, "B-twice")?.Id);
        Assert.Null(_store.FindPay(Alice, "B-twice"));
        Assert.Equal(19_999L, _store.FindPay(Bob, "B19999")?.Id);
        Assert.Null(_store.FindPay(Bob, "B-never"));
    }

    [Fact]
    public void SmallFileFromAnOlderBuild_LosesItsPlainBillNoIndex_AndFindsItsOrdersByTheBucketedOne()
    {
        var path = OlderFile(_orders.Take(50), withMisbuiltBillKey: true);

        using (var store = new LiteDbStore(path, Durability.Process, NullLogger<LiteDbStore>.Instance))
        {
            Assert.Equal([42L], store.QueryOrders(new OrderQuery(null, "B42", null, null, 0, 10)).Select(o => o.Id));
            Assert.Equal(43L, store.FindPay(Bob, "B43")?.Id);
        }
        var indexes = OrderIndexes(path);
        Assert.Equal(["_id", "bill_key"], indexes.Keys.Order());
        Assert.Equal(BsonExpression.Create(LiteDbStore.BillKeyExpression).Source, indexes["bill_key"]);
    }

    [Fact]
    public void LargeFileFromAnOlderBuild_KeepsItsPlainBillNoIndex_AndFindsItsOrdersByIt()
    {
        // Rebuilding would read every order at this start: past the limit the plain index stays, and answers.
        var lastId = LiteDbStore.RebuildPlainBillNoIndexUpToOrders + 1;
        var path = OlderFile([.. _orders.Take(50), _orders[100], _orders[19_000], _orders[^2] with { Id = lastId, BillNo = "B-twice" }], withMisbuiltBillKey: false);

        using (var store = new LiteDbStore(path, Durability.Process, NullLogger<LiteDbStore>.Instance))
        {
            Assert.Equal([42L], store.QueryOrders(new OrderQuery(null, "B42", null, null, 0, 10)).Select(o => o.Id));
            Assert.Equal([101L, 19_001L, lastId], store.QueryOrders(new OrderQuery(null, "B-twice", null, null, 0, 10)).Select(o => o.Id));
            Assert.Equal(lastId, store.FindPay(Bob, "B-twice")?.Id);
            Assert.Null(store.FindPay(Bob, "B-nothing"));
        }
        Assert.Equal(["_id", "billno"], OrderIndexes(path).Keys.Order());
        using var reopened = new LiteDatabase($"Filename={path};Connection=direct");
        var plan = reopened.Execute("EXPLAIN SELECT $ FROM orders WHERE $.bill_no = 'B42'").Current.AsDocument;
        Assert.Equal("billno", plan["index"]["name"].AsString);
    }

    // A database as an older build left it: orders indexed by plain bill_no (LiteDB names that index "billno").
    private string OlderFile(IEnumerable<Order> orders, bool withMisbuiltBillKey)
    {
        var path = Path.Combine(_olderFiles.Value, $"older-{Guid.NewGuid():N}.db");
        using var older = new LiteDatabase($"Filename={path};Connection=direct");
        var collection = older.GetCollection("orders");
        collection.EnsureIndex("bill_no");
        if (withMisbuiltBillKey)
        {
            collection.EnsureIndex("bill_key", "$.bill_no"); // an index of that name on another expression is rebuilt
        }
        collection.InsertBulk(orders.Select(BsonMapping.ToDocument));
        return path;
    }

    private static Dictionary<string, string> OrderIndexes(string path)
    {
        using var db = new LiteDatabase($"Filename={path};Connection=direct");
        return db.GetCollection("$indexes").Find("collection = 'orders'").ToDictionary(d => d["name"].AsString, d => d["expression"].AsString);
    }

    [Fact]
    public void AllOrdersReadAhead_GivesEveryOrderInIdOrder_LikeThePlainRead()
    {
        Assert.Equal(_orders.Select(o => o.Id), _store.AllOrdersReadAhead(pageSize: 333).Select(o => o.Id));
        Assert.Equal(_store.AllOrdersById().Select(o => (o.Id, o.BillNo, o.Account)), _store.AllOrdersReadAhead().Select(o => (o.Id, o.BillNo, o.Account)));
    }

    [Fact]
    public void AllOrdersReadAhead_ACallerThatStopsEarly_StopsTheReading()
    {
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), _store.AllOrdersReadAhead(pageSize: 10).Take(50).Select(o => o.Id));

        // Nothing reads on behind the caller's back: the store closes at once, and reads again as before it.
        Assert.Equal([1L], _store.QueryOrders(new OrderQuery(null, null, null, null, 0, 1)).Select(o => o.Id));
        _store.Close();
        Assert.Throws<ObjectDisposedException>(() => _store.QueryOrders(new OrderQuery(null, null, null, null, 0, 1)));
    }

    [Fact]
    public void AllOrdersReadAhead_AStoreClosedMidRead_ThrowsToTheCaller()
    {
        var read = 0;
        var failure = Assert.ThrowsAny<Exception>(() =>
        {
            foreach (var _ in _store.AllOrdersReadAhead(pageSize: 100))
            {
                if (++read == 150)
                {
                    _store.Close();
                }
            }
        });

        Assert.IsType<ObjectDisposedException>(failure);
        // At most the page in hand, the two waiting and the one the reader holds while it waits to add it.
        Assert.InRange(read, 150, 500);
    }
}
