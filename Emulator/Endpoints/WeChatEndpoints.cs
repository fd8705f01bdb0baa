using MidasEmulator.Auth;
using MidasEmulator.Faults;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>The auth helpers a game backend calls before Midas: /cgi-bin/token and /sns/jscode2session (docs/wechat-api.md §8).</summary>
public static class WeChatEndpoints
{
    /// <summary>The methods a POST-only WeChat API answers with 43002.</summary>
    internal static readonly string[] OtherMethods = ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"];

    private const string AuthTag = "Auth";

    public static IEndpointRouteBuilder MapWeChatApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cgi-bin/token", GetAccessTokenAsync).WithWeChatCall("token", env: null)
            .WithGroupName(ApiReference.WeChatDocument).WithTags(AuthTag).WithName("token")
            .WithSummary("Get the app's access_token")
            .WithDescription("auth.getAccessToken: exchanges the app's appid and secret for the access_token every Midas call "
                + "carries. The token lives AccessTokenTtlSeconds (7200 s); a new one limits the app's earlier tokens to 5 more "
                + "minutes. Errors (41002, 41004, 40013, 40001, 40002, -1) come as HTTP 200 with errcode and errmsg. "
                + $"Any other method answers 43001. See {ApiReference.WeChatRules}.")
            .WithQueryParameter("grant_type", "Must be client_credential.")
            .WithQueryParameter("appid", "A registered app (GET /admin/apps lists them).")
            .WithQueryParameter("secret", "The app's secret.")
            .Produces<AccessTokenReply>(StatusCodes.Status200OK);
        app.MapGet("/sns/jscode2session", CodeToSessionAsync).WithWeChatCall("jscode2session", env: null)
            .WithGroupName(ApiReference.WeChatDocument).WithTags(AuthTag).WithName("jscode2session")
            .WithSummary("Exchange a login code for the player's openid and session_key")
            .WithDescription("auth.code2Session: redeems the one-time js_code the game client got from wx.login (here: "
                + "POST /admin/login-codes) for the player's openid and a new session_key, which replaces the old one and keys "
                + "mp_sig. Errors (41002, 41004, 40013, 40125, 41008, 40002, 40029, 40163, -1) come as HTTP 200 with errcode "
                + $"and errmsg. Any other method answers 43001. See {ApiReference.WeChatRules}.")
            .WithQueryParameter("appid", "A registered app.")
            .WithQueryParameter("secret", "The app's secret.")
            .WithQueryParameter("js_code", "A one-time code from POST /admin/login-codes; it lives 300 s.")
            .WithQueryParameter("grant_type", "Must be authorization_code.")
            .Produces<CodeToSessionReply>(StatusCodes.Status200OK);
        foreach (var (path, name) in new[] { ("/cgi-bin/token", "token"), ("/sns/jscode2session", "jscode2session") })
        {
            app.MapMethods(path, ["POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"], () => WireResult.Of(MidasReply.RequireGetMethod()))
                .WithWeChatCall(name, env: null, faultable: false)
                .ExcludeFromDescription();
        }
        return app;
    }

    /// <summary>GET /cgi-bin/token?grant_type=client_credential&amp;appid=A&amp;secret=S → {access_token, expires_in}.</summary>
    public static async Task<IResult> GetAccessTokenAsync(HttpRequest request, AppRegistry apps, AccessTokens tokens)
    {
        var query = request.Query;
        if (CheckApp(query["appid"], query["secret"], apps, secretWrong: MidasReply.SecretWrong) is { } error)
        {
            return WireResult.Of(error);
        }
        if (query["grant_type"] != "client_credential")
        {
            return WireResult.Of(MidasReply.InvalidGrantType("client_credential"));
        }
        AccessTokenRecord token;
        try
        {
            token = await tokens.IssueAsync(query["appid"]!).ConfigureAwait(false);
        }
        catch (NotCommittedException)
        {
            return WireResult.Of(MidasReply.SystemBusy("system error hint: the token could not be saved; retry"));
        }
        return new WireResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token"u8, token.Token);
            w.WriteNumber("expires_in"u8, tokens.TtlSeconds);
            w.WriteEndObject();
        });
    }

    /// <summary>GET /sns/jscode2session?appid&amp;secret&amp;js_code&amp;grant_type=authorization_code → {openid, session_key}.</summary>
    public static async Task<IResult> CodeToSessionAsync(HttpRequest request, AppRegistry apps, Sessions sessions)
    {
        var query = request.Query;
        if (CheckApp(query["appid"], query["secret"], apps, secretWrong: MidasReply.InvalidAppSecret) is { } error)
        {
            return WireResult.Of(error);
        }
        string? code = query["js_code"];
        if (string.IsNullOrEmpty(code))
        {
            return WireResult.Of(MidasReply.CodeMissing());
        }
        if (query["grant_type"] != "authorization_code")
        {
            return WireResult.Of(MidasReply.InvalidGrantType("authorization_code"));
        }
        var appid = query["appid"].ToString();
        switch (sessions.RedeemLoginCode(appid, code, out var openid))
        {
            case LoginCodeState.Used:
                return WireResult.Of(MidasReply.CodeBeenUsed());
            case LoginCodeState.Invalid:
                return WireResult.Of(MidasReply.InvalidCode());
        }
        // A new login gives a new session_key and voids the old one (docs/wechat-api.md §8).
        SessionRecord session;
        try
        {
            session = await sessions.StartAsync(appid, openid).ConfigureAwait(false);
        }
        catch (NotCommittedException)
        {
            // Nothing was saved, so the code is not used up: the retry WeChat asks for after -1 can succeed.
            sessions.ReleaseLoginCode(code);
            return WireResult.Of(MidasReply.SystemBusy("system error hint: the session could not be saved; retry"));
        }
        WeChatCall.For(request.HttpContext, "jscode2session", env: null).Openid = session.Openid;
        return new WireResult(w =>
        {
            w.WriteStartObject();
            w.WriteString("openid"u8, session.Openid);
            w.WriteString("session_key"u8, session.SessionKey);
            w.WriteEndObject();
        });
    }

    private static MidasReply? CheckApp(string? appid, string? secret, AppRegistry apps, Func<MidasReply> secretWrong)
    {
        if (string.IsNullOrEmpty(appid))
        {
            return MidasReply.AppidMissing();
        }
        if (string.IsNullOrEmpty(secret))
        {
            return MidasReply.AppSecretMissing();
        }
        if (!apps.TryGet(appid, out var app))
        {
            return MidasReply.InvalidAppid(appid);
        }
        return SecretCheck.AppSecretMatches(app, secret) ? null : secretWrong();
    }
}
