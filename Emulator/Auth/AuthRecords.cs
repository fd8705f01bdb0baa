namespace MidasEmulator.Auth;

/// <summary>An access token from /cgi-bin/token. <see cref="Replaced"/>: a newer token was issued, so this one lives at most 5 more minutes.</summary>
public sealed record AccessTokenRecord(string Token, string Appid, DateTimeOffset ExpiresAt, bool Replaced = false);

/// <summary>A logged-in user: the session_key signs their mp_sig. ExpiresAt null means it never expires.</summary>
public sealed record SessionRecord(string Appid, string Openid, string SessionKey, DateTimeOffset? ExpiresAt)
{
    public string Id => $"{Appid}|{Openid}";
}
