namespace MidasEmulator.Midas;

/// <summary>What a repeat of a committed bill_no answers (docs/wechat-api.md §10.1).</summary>
public enum BillNoRepeatMode
{
    /// <summary>90012 "bill_no repeated" and nothing changes: what the real service was seen to do.</summary>
    Reject,
    /// <summary>errcode 0 with the stored reply of the first success.</summary>
    Replay,
}

/// <summary>Where a bill_no must be unique (docs/wechat-api.md §10.3).</summary>
public enum BillNoScope
{
    /// <summary>Per (env, offer_id), across pay and present: the 1.0 doc's global uniqueness.</summary>
    Offer,
    /// <summary>Per (env, offer_id, zone_id, openid), as the 2.0 doc states.</summary>
    Account,
}

public sealed record MoneyRuleSettings(
    BillNoRepeatMode BillNoRepeat = BillNoRepeatMode.Reject,
    BillNoScope BillNoScope = BillNoScope.Offer,
    double BillNoTtlHours = 48,
    bool LegacyInsufficientBalance = false);

/// <summary>
/// Where a bill_no is remembered. A record, not a joined string: zone_id and bill_no may both hold '|', and
/// ("z", "o1", "o2|B") must not meet ("z|o1", "o2", "B"). ZoneId and Openid are null under scope Offer.
/// </summary>
public readonly record struct BillKey(Env Env, string OfferId, string? ZoneId, string? Openid, string BillNo);

/// <summary>The state the rules read: committed accounts and orders plus whatever the current batch already changed.</summary>
public interface ILedgerView
{
    Account GetAccount(AccountKey key);
    Order? FindBill(BillKey billKey);

    /// <summary>
    /// The account's latest pay with this bill_no from the whole ledger: for a cancel whose bill_no the 48 h memory
    /// has let go of (or that another account has used since), which must answer 90014, not 90000.
    /// </summary>
    Order? FindPayInLedger(AccountKey account, string billNo);

    long NextOrderId();

    /// <summary>A client-side order by its app and out_trade_no, this batch's own included.</summary>
    ClientOrder? FindClientOrder(string appid, string outTradeNo);
}

/// <summary>
/// What the rules decided for one command: the reply, and the documents to write. A rejected command
/// (90012, 90013, 90000 …) has no <see cref="Account"/> change and no orders.
/// </summary>
public sealed record CommandResult(MidasReply Reply, Account? ChangedAccount, IReadOnlyList<Order> Orders)
{
    public static CommandResult Rejected(MidasReply reply) => new(reply, null, []);
    public bool HasChanges => ChangedAccount is not null || Orders.Count > 0 || ClientOrder is not null;

    /// <summary>A client-side order created or changed by the command, written in the same commit.</summary>
    public ClientOrder? ClientOrder { get; init; }
}

/// <summary>
/// The money rules of docs/architecture.md §2, applied to one command against current state. Plain C#: the single
/// writer calls it in order, so every rule here may assume nothing else changes the account meanwhile.
/// </summary>
public sealed class MoneyRules(MoneyRuleSettings settings)
{
    public MoneyRuleSettings Settings { get; } = settings;

    public TimeSpan BillNoTtl => TimeSpan.FromHours(Settings.BillNoTtlHours);

    /// <summary>The key under which a bill_no is remembered, by the configured scope.</summary>
    public BillKey BillKey(AccountKey account, string billNo) => Settings.BillNoScope == BillNoScope.Offer
        ? new(account.Env, account.OfferId, null, null, billNo)
        : new(account.Env, account.OfferId, account.ZoneId, account.Openid, billNo);

    /// <summary>A bill_no is remembered for 48 h of emulator time, then is new again (docs/wechat-api.md §10.5).</summary>
    public bool IsLive(Order order, DateTimeOffset now) => IsLive(order.CreatedAt, now);

    public bool IsLive(DateTimeOffset createdAt, DateTimeOffset now) => now - createdAt < BillNoTtl;

    /// <summary>
    /// The answer to a pay, present or refund whose bill_no is already committed: 90012, or in replay mode the
    /// stored reply when the repeat is the same request (same kind, account and amount, and for a refund the same
    /// pay; §10.2).
    /// </summary>
    public MidasReply RepeatReply(MidasCommand command, Order existing)
    {
        if (Settings.BillNoRepeat == BillNoRepeatMode.Replay && existing.Status == OrderStatus.Applied && existing.Account == command.Account)
        {
            switch (command)
            {
                case PayCommand pay when existing.Kind == OrderKind.Pay && existing.Amt == pay.Amt:
                    return MidasReply.Paid(existing.BillNo!, existing.BalanceAfter, existing.GenAmt);
                case PresentCommand present when existing.Kind == OrderKind.Present && existing.Amt == present.PresentCounts:
                    return MidasReply.Presented(existing.BillNo!, existing.BalanceAfter);
                // A refund of the same amount from another pay is another request: replaying it would answer 0 for a
                // refund that never happened.
                case RefundCommand refund when existing.Kind == OrderKind.Refund && existing.Amt == refund.Amount
                    && existing.PayBillNoDigest == Order.DigestOf(refund.PayBillNo):
                    return MidasReply.Cancelled(existing.BillNo!);
            }
        }
        return MidasReply.BillNoRepeated(existing.BillNo!);
    }

    /// <summary>The repeat answer when the bill_no is already committed and live; null when the command is new.</summary>
    public MidasReply? TryAnswerRepeat(MidasCommand command, Func<BillKey, Order?> findBill, DateTimeOffset now)
    {
        var billNo = command switch
        {
            PayCommand pay => pay.BillNo,
            PresentCommand present => present.BillNo,
            RefundCommand refund => refund.BillNo,
            _ => null,
        };
        if (billNo is null || findBill(BillKey(command.Account, billNo)) is not { } existing || !IsLive(existing, now))
        {
            return null;
        }
        return RepeatReply(command, existing);
    }

    public CommandResult Apply(MidasCommand command, ILedgerView view, DateTimeOffset now)
    {
        if (TryAnswerRepeat(command, view.FindBill, now) is { } repeat)
        {
            return CommandResult.Rejected(repeat);
        }
        return command switch
        {
            PayCommand pay => Pay(pay, view, now),
            CancelPayCommand cancel => CancelPay(cancel, view, now),
            PresentCommand present => Present(present, view, now),
            TopupCommand topup => Topup(topup, view, now),
            SetBalanceCommand set => SetBalance(set, view, now),
            RefundCommand refund => Refund(refund, view, now),
            PurchaseCommand purchase => Purchase(purchase, view, now),
            ClientRefundCommand clientRefund => ClientRefund(clientRefund, view, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown command"),
        };
    }

    // Gift coins go first and are reported as used_gen_balance (docs/wechat-api.md §4 pay).
    private CommandResult Pay(PayCommand pay, ILedgerView view, DateTimeOffset now)
    {
        var account = view.GetAccount(pay.Account);
        if (pay.Amt > account.Balance)
        {
            return CommandResult.Rejected(Settings.LegacyInsufficientBalance && !pay.ViaGamePay
                ? MidasReply.LegacyBalanceTooLow()
                : MidasReply.BalanceTooLow(account.Balance, pay.Amt, pay.ViaGamePay ? "amount" : "amt"));
        }
        var usedGen = Math.Min(account.GenBalance, pay.Amt);
        var after = account with
        {
            Balance = account.Balance - pay.Amt,
            GenBalance = account.GenBalance - usedGen,
            CostSum = account.CostSum + pay.Amt,
        };
        var order = Book(view, OrderKind.Pay, pay, pay.BillNo, pay.Amt, usedGen, after, now) with { PayItem = pay.PayItem, AppRemark = pay.AppRemark };
        return new(MidasReply.Paid(pay.BillNo, after.Balance, usedGen), after, [order]);
    }

    // cancelpay reverses the whole pay, or what 2.0 refunds left of it: paid and gift parts back to their buckets,
    // cost_sum reduced (docs/wechat-api.md §10.6, §10.7). The pay is read whole, refunded amounts included: from the
    // bill_no memory while it is live, from the ledger after (FindPayInLedger).
    private CommandResult CancelPay(CancelPayCommand cancel, ILedgerView view, DateTimeOffset now)
    {
        var pay = view.FindPayInLedger(cancel.Account, cancel.BillNo);
        if (pay is null)
        {
            return CommandResult.Rejected(MidasReply.OrderNotFound(cancel.BillNo));
        }
        var (amt, genAmt) = pay.Refundable;
        if (pay.Status == OrderStatus.Cancelled || amt == 0)
        {
            return CommandResult.Rejected(MidasReply.OrderAlreadyCancelled(cancel.BillNo));
        }
        if (!IsLive(pay, now))
        {
            return CommandResult.Rejected(MidasReply.OrderCompleted(cancel.BillNo));
        }
        var account = view.GetAccount(cancel.Account);
        var after = account with
        {
            Balance = account.Balance + amt,
            GenBalance = account.GenBalance + genAmt,
            CostSum = account.CostSum - amt,
        };
        var reversal = Book(view, OrderKind.Cancel, cancel, cancel.BillNo, amt, genAmt, after, now) with { PayItem = cancel.PayItem };
        var cancelledPay = pay with { Status = OrderStatus.Cancelled, CancelledAt = now };
        return new(MidasReply.Cancelled(cancel.BillNo), after, [cancelledPay, reversal]);
    }

    // A 2.0 refund gives back all or part of a live pay, several times, never more than the pay took in total; gift
    // coins go back first, up to what the pay took from them (docs/wechat-vp2-api.md §6, §8.6–§8.11).
    private CommandResult Refund(RefundCommand refund, ILedgerView view, DateTimeOffset now)
    {
        var pay = view.FindPayInLedger(refund.Account, refund.PayBillNo);
        if (pay is null || !IsLive(pay, now))
        {
            return CommandResult.Rejected(MidasReply.PayOrderNotFound(refund.PayBillNo));
        }
        var (left, leftGen) = pay.Status == OrderStatus.Cancelled ? (0, 0) : pay.Refundable;
        if (refund.Amount > left)
        {
            return CommandResult.Rejected(MidasReply.RefundTooLarge(refund.PayBillNo, pay.Amt, left));
        }
        var gen = Math.Min(refund.Amount, leftGen);
        var account = view.GetAccount(refund.Account);
        var after = account with
        {
            Balance = account.Balance + refund.Amount,
            GenBalance = account.GenBalance + gen,
            CostSum = account.CostSum - refund.Amount,
        };
        var order = Book(view, OrderKind.Refund, refund, refund.BillNo, refund.Amount, gen, after, now) with { PayBillNo = refund.PayBillNo };
        var refundedPay = pay with { RefundedAmt = pay.RefundedAmt + refund.Amount, RefundedGenAmt = pay.RefundedGenAmt + gen };
        return new(MidasReply.Cancelled(refund.BillNo), after, [refundedPay, order]);
    }

    // The phone's payment: the client-side order is kept for queryorderinfo; a paid coin order credits its coins at
    // once as paid coins, like a top-up (docs/wechat-vp2-api.md §3.6).
    private static CommandResult Purchase(PurchaseCommand purchase, ILedgerView view, DateTimeOffset now)
    {
        var clientOrder = purchase.Order;
        if (view.FindClientOrder(clientOrder.Appid, clientOrder.OutTradeNo) is not null)
        {
            return CommandResult.Rejected(MidasReply.OutTradeNoUsed(clientOrder.OutTradeNo));
        }
        clientOrder = clientOrder with { CreatedAt = now, PayFinishTime = clientOrder.Paid ? now : null };
        if (!clientOrder.Paid || clientOrder.Biz != ClientOrderBiz.Coins)
        {
            return new(MidasReply.Ok, null, []) { ClientOrder = clientOrder with { Delivered = false } };
        }
        var account = view.GetAccount(purchase.Account);
        var after = account with
        {
            Balance = account.Balance + clientOrder.Quantity,
            SaveAmt = account.SaveAmt + clientOrder.Quantity,
            SaveSum = account.SaveSum + clientOrder.Quantity,
            FirstSave = false,
        };
        var order = Book(view, OrderKind.Purchase, purchase, null, clientOrder.Quantity, 0, after, now) with { OutTradeNo = clientOrder.OutTradeNo };
        return new(MidasReply.BalanceOf(after), after, [order]) { ClientOrder = clientOrder with { Delivered = true, LedgerOrderId = order.Id } };
    }

    // A platform refund of a client-side order. A coin order's coins go back first, in proportion to the cents
    // refunded, and only from paid coins the player still holds: otherwise nothing changes.
    private static CommandResult ClientRefund(ClientRefundCommand refund, ILedgerView view, DateTimeOffset now)
    {
        if (view.FindClientOrder(refund.Appid, refund.OutTradeNo) is not { } clientOrder || clientOrder.Account != refund.Account)
        {
            return CommandResult.Rejected(MidasReply.ClientOrderNotFound(refund.OutTradeNo));
        }
        var left = clientOrder.Price - clientOrder.RefundedPrice;
        if (!clientOrder.Paid || refund.Price < 1 || refund.Price > left)
        {
            return CommandResult.Rejected(MidasReply.ParameterError(clientOrder.Paid
                ? $"amount must be 1 to {left} cents: what is left to refund of {refund.OutTradeNo}"
                : $"{refund.OutTradeNo} was never paid"));
        }
        var refunded = clientOrder with { RefundedPrice = clientOrder.RefundedPrice + refund.Price };
        if (clientOrder.Biz != ClientOrderBiz.Coins || !clientOrder.Delivered)
        {
            return new(MidasReply.Ok, null, []) { ClientOrder = refunded };
        }
        // Coins still owed back after this refund, minus what earlier refunds took: the whole order's coins at the end.
        // In 128 bits: quantity (up to 2^31) times cents (up to 2^53) overflows a long, and a wrapped product would credit.
        var coinsBefore = (long)((Int128)clientOrder.Quantity * clientOrder.RefundedPrice / clientOrder.Price);
        var coins = (long)((Int128)clientOrder.Quantity * refunded.RefundedPrice / clientOrder.Price) - coinsBefore;
        var account = view.GetAccount(refund.Account);
        var paidCoins = account.Balance - account.GenBalance;
        if (coins > paidCoins)
        {
            return CommandResult.Rejected(MidasReply.CoinsSpent(refund.OutTradeNo, coins, paidCoins));
        }
        if (coins == 0)
        {
            return new(MidasReply.Ok, null, []) { ClientOrder = refunded };
        }
        var after = account with
        {
            Balance = account.Balance - coins,
            SaveAmt = account.SaveAmt - coins,
            SaveSum = account.SaveSum - coins,
        };
        var order = Book(view, OrderKind.Purchase, refund, null, -coins, 0, after, now) with { OutTradeNo = refund.OutTradeNo };
        return new(MidasReply.BalanceOf(after), after, [order]) { ClientOrder = refunded };
    }

    private static CommandResult Present(PresentCommand present, ILedgerView view, DateTimeOffset now)
    {
        var account = view.GetAccount(present.Account);
        var after = account with
        {
            Balance = account.Balance + present.PresentCounts,
            GenBalance = account.GenBalance + present.PresentCounts,
            PresentSum = account.PresentSum + present.PresentCounts,
            SaveSum = account.SaveSum + present.PresentCounts,
        };
        var order = Book(view, OrderKind.Present, present, present.BillNo, present.PresentCounts, present.PresentCounts, after, now);
        return new(MidasReply.Presented(present.BillNo, after.Balance), after, [order]);
    }

    private static CommandResult Topup(TopupCommand topup, ILedgerView view, DateTimeOffset now)
    {
        var account = view.GetAccount(topup.Account);
        var after = account with
        {
            Balance = account.Balance + topup.Amount,
            SaveAmt = account.SaveAmt + topup.Amount,
            SaveSum = account.SaveSum + topup.Amount,
            FirstSave = false,
        };
        var order = Book(view, OrderKind.Topup, topup, null, topup.Amount, 0, after, now);
        return new(MidasReply.BalanceOf(after), after, [order]);
    }

    // A direct set is booked as paid and gift deltas on save_amt and present_sum, so the getbalance
    // invariants (balance = save_sum − cost_sum, save_sum = save_amt + present_sum) keep holding.
    private static CommandResult SetBalance(SetBalanceCommand set, ILedgerView view, DateTimeOffset now)
    {
        var account = view.GetAccount(set.Account);
        var balance = set.Balance ?? account.Balance;
        var genBalance = set.GenBalance ?? Math.Min(account.GenBalance, balance);
        if (balance < 0 || genBalance < 0 || genBalance > balance)
        {
            return CommandResult.Rejected(MidasReply.ParameterError("need 0 <= gen_balance <= balance"));
        }
        var genDelta = genBalance - account.GenBalance;
        var paidDelta = (balance - genBalance) - (account.Balance - account.GenBalance);
        var after = account with
        {
            Balance = balance,
            GenBalance = genBalance,
            SaveAmt = account.SaveAmt + paidDelta,
            PresentSum = account.PresentSum + genDelta,
            SaveSum = account.SaveSum + paidDelta + genDelta,
            FirstSave = set.FirstSave ?? account.FirstSave,
        };
        var order = Book(view, OrderKind.Set, set, null, balance - account.Balance, genDelta, after, now);
        return new(MidasReply.BalanceOf(after), after, [order]);
    }

    /// <summary>The ledger entry of one change: <paramref name="after"/> is the account once it is applied.</summary>
    private static Order Book(ILedgerView view, OrderKind kind, MidasCommand command, string? billNo, long amt, long genAmt, Account after, DateTimeOffset now) => new()
    {
        Id = view.NextOrderId(),
        Kind = kind,
        // The stored account's key, not the request's copy: the bill index keeps one set of key strings per account.
        Account = after.Key,
        Appid = command.Appid,
        BillNo = billNo,
        Amt = amt,
        GenAmt = genAmt,
        CreatedAt = now,
        BalanceAfter = after.Balance,
    };
}
