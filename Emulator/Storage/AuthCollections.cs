using LiteDB;
using MidasEmulator.Auth;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>The apps, access tokens and sessions collections: written inside the store's group commit, read at start-up.</summary>
internal sealed class AuthCollections(LiteDatabase db)
{
    private readonly ILiteCollection<BsonDocument> _apps = db.GetCollection("apps");
    private readonly ILiteCollection<BsonDocument> _tokens = db.GetCollection("tokens");
    private readonly ILiteCollection<BsonDocument> _sessions = db.GetCollection("sessions");

    public bool HasApps => _apps.Count() > 0;

    public IReadOnlyList<MidasApp> Apps() => _apps.FindAll().Select(BsonMapping.ToApp).ToList();

    public IReadOnlyList<AccessTokenRecord> Tokens() => _tokens.FindAll().Select(BsonMapping.ToToken).ToList();

    public IReadOnlyList<SessionRecord> Sessions() => _sessions.FindAll().Select(BsonMapping.ToSession).ToList();

    /// <summary>Applies one change; the caller holds the transaction.</summary>
    public void Apply(AuthWrite write)
    {
        switch (write)
        {
            case SaveApp(var app):
                _apps.Upsert(BsonMapping.ToDocument(app));
                break;
            case SaveTokens(var tokens, var purged):
                foreach (var token in tokens)
                {
                    _tokens.Upsert(BsonMapping.ToDocument(token));
                }
                foreach (var id in purged)
                {
                    _tokens.Delete(id);
                }
                break;
            case SaveSession(var session):
                _sessions.Upsert(BsonMapping.ToDocument(session));
                break;
            case DeleteSession(var appid, var openid):
                _sessions.Delete($"{appid}|{openid}");
                break;
        }
    }

    /// <summary>Wipes tokens and sessions (POST /admin/reset); the registered apps stay. The caller holds the transaction.</summary>
    public void WipeLogins()
    {
        _tokens.DeleteAll();
        _sessions.DeleteAll();
    }
}
