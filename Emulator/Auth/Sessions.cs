using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

public enum LoginCodeState
{
    Valid,
    Invalid,
    Used,
}

/// <summary>
/// Logged-in users and the one-time login codes that create them. A user has one valid session_key at a
/// time: a new session replaces the old, so an mp_sig made with the old key then fails (docs/wechat-api.md §8).
/// </summary>
public sealed class Sessions(IAuthStore store, TimeProvider time, IOptions<EmulatorOptions> options)
{
    private readonly ConcurrentDictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LoginCode> _codes = new(StringComparer.Ordinal);

    private sealed record LoginCode(string Appid, string Openid, DateTimeOffset ExpiresAt)
    {
        public bool Used { get; set; }
    }

    /// <summary>The user's live session, or null when none was issued, it was replaced and ended, or it expired.</summary>
    public SessionRecord? FindLive(string appid, string openid)
    {
        if (!_sessions.TryGetValue($"{appid}|{openid}", out var session))
        {
            return null;
        }
        return session.ExpiresAt is { } at && at <= time.GetUtcNow() ? null : session;
    }

    public async Task<SessionRecord> StartAsync(string appid, string openid, string? sessionKey = null)
    {
        var ttl = options.Value.SessionTtlSeconds;
        var session = new SessionRecord(appid, openid, sessionKey ?? NewSessionKey(),
            ttl > 0 ? time.GetUtcNow().AddSeconds(ttl) : null);
        (await store.SaveAsync(new SaveSession(session), () => _sessions[session.Id] = session).ConfigureAwait(false)).EnsureCommitted();
        return session;
    }

    public async Task<bool> EndAsync(string appid, string openid)
    {
        if (!_sessions.ContainsKey($"{appid}|{openid}"))
        {
            return false;
        }
        (await store.SaveAsync(new DeleteSession(appid, openid), () => _sessions.TryRemove($"{appid}|{openid}", out _)).ConfigureAwait(false))
            .EnsureCommitted();
        return true;
    }

    /// <summary>A one-time js_code, what wx.login gives the game client; lives LoginCodeTtlSeconds.</summary>
    public string IssueLoginCode(string appid, string openid)
    {
        PurgeExpiredCodes();
        var code = AccessTokens.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new LoginCode(appid, openid, time.GetUtcNow().AddSeconds(options.Value.LoginCodeTtlSeconds));
        return code;
    }

    /// <summary>Uses up a login code: single use (40163 the second time), expired or unknown codes are 40029.</summary>
    public LoginCodeState RedeemLoginCode(string appid, string code, out string openid)
    {
        openid = "";
#pragma warning disable RS0030 // not a secret: an appid is a public identifier; the code itself was looked up in the dictionary
        if (!_codes.TryGetValue(code, out var login) || login.Appid != appid || login.ExpiresAt <= time.GetUtcNow())
#pragma warning restore RS0030
        {
            return LoginCodeState.Invalid;
        }
        lock (login)
        {
            if (login.Used)
            {
                return LoginCodeState.Used;
            }
            login.Used = true;
        }
        openid = login.Openid;
        return LoginCodeState.Valid;
    }

    /// <summary>Makes a redeemed code usable again: its session could not be saved.</summary>
    public void ReleaseLoginCode(string code)
    {
        if (_codes.TryGetValue(code, out var login))
        {
            lock (login)
            {
                login.Used = false;
            }
        }
    }

    private void PurgeExpiredCodes()
    {
        var now = time.GetUtcNow();
        foreach (var (code, login) in _codes)
        {
            if (login.ExpiresAt <= now)
            {
                _codes.TryRemove(code, out _);
            }
        }
    }

    /// <summary>A session_key as WeChat issues them: 24-char base64 of 16 random bytes.</summary>
    public static string NewSessionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    internal void Load(IEnumerable<SessionRecord> sessions)
    {
        foreach (var session in sessions)
        {
            _sessions[session.Id] = session;
        }
    }

    internal void Clear()
    {
        _sessions.Clear();
        _codes.Clear();
    }
}
