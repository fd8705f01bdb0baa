using System.Text.Json;
using MidasEmulator.Seeding;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Process;

/// <summary>
/// The crash test's client-side check of 2.0 refunds, on a ledger made by hand: a sound one passes, and each way a
/// refund can go wrong (in twice, more than the pay took, refunded_amt off, a reused bill_no acknowledged, a cancel
/// returning what refunds already gave back) is reported. Without this the crash test could pass by checking nothing.
/// </summary>
public sealed class ClientLedgerCheckTests
{
    private static readonly MidasPlayer Player = new("o_refund_check", "sk");
    private static readonly Dictionary<string, SeedUser> Seed = new(StringComparer.Ordinal) { [Player.Openid] = new(Player.Openid, "sk", 100, 10) };
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    // Seed 100 (10 gift); 2.0 pay P of 30 takes the 10 gift coins first; refund R1 of 10 gives the 10 gift back, R2 of 5
    // paid coins: balance 85, gift 10, cost_sum 15. A refund with R1's bill_no was answered 90012.
    private static (ClientBooks Books, List<MidasOrder> Orders) Sound()
    {
        var books = new ClientBooks();
        var pay = books.Open(OperationKind.Pay, Player, "P", 30, viaGamePay: true);
        books.Record(pay, new Attempt(Seen.Acknowledged, 0, 70, 10, "ok"));
        var r1 = books.OpenRefund(pay, "R1", 10, RefundIntent.Within);
        books.Record(r1, new Attempt(Seen.Acknowledged, 0, null, null, "ok"));
        var r2 = books.OpenRefund(pay, "R2", 5, RefundIntent.Within);
        books.Record(r2, new Attempt(Seen.Acknowledged, 0, null, null, "ok"));
        var over = books.OpenRefund(pay, "R3", 16, RefundIntent.OverLimit);
        books.Record(over, new Attempt(Seen.Rejected, 90018, null, null, "amount"));
        var repeat = books.OpenRefund(pay, "R1", 4, RefundIntent.RepeatedBillNo);
        books.Record(repeat, new Attempt(Seen.Rejected, 90012, null, null, "bill_no repeated"));
        List<MidasOrder> orders =
        [
            Order(1, "set", null, 100, 10, 100),
            Order(2, "pay", "P", 30, 10, 70) with { RefundedAmt = 15, RefundedGenAmt = 10 },
            Order(3, "refund", "R1", 10, 10, 80) with { PayBillNo = "P" },
            Order(4, "refund", "R2", 5, 0, 85) with { PayBillNo = "P" },
        ];
        return (books, orders);
    }

    private static MidasOrder Order(long id, string kind, string? billNo, long amt, long genAmt, long balanceAfter) => new(
        id, kind, "sandbox", MidasDefaults.OfferId, "1", Player.Openid, MidasDefaults.Appid, billNo, amt, genAmt, "applied", At, null, balanceAfter,
        null, null, RefundedAmt: kind == "pay" ? 0 : null, RefundedGenAmt: kind == "pay" ? 0 : null);

    private static Dictionary<string, JsonElement> Account(long balance, long gen, long costSum) =>
        new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            [Player.Openid] = JsonSerializer.SerializeToElement(new
            {
                balance, gen_balance = gen, save_amt = 90, present_sum = 10, save_sum = 100, cost_sum = costSum,
            }),
        };

    private static IReadOnlyList<string> Check(ClientBooks books, IReadOnlyList<MidasOrder> orders, IReadOnlyDictionary<string, JsonElement> accounts)
    {
        var check = new ClientLedgerCheck(Seed, books);
        check.Check(orders, accounts);
        return check.Violations;
    }

    [Fact]
    public void SoundLedger_WithPartialRefunds_NoViolation()
    {
        var (books, orders) = Sound();
        Assert.Empty(Check(books, orders, Account(85, 10, 15)));
    }

    [Fact]
    public void RefundInTheLedgerTwice_Reported()
    {
        var (books, orders) = Sound();
        orders[1] = orders[1] with { RefundedAmt = 25, RefundedGenAmt = 10 };
        orders.Add(Order(5, "refund", "R1", 10, 0, 95) with { PayBillNo = "P" });
        Assert.Contains(Check(books, orders, Account(95, 10, 5)), v => v.Contains("refund R1 is in the ledger 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void RefundsBeyondThePay_Reported()
    {
        var (books, orders) = Sound();
        orders[1] = orders[1] with { RefundedAmt = 31, RefundedGenAmt = 10 };
        orders[3] = orders[3] with { Amt = 21, BalanceAfter = 101 };
        var violations = Check(books, orders, Account(101, 10, -1));
        Assert.Contains(violations, v => v.Contains("its refunds gave back 31", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("a refund of 21 of a pay of 30", StringComparison.Ordinal));
    }

    [Fact]
    public void RefundedAmtNotTheSumOfTheRefunds_Reported()
    {
        var (books, orders) = Sound();
        orders[1] = orders[1] with { RefundedAmt = 10 };
        Assert.Contains(Check(books, orders, Account(85, 10, 15)), v => v.Contains("shows refunded_amt 10", StringComparison.Ordinal));
    }

    [Fact]
    public void ReusedRefundBillNoAcknowledged_Reported()
    {
        var (books, orders) = Sound();
        var repeat = books.RepeatedRefunds.Single();
        books.Record(repeat, new Attempt(Seen.Acknowledged, 0, null, null, "ok"));
        Assert.Contains(Check(books, orders, Account(85, 10, 15)), v => v.Contains("must be refused was acknowledged", StringComparison.Ordinal));
    }

    [Fact]
    public void CancelReturningTheWholePayAfterRefunds_Reported()
    {
        var (books, orders) = Sound();
        var cancel = books.Open(OperationKind.Cancel, Player, "P", 30);
        books.Record(cancel, new Attempt(Seen.Acknowledged, 0, null, null, "ok"));
        orders[1] = orders[1] with { Status = "cancelled" };
        orders.Add(Order(5, "cancel", "P", 30, 10, 115));
        Assert.Contains(Check(books, orders, Account(115, 20, -15)), v => v.Contains("of which refunds gave back 15", StringComparison.Ordinal));
    }
}
