using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>
/// The pushes a committed money command owes the game server (docs/wechat-vp2-api.md §7.3): a paid coin order sends
/// minigame_coin_deliver_completed, a paid item order minigame_game_pay_goods_deliver_notify, a platform refund
/// minigame_pay_refund_succ_notify. The writer saves them in the command's own commit, so a crash never keeps the
/// coins and loses the push, or the other way round.
/// </summary>
public static class PushOutbox
{
    public static IReadOnlyList<Push> For(MidasCommand command, CommandResult result, DateTimeOffset now)
    {
        if (!result.Reply.IsOk || result.ClientOrder is not { } order)
        {
            return [];
        }
        return command switch
        {
            PurchaseCommand when order.Paid => order.Biz == ClientOrderBiz.Coins
                ? [Make(order, PushEvents.CoinDelivered, PushPayloads.CoinDelivered(order), now)]
                : [Make(order, PushEvents.GoodsDeliver, PushPayloads.GoodsDeliver(order), now)],
            ClientRefundCommand refund =>
                [Make(order, PushEvents.RefundSucceeded, PushPayloads.RefundSucceeded(order, "refund" + OrderNumbers.RandomDigits(20), refund.Price), now)],
            _ => [],
        };
    }

    private static Push Make(ClientOrder order, string eventName, string payload, DateTimeOffset now) => PushLife.New(new Push
    {
        Appid = order.Appid,
        Event = eventName,
        Openid = order.Account.Openid,
        Env = order.Account.Env,
        OutTradeNo = order.OutTradeNo,
        FromOrder = true,
        Status = PushStatus.Pending,
        CreatedAt = now,
        Payload = payload,
    }, now);
}
