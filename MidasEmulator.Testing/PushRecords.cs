using System.Globalization;

namespace MidasEmulator.Testing;

// The /admin push replies and filters (virtual payment 2.0's HTTP callbacks to the game server), as the admin client
// reads them: snake_case on the wire.

/// <summary>
/// Where the emulator sends one channel's pushes for an app (PUT/GET /admin/apps/{appid}/push). <see cref="Mode"/> is
/// plain or safe (safe: encrypted with <see cref="EncodingAesKey"/>, as WeChat's message-push settings do).
/// </summary>
public sealed record MidasPushReceiver(
    string Appid, string Channel, string Url, string Token, string? EncodingAesKey, string Mode, DateTimeOffset SavedAt);

/// <summary>An app's two push receivers (GET /admin/apps/{appid}/push); null where none is set.</summary>
public sealed record MidasPushReceivers(MidasPushReceiver? Events, MidasPushReceiver? Goods);

/// <summary>
/// One push and its delivery attempts, as GET /admin/pushes lists it. <see cref="Status"/> is one of
/// <see cref="MidasPushStatus"/>; <see cref="Payload"/> is the body the game server is sent (before safe-mode encryption).
/// </summary>
public sealed record MidasPush(
    long Id, string Appid, string Channel, string Event, string Openid, string Env, string? OutTradeNo, bool IsMock, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, string Payload, IReadOnlyList<MidasPushAttempt> Attempts)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var last = Attempts.Count == 0 ? null : Attempts[^1];
        var lastText = last is null ? "no attempt" : $"last attempt {last}";
        return $"push {Id} {Event} openid {Openid}{(OutTradeNo is null ? "" : $" out_trade_no {OutTradeNo}")}: {Status}, "
            + $"{Attempts.Count} attempt(s), {lastText}";
    }
}

/// <summary>
/// One try at delivering a push. <see cref="Error"/> is null when the game server replied, else timeout, refused,
/// reset, bad_reply (it replied, but not with success) or fault (a push fault rule, <see cref="FaultId"/>, failed it).
/// </summary>
public sealed record MidasPushAttempt(DateTimeOffset At, int? HttpStatus, string? Reply, string? Error, double DurationMs, string? FaultId)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{At:O} http {(HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "-")}"
        + $"{(Error is null ? "" : $" error {Error}")}{(FaultId is null ? "" : $" (fault {FaultId})")}{(Reply is null ? "" : $" reply {Reply}")}";
}

/// <summary>The filters of GET /admin/pushes (newest first); null leaves a filter out.</summary>
public sealed record MidasPushQuery
{
    /// <summary>Only this player's pushes.</summary>
    public string? Openid { get; init; }
    /// <summary>Only this event (one of <see cref="MidasPushEvents"/>).</summary>
    public string? Event { get; init; }
    /// <summary>Only pushes about this client order.</summary>
    public string? OutTradeNo { get; init; }
    /// <summary>Only pushes in this state (one of <see cref="MidasPushStatus"/>).</summary>
    public string? Status { get; init; }
    /// <summary>At most this many.</summary>
    public int? Limit { get; init; }
    /// <summary>Only pushes older than this id: the next page after a page ending with it.</summary>
    public long? AfterId { get; init; }
}

/// <summary>
/// The two push channels an app sets a receiver for (a push's <see cref="MidasPush.Channel"/>); which event goes to
/// which channel is the emulator's routing, not this client's.
/// </summary>
public static class MidasPushChannels
{
    /// <summary>The <c>events</c> channel.</summary>
    public const string Events = "events";
    /// <summary>The <c>goods</c> channel.</summary>
    public const string Goods = "goods";
}

/// <summary>The event names of virtual payment 2.0's pushes, as the <c>Event</c> field of the payload carries them.</summary>
public static class MidasPushEvents
{
    /// <summary>Coins bought on the phone (wx.requestMidasPayment) were credited.</summary>
    public const string CoinDeliverCompleted = "minigame_coin_deliver_completed";
    /// <summary>An item bought in the game (wx.requestMidasPaymentGameItem) is to be delivered.</summary>
    public const string GamePayGoodsDeliverNotify = "minigame_game_pay_goods_deliver_notify";
    /// <summary>An item bought on an H5 page is to be delivered.</summary>
    public const string H5GoodsDeliverNotify = "minigame_h5_goods_deliver_notify";
    /// <summary>A refund went through.</summary>
    public const string PayRefundSuccNotify = "minigame_pay_refund_succ_notify";
    /// <summary>Coins bought in the recharge center were credited.</summary>
    public const string RechargeCenterCoinDeliverCompleted = "minigame_recharge_center_coin_deliver_completed";

    /// <summary>All five, for a theory's data or a loop.</summary>
    public static IReadOnlyList<string> All { get; } =
        [CoinDeliverCompleted, GamePayGoodsDeliverNotify, H5GoodsDeliverNotify, PayRefundSuccNotify, RechargeCenterCoinDeliverCompleted];
}

/// <summary>The states of a push (<see cref="MidasPush.Status"/>).</summary>
public static class MidasPushStatus
{
    /// <summary>Not delivered yet; another attempt is due at <see cref="MidasPush.NextAttemptAt"/>.</summary>
    public const string Pending = "pending";
    /// <summary>The game server acknowledged it.</summary>
    public const string Delivered = "delivered";
    /// <summary>Every retry failed; the emulator gave up.</summary>
    public const string Failed = "failed";
    /// <summary>Cancelled through POST /admin/pushes/{id}/cancel.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>The app had no receiver set for the push's channel, so nothing was sent.</summary>
    public const string NoReceiver = "no_receiver";
}
