using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>
/// Where apps, access tokens and sessions are saved: the single writer, in the same group commit as the ledger
/// (Storage/ implements it). The in-memory view changes only in <c>onCommitted</c>, so it never differs from the database.
/// </summary>
public interface IAuthStore
{
    /// <summary>Saves <paramref name="write"/>; <paramref name="onCommitted"/> runs after its commit, in commit order.</summary>
    Task<CommitResult> SaveAsync(AuthWrite write, Action onCommitted);
}

/// <summary>A change to the auth collections, written in the same group commit as the ledger.</summary>
public abstract record AuthWrite;
public sealed record SaveApp(MidasApp App) : AuthWrite;
/// <summary>A token issue: the new token and the ones it replaced, saved together; long-expired ones removed.</summary>
public sealed record SaveTokens(IReadOnlyList<AccessTokenRecord> Tokens, IReadOnlyList<string> Purged) : AuthWrite;
public sealed record SaveSession(SessionRecord Session) : AuthWrite;
public sealed record DeleteSession(string Appid, string Openid) : AuthWrite;
