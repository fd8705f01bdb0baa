using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Faults;

/// <summary>
/// Every fault action over a real Kestrel socket, as a game backend meets it: the reply it gets, and what the
/// ledger holds afterwards (docs/reference.md §1.3). A dropped connection cannot be seen through the in-memory server.
/// </summary>
public sealed class FaultOverSocketTests : IDisposable
{
    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;
    private const long SeedBalance = 1000;

    private readonly KestrelEmulatorApp _app;
    private readonly HttpClient _admin;
    private readonly MidasGameClient _backend;

    public FaultOverSocketTests()
        : this(new Dictionary<string, string?>())
    {
    }

    private FaultOverSocketTests(IReadOnlyDictionary<string, string?> settings)
    {
        _app = KestrelEmulatorApp.Start(settings);
        _admin = new HttpClient { BaseAddress = _app.BaseAddress };
        _backend = new MidasGameClient(new HttpClient { BaseAddress = _app.BaseAddress }, clock: _app.Clock);
    }

    public void Dispose()
    {
        _admin.Dispose();
        _backend.Http.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task Pay_ErrcodeAfterCommit_AnswersMinus1ButDeducts_AndTheRetryAnswers90012()
    {
        var rule = (await _admin.AsAdmin().AddFaultAsync(Fault.OnPay().Errcode().AfterCommit().Times(1))).Id;

        var first = await _backend.PayAsync(User, "AC-1", 30);
        var retry = await _backend.PayAsync(User, "AC-1", 30);

        WireAssert.Code(-1, first);
        Assert.Equal("system busy", first.GetProperty("errmsg").GetString());
        WireAssert.Code(90012, retry);
        await AssertOneDeductionAsync("AC-1", 30);
        var journal = await _admin.GetFromJsonAsync<JsonElement[]>("/admin/requests?bill_no=AC-1");
        Assert.Equal([null, rule], journal!.Select(e => e.GetProperty("fault_id").GetString()));
        Assert.Equal([90012, -1], journal!.Select(e => e.GetProperty("errcode").GetInt32()));
    }

    [Fact]
    public async Task Pay_DropAfterCommit_AbortsTheConnectionButDeducts_AndTheRetryAnswers90012()
    {
        await _admin.AsAdmin().AddFaultAsync(Fault.OnPay().Drop().AfterCommit().Times(1));
        var (pathAndQuery, body) = await _backend.SignPayAsync(User, "DR-1", 30);

        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(pathAndQuery, body));
        var retry = await _backend.PayAsync(User, "DR-1", 30);

        WireAssert.Code(90012, retry);
        await AssertOneDeductionAsync("DR-1", 30);
        var dropped = (await _admin.GetFromJsonAsync<JsonElement[]>("/admin/requests?bill_no=DR-1"))![^1];
        Assert.True(dropped.GetProperty("dropped").GetBoolean());
        Assert.Equal(JsonValueKind.Null, dropped.GetProperty("http_status").ValueKind);
    }

    [Fact]
    [Trait("Category", "Slow")] // a delay fault of seconds
    public async Task Pay_DelayAfterCommitLongerThanTheClientTimeout_TheRetryAnswers90012_OneDeduction()
    {
        await _admin.AsAdmin().AddFaultAsync(Fault.OnPay().Delay(TimeSpan.FromMilliseconds(1500)).AfterCommit().Times(1));
        var (pathAndQuery, body) = await _backend.SignPayAsync(User, "DL-1", 30);

        await Assert.ThrowsAsync<TaskCanceledException>(() => PostAsync(pathAndQuery, body, timeout: TimeSpan.FromMilliseconds(300)));
        var retry = await _backend.PayAsync(User, "DL-1", 30);

        WireAssert.Code(90012, retry);
        await AssertOneDeductionAsync("DL-1", 30);
    }

    [Fact]
    [Trait("Category", "Slow")] // a delay fault of seconds
    public async Task Pay_DelayBeforeCommitLongerThanTheClientTimeout_TheRetryPays_AndTheLateCommitAnswers90012()
    {
        await _admin.AsAdmin().AddFaultAsync(Fault.OnPay().Delay(TimeSpan.FromMilliseconds(2500)).AfterCommit(false).Times(1));
        var (pathAndQuery, body) = await _backend.SignPayAsync(User, "DB-1", 30);

        await Assert.ThrowsAsync<TaskCanceledException>(() => PostAsync(pathAndQuery, body, timeout: TimeSpan.FromMilliseconds(200)));
        var retry = await _backend.PayAsync(User, "DB-1", 30);
        var late = await WaitForJournalAsync("DB-1", entries: 2);

        WireAssert.Ok(retry);
        Assert.Equal(90012, late.GetProperty("errcode").GetInt32());
        Assert.Equal("f1", late.GetProperty("fault_id").GetString());
        await AssertOneDeductionAsync("DB-1", 30);
    }

    [Theory]
    [InlineData("errcode")]
    [InlineData("http_status")]
    [InlineData("drop")]
    public async Task Pay_FaultBeforeCommit_ChangesNothing_AndTheRetryPays(string action)
    {
        await _admin.AsAdmin().AddFaultAsync(Fault.OnPay() with { Action = action, AfterCommitValue = false, TimesValue = 1 });
        var (pathAndQuery, body) = await _backend.SignPayAsync(User, "BF-1", 30);

        if (action == "drop")
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(pathAndQuery, body));
        }
        else
        {
            using var response = await PostAsync(pathAndQuery, body);
            var text = await response.Content.ReadAsStringAsync();
            if (action == "errcode")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("""{"errcode":-1,"errmsg":"system busy"}""", text);
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("502 Bad Gateway", text, StringComparison.Ordinal);
            }
        }
        Assert.Equal(SeedBalance, (await _admin.AsAdmin().AccountAsync(User.Openid)).Balance);
        Assert.Empty(await _admin.AsAdmin().OrdersAsync("bill_no=BF-1"));

        WireAssert.Ok(await _backend.PayAsync(User, "BF-1", 30));
        await AssertOneDeductionAsync("BF-1", 30);
    }

    [Fact]
    public async Task Pay_ErrcodeAfterCommitInReplayMode_TheRetryAnswers0WithTheStoredReply()
    {
        using var replay = new FaultOverSocketTests(new Dictionary<string, string?> { ["Midas:BillNoRepeat"] = "Replay" });
        await replay._admin.AsAdmin().AddFaultAsync(Fault.OnPay().AfterCommit().Times(1));

        WireAssert.Code(-1, await replay._backend.PayAsync(User, "RP-1", 30));
        var retry = await replay._backend.PayAsync(User, "RP-1", 30);

        WireAssert.Ok(retry);
        Assert.Equal(SeedBalance - 30, retry.Number("balance"));
        await replay.AssertOneDeductionAsync("RP-1", 30);
    }

    private async Task<HttpResponseMessage> PostAsync(string pathAndQuery, string body, TimeSpan? timeout = null)
    {
        // A client of its own: a dropped or timed-out connection must not disturb the backend's.
        using var client = new HttpClient { BaseAddress = _app.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync(pathAndQuery, content);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task AssertOneDeductionAsync(string billNo, long amt)
    {
        Assert.Equal(SeedBalance - amt, (await _admin.AsAdmin().AccountAsync(User.Openid)).Balance);
        Assert.Single(await _admin.AsAdmin().OrdersAsync($"bill_no={billNo}&kind=pay"));
    }

    // The delayed request finishes on its own time; its journal entry is written when it does.
    private async Task<JsonElement> WaitForJournalAsync(string billNo, int entries)
    {
        // A deadline, not a count of tries: each try's own round trip is slow on a busy machine.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var found = (await _admin.GetFromJsonAsync<JsonElement[]>($"/admin/requests?bill_no={billNo}"))!;
            if (found.Length >= entries)
            {
                return found[0];
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the journal never held {entries} calls for {billNo}");
    }
}
