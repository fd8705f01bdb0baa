using GameBackend;
using GameBackend.Push;

var builder = WebApplication.CreateBuilder(args);
// WeChat:BaseUrl is https://api.weixin.qq.com in production, the emulator in tests.
builder.Services.Configure<WeChatOptions>(builder.Configuration.GetSection("WeChat"));
builder.Services.AddHttpClient<MidasClient>((sp, http) =>
    http.BaseAddress = new Uri(builder.Configuration["WeChat:BaseUrl"] ?? "https://api.weixin.qq.com"));
builder.Services.AddSingleton<Players>();
// Virtual payment 2.0 pushes: Token, EncodingAesKey, Appid, AppKey and SandboxAppKey from the push configuration page.
builder.Services.Configure<WeChatPushOptions>(builder.Configuration.GetSection("WeChat:Push"));
builder.Services.AddSingleton<Deliveries>();

var app = builder.Build();

// The game client sends the code wx.login gave it; the backend redeems it for the player's session_key.
app.MapPost("/login", async (LoginRequest request, MidasClient midas, Players players) =>
{
    var (openid, sessionKey) = await midas.Code2SessionAsync(request.Code);
    players.LoggedIn(openid, sessionKey);
    return Results.Ok(new { openid });
});

// Buy an item: pay its price under a bill_no fixed for this order, retried until a definite answer, then grant it once.
app.MapPost("/buy", async (BuyRequest request, MidasClient midas, Players players) =>
{
    if (!Shop.Prices.TryGetValue(request.Item, out var price))
    {
        return Results.NotFound(new { error = $"no item {request.Item}" });
    }
    if (players.SessionKey(request.Openid) is not { } sessionKey)
    {
        return Results.Json(new { error = "login required" }, statusCode: 401);
    }
    // The order id comes from the game client, so a repeated tap is the same order: bill_no = order id.
    var billNo = $"buy-{request.OrderId}";
    var result = await midas.PayAsync(request.Openid, sessionKey, billNo, price);
    switch (result.Errcode)
    {
        case 0 or 90012: // 90012: an earlier attempt of this bill_no went through; the coins are gone once
            players.Grant(request.Openid, billNo, request.Item);
            return Results.Ok(new { granted = request.Item, balance = result.Balance, attempts = result.Attempts });
        case 90010: // the session ended: the game client must log in again
            players.LoggedOut(request.Openid);
            return Results.Json(new { error = "login required" }, statusCode: 401);
        case 90013:
            return Results.Json(new { error = "not enough coins" }, statusCode: 402);
        default:
            return Results.Json(new { error = $"midas errcode {result.Errcode}" }, statusCode: 502);
    }
});

// WeChat POSTs coin, item and refund pushes here (the URL set on the push configuration page).
app.MapWeChatPush();

// What the pushes handed out to a player: the items they hold (delivered and not refunded).
app.MapGet("/deliveries/{openid}", (string openid, Deliveries deliveries) =>
    Results.Ok(deliveries.ItemsHeld(openid).Select(d => new { out_trade_no = d.OutTradeNo, d.Detail })));

app.MapGet("/inventory/{openid}", (string openid, Players players) => Results.Ok(players.Inventory(openid)));

app.Run();

/// <summary>The backend's entry point, named by WebApplicationFactory in the tests (a global Program, as every web app has).</summary>
public partial class Program;
