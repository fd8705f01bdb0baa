using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MidasEmulator.Storage;

namespace MidasEmulator.Auth;

public enum TokenState
{
    Valid,
    Unknown,
    Expired,
}

/// <summary>
/// Access tokens of /cgi-bin/token: 7200 s by default, read from the emulator's clock. When a new token is
/// issued the app's previous ones keep working for at most 5 more minutes (midas-api.md §8).
/// </summary>
public sealed class AccessTokens(LedgerWriter writer, TimeProvider time, IOptions<EmulatorOptions> options)
{
    private static readonly TimeSpan OverlapAfterRenewal = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, AccessTokenRecord> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _issueLock = new();

    public int TtlSeconds => options.Value.AccessTokenTtlSeconds;

    public async Task<AccessTokenRecord> IssueAsync(string appid)
    {
        List<AccessTokenRecord> changed;
        AccessTokenRecord token;
        // One issue at a time, so "the previous token" is well defined; the writer persists them in order.
        lock (_issueLock)
        {
            var now = time.GetUtcNow();
            token = new AccessTokenRecord(NewToken(), appid, now.AddSeconds(TtlSeconds));
            changed = _tokens.Values
                .Where(t => t.Appid == appid && t.ExpiresAt > now + OverlapAfterRenewal)
                .Select(t => t with { ExpiresAt = now + OverlapAfterRenewal })
                .Append(token)
                .ToList();
        }
        await Task.WhenAll(changed.Select(t => writer.SaveAsync(new SaveToken(t)))).ConfigureAwait(false);
        foreach (var t in changed)
        {
            _tokens[t.Token] = t;
        }
        return token;
    }

    public TokenState Check(string token, out AccessTokenRecord? record)
    {
        if (!_tokens.TryGetValue(token, out record))
        {
            return TokenState.Unknown;
        }
        return record.ExpiresAt > time.GetUtcNow() ? TokenState.Valid : TokenState.Expired;
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
}
