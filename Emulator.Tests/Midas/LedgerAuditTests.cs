using MidasEmulator.Midas;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Midas;

public class LedgerAuditTests
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private static readonly AccountKey Bob = new(Env.Sandbox, "12345678", "1", "oBob");
    private static readonly DateTimeOffset T0 = InMemoryLedger.T0;

    /// <summary>A ledger with every kind of order: seed sets, top-up, present, pays (gift first), a cancel and a refused pay.</summary>
    private static InMemoryLedger BusyLedger()
    {
        var ledger = new InMemoryLedger(new MoneyRules(new MoneyRuleSettings()));
        ledger.Run(new SetBalanceCommand(Alice, "wx1", 100, 30));
        ledger.Run(new SetBalanceCommand(Bob, "wx1", 5, 0));
        ledger.Run(new TopupCommand(Alice, "wx1", 50));
        ledger.Run(new PresentCommand(Alice, "wx1", "P1", 7));
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 40, null, null));
        ledger.Run(new PayCommand(Alice, "wx1", "B2", 60, null, null));
        ledger.Run(new CancelPayCommand(Alice, "wx1", "B1", null));
        ledger.Run(new PayCommand(Bob, "wx1", "B3", 4, null, null));
        ledger.Run(new SetBalanceCommand(Bob, "wx1", 9, null));
        return ledger;
    }

    private static AuditReport Audit(InMemoryLedger ledger, IEnumerable<Account>? stored = null, IEnumerable<Account>? live = null,
        IEnumerable<Order>? orders = null) =>
        new LedgerAudit(ledger.Rules).Check(stored ?? ledger.Accounts, live ?? ledger.Accounts, orders ?? ledger.Orders);

    private static IEnumerable<Account> With(InMemoryLedger ledger, Account changed) =>
        ledger.Accounts.Select(a => a.Key == changed.Key ? changed : a);

    private static IEnumerable<Order> With(InMemoryLedger ledger, Order changed) =>
        ledger.Orders.Select(o => o.Id == changed.Id ? changed : o);

    [Fact]
    public void Check_LedgerMadeByTheMoneyRules_IsOk()
    {
        var ledger = BusyLedger();

        var report = Audit(ledger);

        Assert.True(report.Ok, string.Join("; ", report.Violations.Select(v => v.Detail)));
        Assert.Equal(2, report.Accounts);
        Assert.Equal(ledger.Orders.Count, report.Orders);
    }

    [Fact]
    public void Check_StoredBalanceOffByOne_ReportsLedgerSum()
    {
        var ledger = BusyLedger();
        var alice = ledger.GetAccount(Alice);

        var report = Audit(ledger, stored: With(ledger, alice with { Balance = alice.Balance + 1 }));

        var violation = Assert.Single(report.Violations);
        Assert.Equal("ledger_sum", violation.Check);
        Assert.Equal(Alice.ToString(), violation.Account);
        Assert.Contains($"balance {alice.Balance + 1} (the ledger adds up to {alice.Balance})", violation.Detail);
    }

    [Fact]
    public void Check_MemoryDiffersFromTheLedger_ReportsMemory()
    {
        var ledger = BusyLedger();
        var bob = ledger.GetAccount(Bob);

        var report = Audit(ledger, live: With(ledger, bob with { CostSum = bob.CostSum - 4 }));

        Assert.Equal("memory", Assert.Single(report.Violations).Check);
    }

    [Fact]
    public void Check_AccountMissingFromTheStore_ReportsLedgerSum()
    {
        var ledger = BusyLedger();

        var report = Audit(ledger, stored: ledger.Accounts.Where(a => a.Key != Bob));

        var violation = Assert.Single(report.Violations);
        Assert.Equal(("ledger_sum", Bob.ToString()), (violation.Check, violation.Account));
    }

    [Fact]
    public void Check_OrderMissingFromTheLedger_ReportsTheBrokenChainAndTheSums()
    {
        var ledger = BusyLedger();
        var topup = ledger.Orders.Single(o => o.Kind == OrderKind.Topup);

        var report = Audit(ledger, orders: ledger.Orders.Where(o => o != topup));

        Assert.Contains(report.Violations, v => v.Check == "balance_after" && v.Account == Alice.ToString());
        Assert.Contains(report.Violations, v => v.Check == "ledger_sum" && v.Account == Alice.ToString());
        Assert.Contains(report.Violations, v => v.Check == "memory" && v.Account == Alice.ToString());
    }

    [Fact]
    public void Check_SameBillNoPaidTwiceWithinTheMemory_ReportsBillNoTwice()
    {
        var ledger = BusyLedger();
        var pay = ledger.Orders.Single(o => o.Kind == OrderKind.Pay && o.BillNo == "B2");
        var twice = ledger.Orders.Append(pay with { Id = 100, BalanceAfter = pay.BalanceAfter }).ToList();

        var report = Audit(ledger, orders: twice);

        Assert.Contains(report.Violations, v => v.Check == "bill_no_twice" && v.BillNo == "B2" && v.OrderId == 100);
    }

    [Fact]
    public void Check_SameBillNoAgainAfterTheMemoryExpired_IsOk()
    {
        var ledger = BusyLedger();
        ledger.Run(new PayCommand(Alice, "wx1", "B2", 1, null, null), T0.AddHours(49));

        var report = Audit(ledger);

        Assert.True(report.Ok, string.Join("; ", report.Violations.Select(v => v.Detail)));
        Assert.Equal(2, ledger.Orders.Count(o => o.BillNo == "B2" && o.Account == Alice));
    }

    [Fact]
    public void Check_CancelledPayWithoutItsReversal_ReportsCancel()
    {
        var ledger = BusyLedger();
        var cancel = ledger.Orders.Single(o => o.Kind == OrderKind.Cancel);

        var report = Audit(ledger, orders: ledger.Orders.Where(o => o != cancel));

        Assert.Contains(report.Violations, v => v.Check == "cancel" && v.BillNo == "B1" && v.Detail.Contains("no cancel order reverses it"));
    }

    [Fact]
    public void Check_PayReversedTwice_ReportsCancel()
    {
        var ledger = BusyLedger();
        var cancel = ledger.Orders.Single(o => o.Kind == OrderKind.Cancel);
        var twice = ledger.Orders.Append(cancel with { Id = 100 }).ToList();

        var report = Audit(ledger, orders: twice);

        Assert.Contains(report.Violations, v => v.Check == "cancel" && v.OrderId == 100 && v.Detail.Contains("reversed twice"));
    }

    [Fact]
    public void Check_CancelGivingBackMoreThanThePayTook_ReportsCancel()
    {
        var ledger = BusyLedger();
        var cancel = ledger.Orders.Single(o => o.Kind == OrderKind.Cancel);

        var report = Audit(ledger, orders: With(ledger, cancel with { Amt = cancel.Amt + 1 }));

        Assert.Contains(report.Violations, v => v.Check == "cancel" && v.Detail.Contains("gives back 41"));
    }

    [Fact]
    public void Check_PayBelowZero_ReportsNegativeBalance()
    {
        var ledger = BusyLedger();
        var bobPay = ledger.Orders.Single(o => o.Kind == OrderKind.Pay && o.Account == Bob);

        // A pay of 7 booked against Bob's 5 coins, as if the balance check had been skipped.
        var report = Audit(ledger, orders: With(ledger, bobPay with { Amt = 7, BalanceAfter = -2 }));

        Assert.Contains(report.Violations, v => v.Check == "negative_balance" && v.OrderId == bobPay.Id);
    }

    [Fact]
    public void Check_OrdersOutOfIdOrder_ReportsOrderIds()
    {
        var ledger = BusyLedger();
        var reversed = ledger.Orders.AsEnumerable().Reverse().ToList();

        var report = Audit(ledger, orders: reversed);

        Assert.Contains(report.Violations, v => v.Check == "order_ids");
    }

    [Fact]
    public void Check_ManyViolations_ListsTheFirstHundredAndCountsAll()
    {
        var ledger = new InMemoryLedger(new MoneyRules(new MoneyRuleSettings()));
        var accounts = Enumerable.Range(0, 150).Select(i => new AccountKey(Env.Sandbox, "12345678", "1", $"o{i}")).ToList();
        foreach (var key in accounts)
        {
            ledger.Run(new SetBalanceCommand(key, "wx1", 10, 0));
        }

        var report = Audit(ledger, stored: ledger.Accounts.Select(a => a with { Balance = 11 }));

        Assert.False(report.Ok);
        Assert.Equal(150, report.ViolationCount);
        Assert.Equal(LedgerAudit.MaxListed, report.Violations.Count);
    }

    [Fact]
    public void Check_CancelledPayWithoutItsReversal_IsFoundEvenWhenItsBillNoWasPaidAgainLater()
    {
        var ledger = BusyLedger();
        ledger.Run(new PayCommand(Alice, "wx1", "B1", 1, null, null), T0.AddHours(49));
        var cancel = ledger.Orders.Single(o => o.Kind == OrderKind.Cancel);
        var later = ledger.Orders.Where(o => o != cancel).Select(o => o.Kind == OrderKind.Pay && o.BillNo == "B1" && o.Status == OrderStatus.Applied
            ? o with { BalanceAfter = o.BalanceAfter - cancel.Amt } : o);

        var report = Audit(ledger, orders: later);

        Assert.Contains(report.Violations, v => v.Check == "cancel" && v.BillNo == "B1" && v.Detail.Contains("no cancel order reverses it"));
    }
}
