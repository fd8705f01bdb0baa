using LiteDB;
using MidasEmulator.Pushes;

namespace MidasEmulator.Storage;

/// <summary>
/// The pushes and push configurations collections: written inside the store's group commit (the caller holds the
/// transaction and the gate), read by the dispatcher and GET /admin/pushes.
/// </summary>
internal sealed class PushCollections
{
    private readonly ILiteCollection<BsonDocument> _pushes;
    private readonly ILiteCollection<BsonDocument> _receivers;
    private readonly ILiteCollection<BsonDocument> _clientOrders;
    private long _lastPushId;

    public PushCollections(LiteDatabase db, ILiteCollection<BsonDocument> clientOrders)
    {
        _pushes = db.GetCollection("pushes");
        _receivers = db.GetCollection("push_receivers");
        _clientOrders = clientOrders;
        // The dispatcher asks for the due pushes several times a second: by status, the few pending ones among many settled.
        _pushes.EnsureIndex("status");
        _lastPushId = _pushes.Query().OrderByDescending("_id").Limit(1).ToDocuments().FirstOrDefault() is { } last ? last["_id"].AsInt64 : 0;
    }

    /// <summary>A push id not used before in this database (after POST /admin/reset, ids keep counting until the next start).</summary>
    public long NewId() => Interlocked.Increment(ref _lastPushId);

    public void Apply(PushWrite write)
    {
        switch (write)
        {
            case SavePushReceiver(var receiver):
                _receivers.Upsert(BsonMapping.ToDocument(receiver));
                break;
            case DeletePushReceiver(var appid, var channel):
                _receivers.Delete(PushReceiver.IdOf(appid, channel));
                break;
            case InsertPush(var push):
                _pushes.Insert(BsonMapping.ToDocument(push.Id == 0 ? push with { Id = NewId() } : push));
                break;
            case ChangePush(var id, var change):
                if (_pushes.FindById(id) is { } stored && change(BsonMapping.ToPush(stored)) is { } changed)
                {
                    _pushes.Update(BsonMapping.ToDocument(changed));
                }
                break;
            case ChangePushesOfChannel(var appid, var channel, var status, var change):
                foreach (var push in _pushes.Find(new Filter().Where("status", "=", PushNames.Of(status)).Where("appid", "=", appid).ToExpression())
                    .Select(BsonMapping.ToPush).Where(p => p.Channel == channel).ToList())
                {
                    _pushes.Update(BsonMapping.ToDocument(change(push)));
                }
                break;
            case WaitForReceiver(var id, var appid, var channel):
                if (_receivers.FindById(PushReceiver.IdOf(appid, channel)) is null && _pushes.FindById(id) is { } waiting)
                {
                    _pushes.Update(BsonMapping.ToDocument(PushLife.NoReceiver(BsonMapping.ToPush(waiting))));
                }
                break;
            case MarkItemDelivered(var appid, var outTradeNo, var openid):
                if (_clientOrders.FindById(BsonMapping.ClientOrderId(appid, outTradeNo)) is { } order
                    && order["biz_id"].AsInt32 == (int)Midas.ClientOrderBiz.Item && order["paid"].AsBoolean && order["openid"].AsString == openid)
                {
                    order["delivered"] = true;
                    _clientOrders.Update(order);
                }
                break;
        }
    }

    public Push? Find(long id) => _pushes.FindById(id) is { } document ? BsonMapping.ToPush(document) : null;

    public IReadOnlyList<Push> Due(DateTimeOffset now, int limit) =>
        _pushes.Query()
            .Where(new Filter().Where("status", "=", PushNames.Of(PushStatus.Pending)).Where("next_attempt_at", "<=", now.ToUnixTimeMilliseconds()).ToExpression())
            .OrderBy("_id").Limit(limit).ToEnumerable().Select(BsonMapping.ToPush).ToList();

    public IReadOnlyList<(long Id, DateTimeOffset NextAttemptAt)> NextAttempts(int limit) =>
        _pushes.Query()
            .Where(new Filter().Where("status", "=", PushNames.Of(PushStatus.Pending)).ToExpression())
            .OrderBy("next_attempt_at").Limit(limit).ToEnumerable()
            .Where(d => d["next_attempt_at"].IsNumber)
            .Select(d => (Id: d["_id"].AsInt64, NextAttemptAt: DateTimeOffset.FromUnixTimeMilliseconds(d["next_attempt_at"].AsInt64))).ToList();

    public IReadOnlyList<Push> Find(PushQuery query)
    {
        var filter = new Filter()
            .WhereEqual("appid", query.Appid)
            .WhereEqual("openid", query.Openid)
            .WhereEqual("event", query.Event)
            .WhereEqual("out_trade_no", query.OutTradeNo)
            .WhereEqual("status", query.Status is { } status ? PushNames.Of(status) : null);
        if (query.BeforeId is { } before)
        {
            filter.Where("_id", "<", before);
        }
        return filter.Apply(_pushes.Query()).OrderByDescending("_id").Limit(query.Limit).ToEnumerable().Select(BsonMapping.ToPush).ToList();
    }

    public PushReceiver? FindReceiver(string appid, PushChannel channel) =>
        _receivers.FindById(PushReceiver.IdOf(appid, channel)) is { } document ? BsonMapping.ToPushReceiver(document) : null;

    /// <summary>POST /admin/reset: the pushes go with the ledger; the configurations stay, like the apps they belong to.</summary>
    public void WipePushes() => _pushes.DeleteAll();
}
