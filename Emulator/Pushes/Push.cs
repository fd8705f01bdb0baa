using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>
/// The two push configurations a 2.0 game has on the platform (docs/wechat-vp2-api.md §7.1): 事件订阅 (events: coins
/// credited, refunds, recharge centre) and 发货推送 (goods: item and mall deliveries). Each has its own URL and retry schedule.
/// </summary>
public enum PushChannel
{
    Events,
    Goods,
}

/// <summary>明文 (plain) sends the envelope as it is; 安全模式 (safe) encrypts it with the EncodingAESKey.</summary>
public enum PushMode
{
    Plain,
    Safe,
}

/// <summary>Where a push is in its life (docs/reference.md, pushes).</summary>
public enum PushStatus
{
    /// <summary>An attempt is due at <see cref="Push.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>An attempt got HTTP 200 with JSON ErrCode 0 within the timeout: never sent again.</summary>
    Delivered,

    /// <summary>The retry schedule ran out without a success.</summary>
    Failed,

    /// <summary>Stopped by POST /admin/pushes/{id}/cancel.</summary>
    Cancelled,

    /// <summary>The app has no configuration for the push's channel: sent once one is saved.</summary>
    NoReceiver,
}

/// <summary>One channel's configuration: the game server's callback URL, its Token and, for safe mode, its EncodingAESKey.</summary>
public sealed record PushReceiver(string Appid, PushChannel Channel, string Url, string Token, string? EncodingAesKey, PushMode Mode, DateTimeOffset SavedAt)
{
    /// <summary>Identifies the configuration in storage: one per app and channel.</summary>
    public string Id => IdOf(Appid, Channel);

    public static string IdOf(string appid, PushChannel channel) => $"{appid}|{PushNames.Of(channel)}";
}

/// <summary>One try at delivering a push. <see cref="Error"/> is null when the receiver answered success.</summary>
public sealed record PushAttempt(DateTimeOffset At, int? HttpStatus, string? Reply, string? Error, double DurationMs, string? FaultId)
{
    /// <summary>The receiver answered HTTP 200 with JSON ErrCode 0 in time.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// A message the emulator sends to the game server, as WeChat does after a payment event (docs/wechat-vp2-api.md §7).
/// <see cref="Payload"/> is the JSON string exactly as it is signed and sent; it never changes after creation.
/// </summary>
public sealed record Push
{
    public long Id { get; init; }
    public required string Appid { get; init; }
    public required string Event { get; init; }
    public required string Openid { get; init; }
    public required Env Env { get; init; }
    public string? OutTradeNo { get; init; }
    public bool IsMock { get; init; }

    /// <summary>
    /// Owed by a real order (a client-side order or its refund), not triggered by POST /admin/pushes: only such a goods
    /// push, answered with success, marks its order delivered.
    /// </summary>
    public bool FromOrder { get; init; }
    public required PushStatus Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public required string Payload { get; init; }
    public IReadOnlyList<PushAttempt> Attempts { get; init; } = [];

    /// <summary>
    /// The attempts that count towards the retry schedule: every attempt except a duplicate fault's copy, which is an extra
    /// send, not a try of its own.
    /// </summary>
    public int ScheduledAttempts { get; init; }

    public PushChannel Channel => PushEvents.ChannelOf(Event);
}
