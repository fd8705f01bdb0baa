using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.GamePay;

/// <summary>Virtual payment 2.0 over HTTP (docs/wechat-vp2-api.md §2–§6): each endpoint, errcode and money rule.</summary>
public class GamePayTests : EmulatorTest
{
    private static readonly object Zones = new { sandbox = new[] { "1", "s2" }, production = new[] { "p9" } };

    private readonly MidasGamePayClient _game;

    public GamePayTests() => _game = new MidasGamePayClient(App.CreateClient(), clock: App.Clock);

    private async Task<JsonElement> AdminPostAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await Admin.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path}: expected {expected}, got {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    [Fact]
    public async Task OfficialGetBalanceVector_WithOfficialSignatures_IsAccepted()
    {
        // The official example: AppKey 12345 (env 0), session_key 9hAb/NEYUlkaMBEsmFgzig==, a 15-character openid.
        await AdminPostAsync("/admin/apps", new { appid = "wxvectorapp", secret = "vector-secret", offer_id = "12345678", app_key = "12345", sandbox_app_key = "sandbox-12345" });
        await AdminPostAsync("/admin/sessions", new { appid = "wxvectorapp", openid = "oUrsfxxxxxxxxxx", session_key = "9hAb/NEYUlkaMBEsmFgzig==" }, HttpStatusCode.OK);
        var token = (await Admin.Http.GetFromJsonAsync<JsonElement>("/cgi-bin/token?grant_type=client_credential&appid=wxvectorapp&secret=vector-secret"))
            .GetProperty("access_token").GetString();
        var body = Encoding.UTF8.GetBytes("{\"offer_id\": \"12345678\", \"openid\": \"oUrsfxxxxxxxxxx\", \"ts\": 1668136271, \"zone_id\": \"1\", \"env\": 0}");

        var reply = await _game.PostRawAsync($"/wxa/game/getbalance?access_token={token}"
            + "&signature=42fe1d3341fb1c8bd6f5014ba735ab04eacc80a2deb3ab4669eab4700b5b6729&sig_method=hmac_sha256"
            + "&pay_sig=11bac6388871d29c055c7d16fbe42e8d646855b666faf89b15c815218b1b23bd", body);

        WireAssert.Ok(reply);
        Assert.Equal("ok", reply.GetProperty("errmsg").GetString());
        Assert.Equal(["errcode", "errmsg", "balance", "present_balance", "sum_save", "sum_present", "sum_balance", "sum_cost", "first_save"],
            reply.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.True, reply.GetProperty("first_save").ValueKind);
    }

    [Fact]
    public async Task GetBalance_SameLedgerAs10Sandbox_UsesTwoPointZeroNames()
    {
        var reply = await _game.GetBalanceAsync(User);

        WireAssert.Ok(reply);
        Assert.Equal(1000, reply.Number("balance"));
        Assert.Equal(100, reply.Number("present_balance"));
        Assert.Equal(900, reply.Number("sum_save"));
        Assert.Equal(100, reply.Number("sum_present"));
        Assert.Equal(1000, reply.Number("sum_balance"));
        Assert.Equal(0, reply.Number("sum_cost"));
        Assert.Equal(JsonValueKind.False, reply.GetProperty("first_save").ValueKind);
    }

    [Fact]
    public async Task Pay_TwoPointZero_DeductsGiftFirstAndIsSeenBy10()
    {
        var reply = await _game.PayAsync(User, "G-001", 150);

        WireAssert.Ok(reply);
        Assert.Equal(["errcode", "errmsg", "bill_no", "balance", "used_present_amount"], reply.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(850, reply.Number("balance"));
        Assert.Equal(100, reply.Number("used_present_amount"));
        var oneZero = await Backend.GetBalanceAsync(User);
        Assert.Equal(850, oneZero.Number("balance"));
        Assert.Equal(0, oneZero.Number("gen_balance"));
        Assert.Equal(150, oneZero.Number("cost_sum"));
    }

    [Fact]
    public async Task Pay_10Then20_ShareTheBillNoMemory()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "SHARED-1", 10));

        var repeat = await _game.PayAsync(User, "SHARED-1", 10);

        WireAssert.Code(90012, repeat);
        Assert.StartsWith("bill_no repeated traceid: ", repeat.GetProperty("errmsg").GetString());
        Assert.Equal(["errcode", "errmsg"], repeat.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Pay_SameBillNoTwice_DeductsOnce()
    {
        WireAssert.Ok(await _game.PayAsync(User, "G-002", 10));

        WireAssert.Code(90012, await _game.PayAsync(User, "G-002", 10));
        WireAssert.Code(90012, await _game.PayAsync(User, "G-002", 20));

        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
        Assert.Single(await Admin.OrdersAsync("bill_no=G-002"));
    }

    [Fact]
    public async Task Pay_MoreThanTheBalance_Answers90013AndReservesNothing()
    {
        var tooMuch = await _game.PayAsync(User, "G-003", 1001);

        WireAssert.Code(90013, tooMuch);
        Assert.StartsWith("balance not enough hint: balance 1000 < amount 1001 traceid: ", tooMuch.GetProperty("errmsg").GetString()); // 2.0's field name

        WireAssert.Ok(await _game.PayAsync(User, "G-003", 1000));
        Assert.Equal(0, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Pay_RepeatAfter48Hours_IsNewAgain()
    {
        WireAssert.Ok(await _game.PayAsync(User, "G-004", 10));
        await Admin.AdvanceClockAsync(TimeSpan.FromHours(48.01));
        _game.ForgetAccessToken();

        WireAssert.Ok(await _game.PayAsync(User, "G-004", 10));
    }

    [Fact]
    public async Task CancelPay_PartialRefundsSeveralTimes_NeverMoreThanThePay()
    {
        WireAssert.Ok(await _game.PayAsync(User, "P-1", 300)); // 100 gift + 200 paid

        var first = await _game.RefundAsync(User, "R-1", "P-1", 120);
        var second = await _game.RefundAsync(User, "R-2", "P-1", 150);
        var tooMuch = await _game.RefundAsync(User, "R-3", "P-1", 31);
        var rest = await _game.RefundAsync(User, "R-4", "P-1", 30);

        WireAssert.Ok(first);
        Assert.Equal(["errcode", "errmsg", "bill_no"], first.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("R-1", first.GetProperty("bill_no").GetString());
        WireAssert.Ok(second);
        WireAssert.Code(90018, tooMuch);
        Assert.StartsWith("[amount] amount is invalid hint: pay P-1 took 300 coins and has 30 left", tooMuch.GetProperty("errmsg").GetString());
        WireAssert.Ok(rest);
        var account = await Admin.AccountAsync(User.Openid);
        Assert.Equal(1000, account.Balance);
        Assert.Equal(100, account.GenBalance); // the gift part went back first: 100 of the first refund
        Assert.Equal(0, account.CostSum);
        WireAssert.Code(90018, await _game.RefundAsync(User, "R-5", "P-1", 1));
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task CancelPay_GiftRestoredFirst_UpToWhatThePayTookFromGift()
    {
        WireAssert.Ok(await _game.PayAsync(User, "P-2", 150)); // 100 gift + 50 paid

        WireAssert.Ok(await _game.RefundAsync(User, "R-6", "P-2", 60));
        Assert.Equal(60, (await Admin.AccountAsync(User.Openid)).GenBalance);
        WireAssert.Ok(await _game.RefundAsync(User, "R-7", "P-2", 60));

        var account = await Admin.AccountAsync(User.Openid);
        Assert.Equal(100, account.GenBalance);
        Assert.Equal(970, account.Balance);
    }

    [Fact]
    public async Task CancelPay_RepeatedRefundBillNo_RefundsOnce()
    {
        WireAssert.Ok(await _game.PayAsync(User, "P-3", 100));
        WireAssert.Ok(await _game.RefundAsync(User, "R-8", "P-3", 40));

        var repeat = await _game.RefundAsync(User, "R-8", "P-3", 40);

        WireAssert.Code(90012, repeat);
        Assert.Equal(940, (await Admin.AccountAsync(User.Openid)).Balance);
        WireAssert.Code(90012, await _game.PayAsync(User, "R-8", 1)); // one bill_no space for pays, presents and refunds
    }

    [Fact]
    public async Task CancelPay_ReplayMode_ReplaysOnlyTheSameRefundOfTheSamePay()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:BillNoRepeat"] = "replay" });
        var game = new MidasGamePayClient(app.CreateClient(), clock: app.Clock);
        WireAssert.Ok(await game.PayAsync(User, "P-A", 100));
        WireAssert.Ok(await game.PayAsync(User, "P-B", 100));
        WireAssert.Ok(await game.RefundAsync(User, "R-A", "P-A", 5));

        var retry = await game.RefundAsync(User, "R-A", "P-A", 5);
        var otherPay = await game.RefundAsync(User, "R-A", "P-B", 5);

        WireAssert.Ok(retry);
        Assert.Equal("R-A", retry.GetProperty("bill_no").GetString());
        WireAssert.Code(90012, otherPay); // not a retry: P-B was never refunded, so 0 would be a lie
        Assert.Equal(805, (await app.CreateClient().AsAdmin().AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task CancelPay_UnknownOrExpiredPay_Answers90000()
    {
        WireAssert.Code(90000, await _game.RefundAsync(User, "R-9", "NO-SUCH-PAY", 1));
        WireAssert.Ok(await _game.PayAsync(User, "P-4", 10));
        await Admin.AdvanceClockAsync(TimeSpan.FromHours(48.01));
        _game.ForgetAccessToken();

        WireAssert.Code(90000, await _game.RefundAsync(User, "R-10", "P-4", 10));
        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task CancelPay_10CancelAfterPartialRefund_ReversesTheRest()
    {
        WireAssert.Ok(await _game.PayAsync(User, "P-5", 300));
        WireAssert.Ok(await _game.RefundAsync(User, "R-11", "P-5", 100));

        WireAssert.Ok(await Backend.CancelPayAsync(User, "P-5"));

        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
        WireAssert.Code(90018, await _game.RefundAsync(User, "R-12", "P-5", 1));
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task CancelPay_RefundsAndA10CancelOfOnePayAtOnce_NeverGiveBackMoreThanItTook()
    {
        // The writer commits in batches: refunds and a 1.0 cancel of one pay landing in one batch must each see what the
        // ones before them in the batch gave back.
        WireAssert.Ok(await _game.PayAsync(User, "P-6", 100)); // 100 gift
        var calls = Enumerable.Range(0, 24).Select(i => i switch
        {
            < 16 => _game.RefundAsync(User, $"R-c{i}", "P-6", 10),
            < 20 => _game.RefundAsync(User, "R-c0", "P-6", 10), // R-c0's bill_no again
            _ => Backend.CancelPayAsync(User, "P-6"),
        }).ToList();
        var replies = await Task.WhenAll(calls);

        // R-c0 is sent five times at once: whichever of them lands first is the refund, the others answer 90012.
        var refunds = replies.Take(20).Count(r => r.Errcode() == 0);
        var cancels = replies.Skip(20).Count(r => r.Errcode() == 0);
        Assert.True(cancels <= 1, $"{cancels} cancels of one pay answered 0");
        var orders = await Admin.OrdersAsync(new MidasOrderQuery { Openid = User.Openid });
        var givenBack = orders.Where(o => o.Kind is "refund" or "cancel").Sum(o => o.Amt);
        Assert.Equal(refunds, orders.Count(o => o.Kind == "refund"));
        Assert.Equal(refunds * 10 + (cancels == 1 ? 100 - refunds * 10 : 0), givenBack);
        Assert.True(givenBack <= 100, $"pay P-6 took 100 and gave back {givenBack}");
        Assert.Equal(900 + givenBack, (await Admin.AccountAsync(User.Openid)).Balance);
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task Present_GivesGiftCoins_AndARepeatGivesNothing()
    {
        var reply = await _game.PresentAsync(User, "GIFT-1", 25);

        WireAssert.Ok(reply);
        Assert.Equal(["errcode", "errmsg", "bill_no", "balance"], reply.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(1025, reply.Number("balance"));
        WireAssert.Code(90012, await _game.PresentAsync(User, "GIFT-1", 25));
        Assert.Equal(125, (await Admin.AccountAsync(User.Openid)).GenBalance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Present_AmountBelowOne_Answers90018(long amount)
    {
        var reply = await _game.PresentAsync(User, "GIFT-2", amount);

        WireAssert.Code(90018, reply);
        Assert.StartsWith("[amount] amount is invalid", reply.GetProperty("errmsg").GetString());
    }

    [Theory]
    [InlineData("_LEADING", "[bill_no] bill_no is invalid")]
    [InlineData("has space", "[bill_no] bill_no is invalid")]
    [InlineData("with|bar", "[bill_no] bill_no is invalid")]
    public async Task Pay_BadBillNo_Answers90018NamingIt(string billNo, string expected)
    {
        var reply = await _game.PayAsync(User, billNo, 1);

        WireAssert.Code(90018, reply);
        Assert.StartsWith(expected, reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_BillNoOf64Characters_Answers90018()
    {
        WireAssert.Code(90018, await _game.PayAsync(User, new string('a', 64), 1));
        WireAssert.Ok(await _game.PayAsync(User, new string('a', 63), 1));
    }

    [Fact]
    public async Task Pay_EnvAsString_AnswersPostDataTypeNotRight()
    {
        var body = Encoding.UTF8.GetBytes($"{{\"openid\":\"{User.Openid}\",\"offer_id\":\"{MidasDefaults.OfferId}\",\"ts\":1,\"zone_id\":\"1\",\"env\":\"1\",\"amount\":1,\"bill_no\":\"T-1\"}}");

        var reply = await _game.PostSignedAsync("pay", User, body);

        WireAssert.Code(90018, reply);
        Assert.StartsWith("post data type not right", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_BillNoAsNumber_NamesTheField()
    {
        var reply = await _game.CallAsync("pay", User, new { amount = 1, bill_no = 10013324 });

        WireAssert.Code(90018, reply);
        Assert.StartsWith("field \"bill_no\" doesn't expect an uint32 value \"10013324\"", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_UnknownOrMissingField_Answers90018NamingIt()
    {
        var unknown = await _game.CallAsync("pay", User, new { amount = 1, bill_no = "T-2", amt = 1 });
        var missing = await _game.CallAsync("pay", User, new { bill_no = "T-3" });

        Assert.StartsWith("[amt] amt is invalid", unknown.GetProperty("errmsg").GetString());
        Assert.StartsWith("[amount] amount is invalid", missing.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_ZoneNotPublished_Answers90018NamingZoneId()
    {
        var reply = await _game.CallAsync("pay", User, new { amount = 1, bill_no = "T-4" }, zoneId: "2");

        WireAssert.Code(90018, reply);
        Assert.StartsWith("[zone_id] zone_id is invalid", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task App_RegisteredWithZones_ServesOnlyThoseInEachEnv()
    {
        await AdminPostAsync("/admin/apps", new
        {
            appid = MidasDefaults.Appid, secret = MidasDefaults.Secret, offer_id = MidasDefaults.OfferId, app_key = MidasDefaults.ProductionKey,
            sandbox_app_key = MidasDefaults.SandboxKey, zones = Zones,
        });

        WireAssert.Ok(await _game.CallAsync("getbalance", User, zoneId: "s2"));
        WireAssert.Code(90018, await _game.CallAsync("getbalance", User, zoneId: "p9"));
        WireAssert.Code(90018, await _game.CallAsync("getbalance", User, env: 0, zoneId: "1"));
    }

    [Fact]
    public async Task Pay_Env1SignedWithProductionKey_Answers90011WithTheBodyQuoted()
    {
        var body = _game.Body(User, new { amount = 1, bill_no = "T-5" });

        var reply = await _game.PostSignedAsync("pay", User, body, env: 1, appKey: MidasDefaults.ProductionKey);

        WireAssert.Code(90011, reply);
        var errmsg = reply.GetProperty("errmsg").GetString()!;
        Assert.StartsWith("[pay_sig] pay_sig is invalid", errmsg);
        Assert.Contains($"raw post_body(remove wrapped []): [{Encoding.UTF8.GetString(body)}], base64_encoded_post_body: {Convert.ToBase64String(body)} rid: ", errmsg);
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Pay_SignatureWithOldSessionKey_Answers90010()
    {
        var oldPlayer = User;
        await Admin.LoginAsync(User.Openid); // a new session_key replaces the old one

        var reply = await _game.PayAsync(oldPlayer, "T-6", 1);

        WireAssert.Code(90010, reply);
        Assert.StartsWith("[signature] signature is invalid", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Pay_NoSession_Answers90016()
    {
        await Admin.EndSessionAsync(User.Openid);

        WireAssert.Code(90016, await _game.PayAsync(User, "T-7", 1));
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Pay_UppercaseHexSignatures_AreRefused()
    {
        var body = _game.Body(User, new { amount = 1, bill_no = "T-8" });
        var token = await _game.AccessTokenAsync();
        var paySig = MidasGamePaySigner.PaySig(MidasDefaults.SandboxKey, "/wxa/game/pay", body);
        var signature = MidasGamePaySigner.Signature(User.SessionKey, body);

        WireAssert.Code(90011, await _game.PostRawAsync($"/wxa/game/pay?access_token={token}&signature={signature}&sig_method=hmac_sha256&pay_sig={paySig.ToUpperInvariant()}", body));
        WireAssert.Code(90010, await _game.PostRawAsync($"/wxa/game/pay?access_token={token}&signature={signature.ToUpperInvariant()}&sig_method=hmac_sha256&pay_sig={paySig}", body));
        WireAssert.Code(90010, await _game.PostRawAsync($"/wxa/game/pay?access_token={token}&sig_method=hmac_sha256&pay_sig={paySig}", body));
        WireAssert.Code(90018, await _game.PostRawAsync($"/wxa/game/pay?access_token={token}&signature={signature}&pay_sig={paySig}", body));
    }

    [Fact]
    public async Task Calls_WithoutOrWithBadAccessToken_AnswerThePlatformCodes()
    {
        var body = _game.Body(User);

        WireAssert.Code(41001, await _game.PostRawAsync("/wxa/game/getbalance", body));
        WireAssert.Code(40001, await _game.PostRawAsync("/wxa/game/getbalance?access_token=nope", body));
    }

    [Fact]
    public async Task Get_OnAPostOnlyCall_Answers43002()
    {
        var reply = await _game.Http.GetFromJsonAsync<JsonElement>("/wxa/game/pay");

        WireAssert.Code(43002, reply);
    }

    [Fact]
    public async Task QueryOrderInfo_CoinOrderFromThePhone_IsPaidAndDelivered()
    {
        var created = await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 60, out_trade_no = "PHONE-1" });

        var reply = await _game.QueryOrderAsync(User, "PHONE-1", 1);

        WireAssert.Ok(reply);
        Assert.Equal("PHONE-1", reply.GetProperty("out_trade_no").GetString());
        Assert.Equal(2, reply.Number("pay_state"));
        Assert.Equal(2, reply.Number("deliver_state"));
        Assert.Equal(App.Clock.GetUtcNow().ToUnixTimeSeconds(), reply.Number("pay_finish_time"));
        Assert.Equal(created.GetProperty("transaction_id").GetString(), reply.GetProperty("transaction_id").GetString());
        Assert.Equal(1060, (await _game.GetBalanceAsync(User)).Number("balance"));
        Assert.Single(await Admin.OrdersAsync("kind=purchase"));
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task QueryOrderInfo_ItemOrder_IsPaidNotYetDelivered()
    {
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 2, product_id = "sword_01", price = 600, attach = "slot=3", out_trade_no = "ITEM-1" });

        var reply = await _game.QueryOrderAsync(User, "ITEM-1", 2);

        WireAssert.Ok(reply);
        Assert.Equal("sword_01", reply.GetProperty("product_id").GetString());
        Assert.Equal(2, reply.Number("pay_state"));
        Assert.Equal(1, reply.Number("deliver_state"));
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task QueryOrderInfo_UnknownOrOtherBizId_Answers90019()
    {
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5, out_trade_no = "PHONE-2" });

        WireAssert.Code(90019, await _game.QueryOrderAsync(User, "NOT-MADE", 1));
        WireAssert.Code(90019, await _game.QueryOrderAsync(User, "PHONE-2", 2));
    }

    [Fact]
    public async Task ClientOrders_OutTradeNoReused_Answers409AndCreditsOnce()
    {
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5, out_trade_no = "PHONE-3" });

        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5, out_trade_no = "PHONE-3" }, HttpStatusCode.Conflict);
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5, out_trade_no = "_mine" }, HttpStatusCode.BadRequest);

        Assert.Equal(1005, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task ClientOrders_WithoutOutTradeNo_GetsOneStartingWithUnderscore()
    {
        var created = await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5 });

        Assert.StartsWith("_", created.GetProperty("out_trade_no").GetString());
    }

    [Fact]
    public async Task ClientOrderRefund_CoinOrder_TakesTheCoinsBackOrRefuses()
    {
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 100, out_trade_no = "PHONE-4" });
        await Admin.SetBalanceAsync(User.Openid, 50, 0);

        await AdminPostAsync("/admin/client-orders/PHONE-4/refund", new { }, HttpStatusCode.Conflict);
        await Admin.SetBalanceAsync(User.Openid, 500, 0);
        var refunded = await AdminPostAsync("/admin/client-orders/PHONE-4/refund", new { }, HttpStatusCode.OK);

        Assert.Equal(1000, refunded.GetProperty("refunded_amount").GetInt64());
        Assert.Equal(400, (await Admin.AccountAsync(User.Openid)).Balance);
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task QueryOrderInfo_APlatformMadeOutTradeNo_IsFound()
    {
        var created = await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5 });
        var outTradeNo = created.GetProperty("out_trade_no").GetString()!;

        var reply = await _game.QueryOrderAsync(User, outTradeNo, 1);

        WireAssert.Ok(reply);
        Assert.Equal(outTradeNo, reply.GetProperty("out_trade_no").GetString());
    }

    [Fact]
    public async Task ClientOrders_InAZoneNotPublished_Answer400AndCreditNothing()
    {
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 5, zone_id = "9" }, HttpStatusCode.BadRequest);

        Assert.Empty(await Admin.ClientOrdersAsync(User.Openid));
    }

    [Fact]
    public async Task ClientOrderRefund_HugeOrder_TakesTheCoinsBackWithoutOverflow()
    {
        // 1e9 coins at the default 10 cents each: quantity × cents passes 2^63.
        await AdminPostAsync("/admin/client-orders", new { openid = User.Openid, biz_id = 1, buy_quantity = 1_000_000_000, out_trade_no = "BIG-1" });

        await AdminPostAsync("/admin/client-orders/BIG-1/refund", new { }, HttpStatusCode.OK);

        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
        await Admin.AssertBooksBalancedAsync();
    }

    [Fact]
    public async Task CancelPay_OfA10PayWithA10OnlyBillNo_Refunds()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "ONE|STAR*AT@", 40)); // | * @ are 1.0 bill_no characters, not 2.0's

        WireAssert.Ok(await _game.RefundAsync(User, "R-ONE-1", "ONE|STAR*AT@", 40));
        WireAssert.Code(90000, await _game.RefundAsync(User, "R-ONE-2", "NO|SUCH", 1));
        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task CheckSession_LiveKey_Ok_OldKey87009()
    {
        var token = await _game.AccessTokenAsync();
        var url = (MidasPlayer p) => $"/wxa/checksession?access_token={token}&openid={p.Openid}&signature={MidasGamePaySigner.CheckSessionSignature(p.SessionKey)}&sig_method=hmac_sha256";

        WireAssert.Ok(await _game.Http.GetFromJsonAsync<JsonElement>(url(User)));
        await Admin.LoginAsync(User.Openid);
        WireAssert.Code(87009, await _game.Http.GetFromJsonAsync<JsonElement>(url(User)));
    }

    [Fact]
    public async Task Faults_OnGamePay_AfterCommit_Answer1WithThePayDone()
    {
        await Admin.AddFaultAsync(Fault.On("game/pay").Errcode(-1).AfterCommit().Times(1));

        WireAssert.Code(-1, await _game.PayAsync(User, "F-1", 10));
        WireAssert.Code(90012, await _game.PayAsync(User, "F-1", 10));
        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
        WireAssert.Ok(await Backend.PayAsync(User, "F-2", 10)); // the 1.0 endpoint is not in the rule's scope
    }

    [Fact]
    public async Task Faults_OnGamePay_ErrcodeAnswersIn2Point0Shape()
    {
        await Admin.AddFaultAsync(Fault.On("game/getbalance").Errcode(-1).Times(1));

        var reply = await _game.GetBalanceAsync(User);

        WireAssert.Code(-1, reply);
        Assert.Equal(["errcode", "errmsg"], reply.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Matches(@"^system busy traceid: \d+ rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$", reply.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Journal_RecordsTheEnvAndForA90011WhatWasSigned()
    {
        await _game.PostSignedAsync("pay", User, _game.Body(User, new { amount = 1, bill_no = "J-1" }), appKey: "wrong-key");

        var entry = (await Admin.RequestsAsync(new MidasJournalQuery { Endpoint = "game/pay" })).Single();

        Assert.Equal("sandbox", entry.Env);
        Assert.Equal(90011, entry.Errcode);
        Assert.StartsWith("/wxa/game/pay&{", entry.StringToSign);
        Assert.EndsWith("(key: ***)", entry.StringToSign);
    }
}
