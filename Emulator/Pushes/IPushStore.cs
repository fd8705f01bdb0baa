using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>
/// Where pushes and their configurations live (Storage/ implements it): writes go through the single writer, in the same
/// group commit as the ledger, so a coin order and its push are saved together or not at all.
/// </summary>
public interface IPushStore
{
    /// <summary>Saves <paramref name="writes"/> together, in the next group commit.</summary>
    Task<CommitResult> SavePushAsync(params PushWrite[] writes);

    /// <summary>An id for a push made outside a command (POST /admin/pushes), so the caller can name it before it is saved.</summary>
    long NewPushId();

    Push? FindPush(long id);

    /// <summary>Pending pushes whose attempt is due at <paramref name="now"/>, oldest first.</summary>
    IReadOnlyList<Push> DuePushes(DateTimeOffset now, int limit);

    /// <summary>The ids and next attempt times of the first <paramref name="limit"/> pending pushes, soonest first.</summary>
    IReadOnlyList<(long Id, DateTimeOffset NextAttemptAt)> NextAttempts(int limit);

    /// <summary>Raised after a commit that saved a push change, so the dispatcher looks at once instead of at its next timer.</summary>
    event Action? PushesSaved;

    /// <summary>GET /admin/pushes: newest first; <see cref="PushQuery.BeforeId"/> pages to older ones.</summary>
    IReadOnlyList<Push> QueryPushes(PushQuery query);

    PushReceiver? FindPushReceiver(string appid, PushChannel channel);
}

/// <summary>GET /admin/pushes' filters; every one is optional.</summary>
public sealed record PushQuery(string? Appid, string? Openid, string? Event, string? OutTradeNo, PushStatus? Status, long? BeforeId, int Limit);

/// <summary>A change to the pushes or their configurations, applied inside one commit.</summary>
public abstract record PushWrite;

public sealed record SavePushReceiver(PushReceiver Receiver) : PushWrite;

public sealed record DeletePushReceiver(string Appid, PushChannel Channel) : PushWrite;

/// <summary>A new push; the store gives it its id.</summary>
public sealed record InsertPush(Push Push) : PushWrite;

/// <summary>
/// Changes one push as it is at the commit (<paramref name="Change"/> returns null to leave it as it is): an attempt's
/// result, a retry and a cancel each see the others' effect instead of overwriting it.
/// </summary>
public sealed record ChangePush(long Id, Func<Push, Push?> Change) : PushWrite;

/// <summary>Changes every push of an app's channel that is in <paramref name="Status"/> (a saved configuration releases the waiting ones).</summary>
public sealed record ChangePushesOfChannel(string Appid, PushChannel Channel, PushStatus Status, Func<Push, Push> Change) : PushWrite;

/// <summary>
/// The game answered an item order's delivery push with success: queryorderinfo's deliver_state turns to 2, for a paid
/// item order of that player only.
/// </summary>
public sealed record MarkItemDelivered(string Appid, string OutTradeNo, string Openid) : PushWrite;

/// <summary>The push found no configuration for its channel: it waits (no_receiver), unless one is saved by the time of the commit.</summary>
public sealed record WaitForReceiver(long Id, string Appid, PushChannel Channel) : PushWrite;
