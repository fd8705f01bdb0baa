using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>The apps, access tokens and sessions as a Midas call checks them.</summary>
public sealed class MidasCredentials(AppRegistry apps, AccessTokens tokens, Sessions sessions) : IMidasCredentials
{
    public TokenState CheckAccessToken(string accessToken, out string? appid)
    {
        var state = tokens.Check(accessToken, out var record);
        appid = record?.Appid;
        return state;
    }

    public MidasApp? FindApp(string appid) => apps.TryGet(appid, out var app) ? app : null;

    public string? FindSessionKey(string appid, string openid) => sessions.FindLive(appid, openid)?.SessionKey;
}
