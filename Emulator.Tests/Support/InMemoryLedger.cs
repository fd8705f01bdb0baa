using MidasEmulator.Midas;

namespace MidasEmulator.Tests.Support;

/// <summary>The money rules without the writer or LiteDB: applies each result at once, as the writer does after its commit.</summary>
public sealed class InMemoryLedger(MoneyRules rules) : ILedgerView
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<AccountKey, Account> _accounts = [];
    private readonly Dictionary<BillKey, Order> _bills = [];
    private long _id;

    public MoneyRules Rules => rules;

    /// <summary>Every order in id order; a cancelled pay is replaced where it stands.</summary>
    public List<Order> Orders { get; } = [];

    public IEnumerable<Account> Accounts => _accounts.Values;

    public Account GetAccount(AccountKey key) => _accounts.TryGetValue(key, out var a) ? a : Account.Empty(key);
    public Order? FindBill(BillKey billKey) => _bills.GetValueOrDefault(billKey);
    public Order? FindPayInLedger(AccountKey account, string billNo) =>
        Orders.Where(o => o.Kind == OrderKind.Pay && o.Account == account && o.BillNo == billNo).MaxBy(o => o.Id);
    public long NextOrderId() => ++_id;

    public MidasReply Run(MidasCommand command, DateTimeOffset? at = null)
    {
        var result = rules.Apply(command, this, at ?? T0);
        if (result.ChangedAccount is { } account)
        {
            _accounts[account.Key] = account;
        }
        foreach (var order in result.Orders)
        {
            var index = Orders.FindIndex(o => o.Id == order.Id);
            if (index >= 0)
            {
                Orders[index] = order;
            }
            else
            {
                Orders.Add(order);
            }
            if (order.Kind is OrderKind.Pay or OrderKind.Present)
            {
                _bills[rules.BillKey(order.Account, order.BillNo!)] = order;
            }
        }
        return result.Reply;
    }
}
