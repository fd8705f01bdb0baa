using MidasEmulator.Midas;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Midas;

public class MoneyRulesTests
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private static readonly AccountKey Bob = new(Env.Sandbox, "12345678", "1", "oBob");
    private static readonly DateTimeOffset T0 = InMemoryLedger.T0;

    private static InMemoryLedger NewLedger(MoneyRuleSettings? settings = null, long balance = 100, long gen = 30)
    {
        var ledger = new InMemoryLedger(new MoneyRules(settings ?? new MoneyRuleSettings()));
        ledger.Run(new SetBalanceCommand(Alice, "wx1", balance, gen));
        return ledger;
    }

    private static void AssertInvariants(Account a)
    {
        Assert.Equal(a.SaveAmt + a.PresentSum, a.SaveSum);
        Assert.Equal(a.SaveSum - a.CostSum, a.Balance);
        Assert.InRange(a.GenBalance, 0, a.Balance);
    }

    [Fact]
    public void Pay_WithGiftCoins_TakesGiftFirst()
    {
        var ledger = NewLedger(balance: 100, gen: 30);

        var reply = ledger.Run(new PayCommand(Alice, "wx1", "B1", 40, null, null));

        Assert.Equal(0, reply.Errcode);
        Assert.Equal(60, reply.Balance);
        Assert.Equal(30, reply.UsedGenBalance);
        var account = ledger.GetAccount(Alice);
        Assert.Equal(0, account.GenBalance);
        Assert.Equal(40, account.CostSum);
        AssertInvariants(account);
    }

    [Fact]
    public void Pay_MoreThanBalance_Answers90013AndChangesNothing()
    {
        var ledger = NewLedger(balance: 100, gen: 30);

        var reply = ledger.Run(new PayCommand(Alice, "wx1", "B1", 101, null, null));

        Assert.Equal(MidasErrcode.BalanceTooLow, reply.Errcode);
        Assert.Equal(100, ledger.GetAccount(Alice).Balance);
        Assert.Single(ledger.Orders);
    }

    [Fact]
    public void Pay_FailedAttempt_DoesNotUseUpBillNo()
    {
        var ledger = NewLedger(balance: 100, gen: 0);

        Assert.Equal(MidasErrcode.BalanceTooLow, ledger.Run(new PayCommand(Alice, "wx1", "B1", 500, null, null)).Errcode);
        Assert.Equal(0, ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null)).Errcode);
    }

    [Fact]
    public void Pay_SameBillNoTwice_DeductsOnceAndAnswers90012()
    {
        var ledger = NewLedger();

        ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null));
        var repeat = ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null));

        Assert.Equal(MidasErrcode.BillNoRepeated, repeat.Errcode);
        Assert.Equal("B1", repeat.BillNo);
        Assert.Equal(90, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void Pay_SameBillNoInReplayMode_ReturnsTheFirstReply()
    {
        var ledger = NewLedger(new MoneyRuleSettings(BillNoRepeat: BillNoRepeatMode.Replay));

        var first = ledger.Run(new PayCommand(Alice, "wx1", "B1", 40, null, null));
        ledger.Run(new PayCommand(Alice, "wx1", "B2", 5, null, null));
        var replay = ledger.Run(new PayCommand(Alice, "wx1", "B1", 40, null, null));

        Assert.Equal(first, replay);
        Assert.Equal(55, ledger.GetAccount(Alice).Balance);
    }

    [Theory]
    [InlineData(BillNoRepeatMode.Reject)]
    [InlineData(BillNoRepeatMode.Replay)]
    public void Pay_SameBillNoOtherAmountOrUser_Answers90012(BillNoRepeatMode mode)
    {
        var ledger = NewLedger(new MoneyRuleSettings(BillNoRepeat: mode));
        ledger.Run(new SetBalanceCommand(Bob, "wx1", 100, 0));
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null));

        Assert.Equal(MidasErrcode.BillNoRepeated, ledger.Run(new PayCommand(Alice, "wx1", "B1", 11, null, null)).Errcode);
        Assert.Equal(MidasErrcode.BillNoRepeated, ledger.Run(new PayCommand(Bob, "wx1", "B1", 10, null, null)).Errcode);
        Assert.Equal(MidasErrcode.BillNoRepeated, ledger.Run(new PresentCommand(Alice, "wx1", "B1", 10)).Errcode);
        Assert.Equal(100, ledger.GetAccount(Bob).Balance);
        Assert.Equal(90, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void Pay_BillNoScopeAccount_LetsAnotherUserReuseIt()
    {
        var ledger = NewLedger(new MoneyRuleSettings(BillNoScope: BillNoScope.Account));
        ledger.Run(new SetBalanceCommand(Bob, "wx1", 100, 0));

        Assert.Equal(0, ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null)).Errcode);
        Assert.Equal(0, ledger.Run(new PayCommand(Bob, "wx1", "B1", 10, null, null)).Errcode);
    }

    [Fact]
    public void Pay_BillNoScopeAccount_KeysWithSeparatorsDoNotCollide()
    {
        var ledger = new InMemoryLedger(new MoneyRules(new MoneyRuleSettings(BillNoScope: BillNoScope.Account)));
        var first = new AccountKey(Env.Sandbox, "12345678", "z", "o1");
        var second = new AccountKey(Env.Sandbox, "12345678", "z|o1", "o2");
        ledger.Run(new SetBalanceCommand(first, "wx1", 10, 0));
        ledger.Run(new SetBalanceCommand(second, "wx1", 10, 0));

        Assert.Equal(0, ledger.Run(new PayCommand(first, "wx1", "o2|B", 1, null, null)).Errcode);
        Assert.Equal(0, ledger.Run(new PayCommand(second, "wx1", "B", 1, null, null)).Errcode);
    }

    [Fact]
    public void Pay_BillNoAfter48Hours_IsNewAgain()
    {
        var ledger = NewLedger();
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null));

        Assert.Equal(MidasErrcode.BillNoRepeated, ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null), T0.AddHours(47.9)).Errcode);
        Assert.Equal(0, ledger.Run(new PayCommand(Alice, "wx1", "B1", 10, null, null), T0.AddHours(48)).Errcode);
        Assert.Equal(80, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void CancelPay_AfterPay_RestoresBothBucketsExactly()
    {
        var ledger = NewLedger(balance: 152, gen: 42);
        var before = ledger.GetAccount(Alice);
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null));

        var reply = ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null));

        Assert.Equal(0, reply.Errcode);
        Assert.Equal("B1", reply.BillNo);
        Assert.Equal(before, ledger.GetAccount(Alice));
        Assert.Equal(OrderStatus.Cancelled, ledger.Orders.Single(o => o.Kind == OrderKind.Pay).Status);
        Assert.Equal(42, ledger.Orders.Single(o => o.Kind == OrderKind.Cancel).GenAmt);
    }

    [Fact]
    public void CancelPay_Twice_Answers90015AndRefundsOnce()
    {
        var ledger = NewLedger();
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null));
        ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null));

        var again = ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null));

        Assert.Equal(MidasErrcode.OrderAlreadyCancelled, again.Errcode);
        Assert.Equal(100, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void CancelPay_UnknownOrPresentOrOtherUsersBill_Answers90000()
    {
        var ledger = NewLedger();
        ledger.Run(new SetBalanceCommand(Bob, "wx1", 100, 0));
        ledger.Run(new PresentCommand(Alice, "wx1", "P1", 5));
        ledger.Run(new PayCommand(Bob, "wx1", "B1", 5, null, null));

        Assert.Equal(MidasErrcode.OrderNotFound, ledger.Run(new CancelPayCommand(Alice, "wx1", "nope", null)).Errcode);
        Assert.Equal(MidasErrcode.OrderNotFound, ledger.Run(new CancelPayCommand(Alice, "wx1", "P1", null)).Errcode);
        Assert.Equal(MidasErrcode.OrderNotFound, ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null)).Errcode);
    }

    [Fact]
    public void CancelPay_After48Hours_Answers90014()
    {
        var ledger = NewLedger();
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null));

        Assert.Equal(MidasErrcode.OrderCompleted, ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null), T0.AddHours(49)).Errcode);
    }

    [Fact]
    public void Pay_RetriedWithCancelledBillNo_Answers90012()
    {
        var ledger = NewLedger(new MoneyRuleSettings(BillNoRepeat: BillNoRepeatMode.Replay));
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null));
        ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null));

        Assert.Equal(MidasErrcode.BillNoRepeated, ledger.Run(new PayCommand(Alice, "wx1", "B1", 50, null, null)).Errcode);
        Assert.Equal(100, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void Present_AddsGiftCoins()
    {
        var ledger = NewLedger(balance: 100, gen: 30);

        var reply = ledger.Run(new PresentCommand(Alice, "wx1", "P1", 25));

        Assert.Equal(125, reply.Balance);
        var account = ledger.GetAccount(Alice);
        Assert.Equal(55, account.GenBalance);
        Assert.Equal(25 + 30, account.PresentSum);
        AssertInvariants(account);
    }

    [Fact]
    public void Topup_EndsFirstSave()
    {
        var ledger = NewLedger();
        Assert.True(ledger.GetAccount(Bob).FirstSave);

        ledger.Run(new TopupCommand(Bob, "wx1", 60));

        var bob = ledger.GetAccount(Bob);
        Assert.False(bob.FirstSave);
        Assert.Equal(60, bob.SaveAmt);
        AssertInvariants(bob);
    }

    [Fact]
    public void SetBalance_Down_KeepsTheGetBalanceInvariants()
    {
        var ledger = NewLedger(balance: 100, gen: 30);
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 40, null, null));

        var reply = ledger.Run(new SetBalanceCommand(Alice, "wx1", 10, 5));

        Assert.Equal(0, reply.Errcode);
        var account = ledger.GetAccount(Alice);
        Assert.Equal((10, 5), (account.Balance, account.GenBalance));
        AssertInvariants(account);
    }

    [Fact]
    public void SetBalance_GiftAboveBalance_IsRejected()
    {
        var ledger = NewLedger();

        Assert.Equal(MidasErrcode.ParameterError, ledger.Run(new SetBalanceCommand(Alice, "wx1", 10, 20)).Errcode);
        Assert.Equal(100, ledger.GetAccount(Alice).Balance);
    }

    [Fact]
    public void LegacyInsufficientBalance_AnswersMinusOneWithTheRealErrmsg()
    {
        var ledger = NewLedger(new MoneyRuleSettings(LegacyInsufficientBalance: true));

        var reply = ledger.Run(new PayCommand(Alice, "wx1", "B1", 1000, null, null));

        Assert.Equal((-1, "1034-131-0 余额不足"), (reply.Errcode, reply.Errmsg));
    }
}
