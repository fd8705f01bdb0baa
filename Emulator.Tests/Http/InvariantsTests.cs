using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MidasEmulator.Midas;
using MidasEmulator.Storage;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

public class InvariantsTests : EmulatorTest
{
    // The shipped seed: the counts below are its 300 accounts, each with its one set order.
    public InvariantsTests()
        : base(EmulatorApp.WithShippedSeed())
    {
    }

    private async Task<JsonElement> InvariantsAsync()
    {
        var response = await Admin.Http.GetAsync("/admin/invariants");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Invariants_SeededEmulator_IsOkAndCountsTheSeed()
    {
        var reply = await InvariantsAsync();

        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal(300, reply.GetProperty("accounts").GetInt32());
        Assert.Equal(300, reply.GetProperty("orders").GetInt64());
        Assert.Equal(0, reply.GetProperty("violation_count").GetInt32());
        Assert.Empty(reply.GetProperty("violations").EnumerateArray());
    }

    [Fact]
    public async Task Invariants_AfterEveryKindOfChange_IsOk()
    {
        await Admin.SetBalanceAsync(User.Openid, 100, 30);
        await Admin.TopupAsync(User.Openid, 50);
        WireAssert.Ok(await Backend.PresentAsync(User, "P1", 5));
        WireAssert.Ok(await Backend.PayAsync(User, "B1", 60));
        WireAssert.Ok(await Backend.PayAsync(User, "B2", 20));
        WireAssert.Code(MidasErrcode.BillNoRepeated, await Backend.PayAsync(User, "B1", 60));
        WireAssert.Code(MidasErrcode.BalanceTooLow, await Backend.PayAsync(User, "B3", 1000));
        WireAssert.Ok(await Backend.CancelPayAsync(User, "B1"));

        var reply = await InvariantsAsync();

        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal(300 + 6, reply.GetProperty("orders").GetInt64());
    }

    [Fact]
    public async Task Invariants_MemoryOutOfStepWithTheDatabase_ReportsTheAccount()
    {
        WireAssert.Ok(await Backend.PayAsync(User, "B1", 1));
        var state = App.Services.GetRequiredService<LedgerState>();
        var key = new AccountKey(Env.Sandbox, MidasDefaults.OfferId, "1", User.Openid);
        // As if a change had reached memory without its commit: the emulator would answer a balance the file does not hold.
        state.Publish(state.GetAccount(key) with { Balance = state.GetAccount(key).Balance + 1000 });

        var reply = await InvariantsAsync();

        Assert.False(reply.GetProperty("ok").GetBoolean());
        var violation = Assert.Single(reply.GetProperty("violations").EnumerateArray());
        Assert.Equal("memory", violation.GetProperty("check").GetString());
        Assert.Equal(key.ToString(), violation.GetProperty("account").GetString());
        Assert.Contains("the ledger adds up to", violation.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Invariants_WhilePaysAreCommitting_SeesOneConsistentCommit()
    {
        await Admin.SetBalanceAsync(User.Openid, 1_000_000, 0);
        var pays = Enumerable.Range(0, 400).Select(i => Backend.PayAsync(User, $"C{i}", 1)).ToList();
        var checks = Enumerable.Range(0, 10).Select(_ => InvariantsAsync()).ToList();

        await Task.WhenAll(pays);
        foreach (var check in checks)
        {
            var reply = await check;
            Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        }
        Assert.All(pays, p => WireAssert.Ok(p.Result));
        Assert.True((await InvariantsAsync()).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Invariants_WithAQueryParameter_Answers400NamingIt()
    {
        var response = await Admin.Http.GetAsync("/admin/invariants?openid=x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unknown query parameter openid: this call takes none", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Invariants_BillNoScopeAccount_SameBillNoForTwoPlayers_IsOk()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:BillNoScope"] = "Account" });
        using var admin = app.CreateClient();
        var backend = app.CreateGameBackend();
        var other = new MidasPlayer("oInvariantsOtherPlayer01", "b3RoZXItc2Vzc2lvbi1rZXk=");
        await admin.AsAdmin().LoginAsync(other.Openid, other.SessionKey);
        await admin.AsAdmin().SetBalanceAsync(other.Openid, 50, 0);

        WireAssert.Ok(await backend.PayAsync(User, "SHARED-1", 5));
        WireAssert.Ok(await backend.PayAsync(other, "SHARED-1", 5));

        var reply = await admin.AsAdmin().InvariantsAsync();
        Assert.True(reply.Ok, string.Join("; ", reply.Violations));
    }
}
