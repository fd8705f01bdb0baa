using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

public class PayTests : EmulatorTest
{
    [Fact]
    public async Task GetBalance_SeededUser_ReturnsEveryDocumentedField()
    {
        var reply = await Backend.GetBalanceAsync(User);

        WireAssert.Ok(reply);
        Assert.Equal("ok", reply.GetProperty("errmsg").GetString());
        Assert.Equal(1000, reply.Number("balance"));
        Assert.Equal(100, reply.Number("gen_balance"));
        Assert.Equal(0, reply.Number("first_save"));
        Assert.Equal(900, reply.Number("save_amt"));
        Assert.Equal(1000, reply.Number("save_sum"));
        Assert.Equal(0, reply.Number("cost_sum"));
        Assert.Equal(100, reply.Number("present_sum"));
    }

    [Fact]
    public async Task Pay_Signed_DeductsGiftFirstAndReportsBothNames()
    {
        var reply = await Backend.PayAsync(User, "B-001", 150);

        WireAssert.Ok(reply);
        Assert.Equal("B-001", reply.GetProperty("bill_no").GetString());
        Assert.Equal(850, reply.Number("balance"));
        Assert.Equal(100, reply.Number("used_gen_balance"));
        Assert.Equal(100, reply.Number("used_gen_amt"));
        var account = await Admin.AccountAsync(User.Openid);
        Assert.Equal(0, account.GenBalance);
        Assert.Equal(150, account.CostSum);
    }

    [Fact]
    public async Task Pay_SameBillNoTwice_DeductsOnce()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "B-002", 10));

        var retry = await Backend.PayAsync(User, "B-002", 10);

        WireAssert.Code(90012, retry);
        Assert.Equal("bill_no repeated", retry.GetProperty("errmsg").GetString());
        Assert.Equal("B-002", retry.GetProperty("bill_no").GetString());
        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
        Assert.Single(await Admin.OrdersAsync("bill_no=B-002"));
    }

    [Fact]
    public async Task Pay_SameBillNoOtherAmount_Answers90012()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "B-003", 10));

        WireAssert.Code(90012, await Backend.PayAsync(User, "B-003", 20));
        Assert.Equal(990, (await Admin.AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task Pay_MoreThanBalance_Answers90013AndChangesNothing()
    {
        WireAssert.Code(90013, await Backend.PayAsync(User, "B-004", 1001));

        Assert.Equal(1000, (await Admin.AccountAsync(User.Openid)).Balance);
        Assert.Empty(await Admin.OrdersAsync("kind=pay"));
    }

    [Fact]
    public async Task Pay_ReplayMode_RetryAnswersTheFirstReply()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:BillNoRepeat"] = "replay" });
        var backend = app.CreateGameBackend();

        var first = await backend.PayAsync(User, "B-005", 30);
        var retry = await backend.PayAsync(User, "B-005", 30);

        WireAssert.Ok(retry);
        Assert.Equal(first.ToString(), retry.ToString());
        Assert.Equal(970, (await app.CreateClient().AsAdmin().AccountAsync(User.Openid)).Balance);
    }

    [Fact]
    public async Task CancelPay_AfterPay_RefundsExactlyOnce()
    {
        await Backend.PayAsync(User, "B-006", 150);

        var cancel = await Backend.CancelPayAsync(User, "B-006");
        var again = await Backend.CancelPayAsync(User, "B-006");

        WireAssert.Ok(cancel);
        Assert.Equal("B-006", cancel.GetProperty("bill_no").GetString());
        WireAssert.Code(90015, again);
        var balance = await Backend.GetBalanceAsync(User);
        Assert.Equal((1000, 100, 0), (balance.Number("balance"), balance.Number("gen_balance"), balance.Number("cost_sum")));
        var orders = await Admin.OrdersAsync("bill_no=B-006");
        Assert.Equal(["pay", "cancel"], orders.Select(o => o.Kind));
        Assert.Equal("cancelled", orders[0].Status);
    }

    [Fact]
    public async Task CancelPay_UnknownBillNo_Answers90000()
    {
        WireAssert.Code(90000, await Backend.CancelPayAsync(User, "never-paid"));
    }

    [Fact]
    public async Task Present_AddsGiftCoinsOnceAndReportsBalance()
    {
        var reply = await Backend.PresentAsync(User, "P-001", 50);
        var repeat = await Backend.PresentAsync(User, "P-001", 50);

        WireAssert.Ok(reply);
        Assert.Equal(1050, reply.Number("balance"));
        Assert.Equal("P-001", reply.GetProperty("bill_no").GetString());
        WireAssert.Code(90012, repeat);
        var balance = await Backend.GetBalanceAsync(User);
        Assert.Equal((1050, 150, 150), (balance.Number("balance"), balance.Number("gen_balance"), balance.Number("present_sum")));
    }

    [Fact]
    public async Task Topup_ThenPay_FirstSaveEndsAndSumsAddUp()
    {
        var player = new MidasPlayer("oTopupPlayer0000000000000001", "QUJDREVGR0hJSktMTU5PUA==");
        await Admin.LoginAsync(player.Openid, player.SessionKey);
        Assert.Equal(1, (await Backend.GetBalanceAsync(player)).Number("first_save"));

        await Admin.TopupAsync(player.Openid, 300);
        WireAssert.Ok(await Backend.PayAsync(player, "T-001", 120));

        var balance = await Backend.GetBalanceAsync(player);
        Assert.Equal(0, balance.Number("first_save"));
        Assert.Equal((180, 300, 300, 120), (balance.Number("balance"), balance.Number("save_amt"), balance.Number("save_sum"), balance.Number("cost_sum")));
    }

    [Fact]
    public async Task SandboxAndProduction_KeepSeparateLedgersAndKeys()
    {
        await Admin.TopupAsync(User.Openid, 70, MidasEnv.Production);

        WireAssert.Ok(await Backend.PayAsync(User, "E-001", 50, sandbox: false));
        // A production signature sent to the sandbox path: the classic 90011 (docs/wechat-api.md §3.5).
        WireAssert.Code(90011, await Backend.CallAsync("pay", User, new() { ["amt"] = 5L, ["bill_no"] = "E-002" }, sandbox: true, appKey: MidasDefaults.ProductionKey));

        Assert.Equal(20, (await Backend.GetBalanceAsync(User, sandbox: false)).Number("balance"));
        Assert.Equal(1000, (await Backend.GetBalanceAsync(User, sandbox: true)).Number("balance"));
    }

    [Fact]
    public async Task DocWorkedExample_ProductionGetBalance_IsAccepted()
    {
        // The exact body of docs/wechat-api.md §3.3 with a real token in place of ACCESSTOKEN: the doc's signatures must verify.
        var token = await Backend.AccessTokenAsync();
        var fields = new Dictionary<string, string>
        {
            ["openid"] = User.Openid, ["appid"] = "wx1234567", ["offer_id"] = "12345678", ["ts"] = "1507530737", ["zone_id"] = "1", ["pf"] = "android",
        };
        var sig = MidasSigner.Sig(fields, "/cgi-bin/midas/getbalance", MidasDefaults.ProductionKey);
        Assert.Equal("1ad64e8dcb2ec1dc486b7fdf01f4a15159fc623dc3422470e51cf6870734726b", sig);
        var body = $$"""{"openid":"{{User.Openid}}","appid":"wx1234567","offer_id":"12345678","ts":1507530737,"zone_id":"1","pf":"android","sig":"{{sig}}","mp_sig":"{{MidasSigner.MpSig(fields, token, sig, "/cgi-bin/midas/getbalance", User.SessionKey)}}"}""";

        WireAssert.Ok(await Backend.PostRawAsync($"/cgi-bin/midas/getbalance?access_token={token}", body));
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
