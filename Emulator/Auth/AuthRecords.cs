using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>A registered mini-game: its credentials, its Midas offer and one AppKey per environment (docs/wechat-api.md §7).</summary>
public sealed record MidasApp(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey)
{
    /// <summary>The key that signs calls to <paramref name="env"/>'s paths; null when the app has no sandbox.</summary>
    public string? KeyFor(Env env) => env == Env.Sandbox ? SandboxAppKey : AppKey;
}

/// <summary>An access token from /cgi-bin/token. <see cref="Replaced"/>: a newer token was issued, so this one lives at most 5 more minutes.</summary>
public sealed record AccessTokenRecord(string Token, string Appid, DateTimeOffset ExpiresAt, bool Replaced = false);

/// <summary>A logged-in user: the session_key signs their mp_sig. ExpiresAt null means it never expires.</summary>
public sealed record SessionRecord(string Appid, string Openid, string SessionKey, DateTimeOffset? ExpiresAt)
{
    public string Id => $"{Appid}|{Openid}";
}
