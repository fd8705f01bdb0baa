using MidasEmulator.Midas;

namespace MidasEmulator.Tests.Support;

/// <summary>The money rules without the writer or LiteDB: applies each result at once, as the writer does after its commit.</summary>
public sealed class InMemoryLedger(MoneyRules rules) : ILedgerView
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<AccountKey, Account> _accounts = [];
    private readonly Dictionary<BillKey, Order> _bills = [];
    private readonly Dictionary<(string, string), ClientOrder> _clientOrders = [];
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
    public ClientOrder? FindClientOrder(string appid, string outTradeNo) => _clientOrders.GetValueOrDefault((appid, outTradeNo));

    public MidasReply Run(MidasCommand command, DateTimeOffset? at = null)
    {
        var result = rules.Apply(command, this, at ?? T0);
        if (result.ChangedAccount is { } account)
        {
            _accounts[account.Key] = account;
        }
        if (result.ClientOrder is { } clientOrder)
        {
            _clientOrders[(clientOrder.Appid, clientOrder.OutTradeNo)] = clientOrder;
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
            if (Order.HoldsBill(order.Kind))
            {
                _bills[rules.BillKey(order.Account, order.BillNo!)] = order;
            }
        }
        return result.Reply;
    }
}
