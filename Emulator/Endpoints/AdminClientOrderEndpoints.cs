using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>
/// /admin/client-orders: what the player's phone does with wx.requestMidasPayment and wx.requestMidasPaymentGameItem, so that
/// /wxa/game/queryorderinfo has orders to answer (docs/reference.md §1.2).
/// </summary>
public static partial class AdminEndpoints
{
    private const string ClientOrdersTag = "Client-side orders";

    private static RouteGroupBuilder MapClientOrderApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/client-orders", CreateClientOrderAsync).TakesQuery()
            .WithJsonBody<ClientOrderRequest>()
            .Produces<ClientOrderReply>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapGet("/client-orders", GetClientOrders).TakesQuery("openid", "out_trade_no", "biz_id", "limit", "offset")
            .Produces<IReadOnlyList<ClientOrderReply>>().ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("/client-orders/{outTradeNo}/refund", RefundClientOrderAsync).TakesQuery()
            .WithJsonBody<ClientRefundRequest>(required: false)
            .Produces<ClientOrderReply>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return admin;
    }

    [Tags(ClientOrdersTag)]
    [EndpointSummary("Make a client-side order (what the player's phone does)")]
    [EndpointDescription("biz_id 1 is wx.requestMidasPayment: buy_quantity coins (1 … 2147483647), price in cents (default "
        + "buy_quantity × 10); a paid one credits the coins at once as a purchase order (deliver_state 2). biz_id 2 is "
        + "wx.requestMidasPaymentGameItem: product_id, quantity (default 1), price in cents, attach; deliver_state stays 1 until "
        + "the game acknowledges the delivery. out_trade_no: 1–32 of [0-9A-Za-z_-|*@], not starting with _, one use only (409 on "
        + "reuse); without one the emulator makes one starting with _, as the platform does. pay_state \"unpaid\" records the order "
        + "and credits nothing. env sandbox (default) or production, zone_id \"1\" by default.")]
    public static async Task<IResult> CreateClientOrderAsync(AdminJson<ClientOrderRequest> json, AppRegistry apps, LedgerWriter writer,
        TimeProvider clock)
    {
        var body = json.Value;
        if (body.Openid is not { } openid)
        {
            return AdminProblems.BadRequest("openid is required");
        }
        if (ResolveAccount(openid, body.Appid, body.ZoneId, body.Env, apps, out var app, out var key) is { } invalid)
        {
            return invalid;
        }
        if (!app.Zones.IsPublished(key.Env, key.ZoneId))
        {
            return AdminProblems.BadRequest($"zone_id {key.ZoneId} is not published for {key.Env.ToWire()} (POST /admin/apps sets the zones)");
        }
        if (body.BizId is not (1 or 2))
        {
            return AdminProblems.BadRequest("biz_id must be 1 (coins, wx.requestMidasPayment) or 2 (an item, wx.requestMidasPaymentGameItem)");
        }
        var biz = (ClientOrderBiz)body.BizId.Value;
        if (body.PayState is not (null or "paid" or "unpaid"))
        {
            return AdminProblems.BadRequest("pay_state must be paid (the default) or unpaid");
        }
        if (body.OutTradeNo is { } given && ClientOrder.CheckOutTradeNo(given) is { } badOutTradeNo)
        {
            return AdminProblems.BadRequest(badOutTradeNo);
        }
        long quantity;
        long price;
        if (biz == ClientOrderBiz.Coins)
        {
            if (body.BuyQuantity is not (>= 1 and <= int.MaxValue) || body.ProductId is not null || body.Quantity is not null)
            {
                return AdminProblems.BadRequest($"a coin order (biz_id 1) takes buy_quantity, 1 to {int.MaxValue}, and no product_id or quantity");
            }
            quantity = body.BuyQuantity.Value;
            price = body.Price ?? quantity * 10;
        }
        else
        {
            if (body.ProductId is not { Length: > 0 and <= MidasValidation.MaxKeyPartLength } || body.BuyQuantity is not null || body.Price is null)
            {
                return AdminProblems.BadRequest($"an item order (biz_id 2) takes product_id (1 to {MidasValidation.MaxKeyPartLength} characters) "
                    + "and price, and no buy_quantity");
            }
            quantity = body.Quantity ?? 1;
            price = body.Price.Value;
            if (quantity is < 1 or > 1_000_000)
            {
                return AdminProblems.BadRequest("quantity must be 1 to 1000000");
            }
        }
        if (price is < 1 or > MidasValidation.MaxSetBalance)
        {
            return AdminProblems.BadRequest($"price must be 1 to {MidasValidation.MaxSetBalance} cents");
        }
        if (body.Attach is { Length: > MidasValidation.MaxTextLength })
        {
            return AdminProblems.BadRequest($"attach must be at most {MidasValidation.MaxTextLength} characters");
        }
        var order = new ClientOrder
        {
            OutTradeNo = body.OutTradeNo ?? "_" + OrderNumbers.RandomDigits(20),
            Appid = app.Appid,
            Account = key,
            Biz = biz,
            Quantity = quantity,
            Price = price,
            ProductId = body.ProductId,
            Attach = body.Attach,
            Paid = body.PayState != "unpaid",
            Delivered = false,
            CreatedAt = clock.GetUtcNow(),
            MchOrderNo = OrderNumbers.RandomDigits(28),
            TransactionId = "42" + OrderNumbers.RandomDigits(26),
        };
        var result = await writer.SubmitAsync(new PurchaseCommand(key, app.Appid, order)).ConfigureAwait(false);
        result.EnsureCommitted();
        if (!result.Reply.IsOk)
        {
            return AdminProblems.Conflict(result.Reply.Errmsg);
        }
        var stored = writer.FindClientOrder(app.Appid, order.OutTradeNo)!;
        return TypedResults.Created($"/admin/client-orders?out_trade_no={Uri.EscapeDataString(order.OutTradeNo)}", ClientOrderReply.From(stored));
    }

    [Tags(ClientOrdersTag)]
    [EndpointSummary("List client-side orders")]
    [EndpointDescription("Oldest first, filtered by openid, out_trade_no and biz_id; limit 1 … 10000 (default 100) and offset page through them.")]
    public static IResult GetClientOrders([Description("Only this player's orders.")] string? openid,
        [FromQuery(Name = "out_trade_no"), Description("Only this order.")] string? outTradeNo,
        [FromQuery(Name = "biz_id"), Description("Only coins (1) or items (2).")] string? bizId,
        [Description(LimitParam)] string? limit, [Description("Orders to skip first; default 0.")] string? offset, LiteDbStore store)
    {
        int? biz = null;
        if (bizId is not null)
        {
            if (bizId is not ("1" or "2"))
            {
                return AdminProblems.BadRequest("biz_id must be 1 or 2");
            }
            biz = bizId == "1" ? 1 : 2;
        }
        if (!TryInt(limit, 100, out var take) || take is < 1 or > MaxOrdersPage)
        {
            return AdminProblems.BadRequest($"limit must be an integer from 1 to {MaxOrdersPage}");
        }
        if (!TryInt(offset, 0, out var skip) || skip < 0)
        {
            return AdminProblems.BadRequest("offset must be an integer, 0 or more");
        }
        var orders = store.QueryClientOrders(openid, outTradeNo, biz, skip, take);
        return TypedResults.Ok<IReadOnlyList<ClientOrderReply>>(orders.Select(ClientOrderReply.From).ToList());
    }

    [Tags(ClientOrdersTag)]
    [EndpointSummary("Refund a client-side order (a platform refund)")]
    [EndpointDescription("Gives the player back amount cents (default all that is left) of a paid order. A coin order's coins are "
        + "taken back first, in proportion, as a negative purchase order; when the player has spent them the answer is 409 and "
        + "nothing changes. 404 for an unknown out_trade_no.")]
    public static async Task<IResult> RefundClientOrderAsync(string outTradeNo, AdminJson<ClientRefundRequest> json, AppRegistry apps,
        LedgerWriter writer)
    {
        var body = json.Value ?? new ClientRefundRequest();
        if (apps.Resolve(body.Appid, out var unresolved) is not { } app)
        {
            return AdminProblems.BadRequest(unresolved);
        }
        if (writer.FindClientOrder(app.Appid, outTradeNo) is not { } order)
        {
            return AdminProblems.NotFound($"no client-side order {outTradeNo} for appid {app.Appid}");
        }
        var result = await writer.SubmitAsync(new ClientRefundCommand(order.Account, app.Appid, outTradeNo, body.Amount ?? order.Price - order.RefundedPrice))
            .ConfigureAwait(false);
        result.EnsureCommitted();
        return result.Reply.Errcode switch
        {
            MidasErrcode.Ok => TypedResults.Ok(ClientOrderReply.From(writer.FindClientOrder(app.Appid, outTradeNo)!)),
            MidasErrcode.BalanceTooLow => AdminProblems.Conflict(result.Reply.Errmsg),
            _ => AdminProblems.BadRequest(result.Reply.Errmsg),
        };
    }
}
