using MidasEmulator.Auth;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>How far a commit must get before its reply goes out (docs/architecture.md §2.1).</summary>
public enum Durability
{
    /// <summary>Written through to the OS: survives a killed process, not a power cut.</summary>
    Process,
    /// <summary>Forced to disk on every group commit.</summary>
    Full,
}

/// <summary>GET /admin/orders' filters. <see cref="AfterId"/> pages by the primary key: only the orders after it are read.</summary>
public sealed record OrderQuery(string? Openid, string? BillNo, Env? Env, OrderKind? Kind, int Offset, int Limit, long? AfterId = null);

/// <summary>What a start reads from the database: everything but the orders (the live bills come from the bill snapshot).</summary>
public sealed record StoredData(
    IReadOnlyList<Account> Accounts,
    long LastOrderId,
    IReadOnlyList<MidasApp> Apps,
    IReadOnlyList<AccessTokenRecord> Tokens,
    IReadOnlyList<SessionRecord> Sessions);

/// <summary>The database file (or its log) cannot be opened or created: the process says so in one sentence and exits 2.</summary>
public sealed class DatabaseOpenException(string path, Exception cause)
    : IOException($"cannot open the database {path}: {cause.Message}", cause);
