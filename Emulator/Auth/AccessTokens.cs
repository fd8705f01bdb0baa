using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>
/// Access tokens of /cgi-bin/token: 7200 s by default, read from the emulator's clock. When a new token is
/// issued the app's previous ones keep working for at most 5 more minutes (docs/wechat-api.md §8).
/// </summary>
public sealed class AccessTokens(IAuthStore store, TimeProvider time, IOptions<EmulatorOptions> options) : IDisposable
{
    private static readonly TimeSpan OverlapAfterRenewal = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PurgeAfter = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, AccessTokenRecord> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _issueLock = new(1, 1);

    public int TtlSeconds => options.Value.AccessTokenTtlSeconds;

    public async Task<AccessTokenRecord> IssueAsync(string appid)
    {
        // One issue at a time, until committed, so "the previous tokens" are always the ones the database holds.
        await _issueLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var token = new AccessTokenRecord(NewToken(), appid, now.AddSeconds(TtlSeconds));
#pragma warning disable RS0030 // not a secret: an appid is a public identifier
            var replaced = _tokens.Values
                .Where(t => t.Appid == appid && !t.Replaced && t.ExpiresAt > now)
#pragma warning restore RS0030
                .Select(t => t with { ExpiresAt = t.ExpiresAt < now + OverlapAfterRenewal ? t.ExpiresAt : now + OverlapAfterRenewal, Replaced = true });
            var saved = replaced.Append(token).ToList();
            // Tokens long past their expiry would only grow the store: after a day they answer 40001 like any unknown token.
            var purged = _tokens.Values.Where(t => t.ExpiresAt < now - PurgeAfter).Select(t => t.Token).ToList();
            var result = await store.SaveAsync(new SaveTokens(saved, purged), () =>
            {
                foreach (var t in saved)
                {
                    _tokens[t.Token] = t;
                }
                foreach (var id in purged)
                {
                    _tokens.TryRemove(id, out _);
                }
            }).ConfigureAwait(false);
            result.EnsureCommitted();
            return token;
        }
        finally
        {
            _issueLock.Release();
        }
    }

    /// <summary>
    /// Valid until it expires; then 42001, except a token that a newer one replaced: after its 5 minutes of
    /// grace it is "invalid or not latest", 40001 (docs/wechat-api.md §5, §8).
    /// </summary>
    public TokenState Check(string token, out AccessTokenRecord? record)
    {
        if (!_tokens.TryGetValue(token, out record))
        {
            return TokenState.Unknown;
        }
        if (record.ExpiresAt > time.GetUtcNow())
        {
            return TokenState.Valid;
        }
        return record.Replaced ? TokenState.Unknown : TokenState.Expired;
    }

    // Real tokens are long opaque strings of [A-Za-z0-9_-] (clients must keep ≥ 512 chars of storage).
    private static string NewToken() => Base64UrlEncode(RandomNumberGenerator.GetBytes(96));

    internal static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal void Load(IEnumerable<AccessTokenRecord> tokens)
    {
        foreach (var token in tokens)
        {
            _tokens[token.Token] = token;
        }
    }

    internal void Clear() => _tokens.Clear();

    public void Dispose() => _issueLock.Dispose();
}
