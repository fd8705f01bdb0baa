using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>The mini-game payment events the emulator sends, with their channel (docs/wechat-vp2-api.md §7.3).</summary>
public static class PushEvents
{
    /// <summary>Coins credited after wx.requestMidasPayment.</summary>
    public const string CoinDelivered = "minigame_coin_deliver_completed";

    /// <summary>An in-game item bought with wx.requestMidasPaymentGameItem: deliver it.</summary>
    public const string GoodsDeliver = "minigame_game_pay_goods_deliver_notify";

    /// <summary>An item bought in the mall (商城): deliver it.</summary>
    public const string MallGoodsDeliver = "minigame_h5_goods_deliver_notify";

    /// <summary>A refund went through.</summary>
    public const string RefundSucceeded = "minigame_pay_refund_succ_notify";

    /// <summary>Coins credited by a top-up in the recharge centre (充值中心).</summary>
    public const string RechargeCenterCoinDelivered = "minigame_recharge_center_coin_deliver_completed";

    public static readonly IReadOnlyList<string> All = [CoinDelivered, GoodsDeliver, MallGoodsDeliver, RefundSucceeded, RechargeCenterCoinDelivered];

    public static bool IsKnown(string? eventName) => eventName is not null && All.Contains(eventName, StringComparer.Ordinal);

    /// <summary>Item deliveries go to the delivery-push configuration; everything else to the event subscription.</summary>
    public static PushChannel ChannelOf(string eventName) =>
        eventName is GoodsDeliver or MallGoodsDeliver ? PushChannel.Goods : PushChannel.Events;

    /// <summary>
    /// The waits between attempts (docs/wechat-vp2-api.md §7.5): the first attempt is immediate, then one retry after each
    /// wait, about 24 h in all for deliveries and 12 h for events; after the last retry fails the push has failed.
    /// </summary>
    public static IReadOnlyList<TimeSpan> RetryWaits(PushChannel channel) => channel == PushChannel.Goods ? GoodsWaits : EventWaits;

    private static readonly TimeSpan[] EventWaits =
    [
        S(15), S(15), S(30), M(3), M(10), M(20), M(30), M(30), M(30), M(60), H(3), H(3), H(3),
    ];

    private static readonly TimeSpan[] GoodsWaits = [.. EventWaits, H(6), H(6)];

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    private static TimeSpan M(int minutes) => TimeSpan.FromMinutes(minutes);

    private static TimeSpan H(int hours) => TimeSpan.FromHours(hours);
}

/// <summary>The wire names of the push enums: events/goods, plain/safe, and the statuses.</summary>
public static class PushNames
{
    private static readonly WireNames<PushChannel> Channels = new((PushChannel.Events, "events"), (PushChannel.Goods, "goods"));
    private static readonly WireNames<PushMode> Modes = new((PushMode.Plain, "plain"), (PushMode.Safe, "safe"));
    private static readonly WireNames<PushStatus> Statuses = new(
        (PushStatus.Pending, "pending"), (PushStatus.Delivered, "delivered"), (PushStatus.Failed, "failed"),
        (PushStatus.Cancelled, "cancelled"), (PushStatus.NoReceiver, "no_receiver"));

    public static string Of(PushChannel channel) => Channels.Of(channel);

    public static string Of(PushMode mode) => Modes.Of(mode);

    public static string Of(PushStatus status) => Statuses.Of(status);

    public static bool TryParse(string? text, out PushChannel channel) => Channels.TryParse(text, out channel);

    public static bool TryParse(string? text, out PushMode mode) => Modes.TryParse(text, out mode);

    public static bool TryParse(string? text, out PushStatus status) => Statuses.TryParse(text, out status);
}
