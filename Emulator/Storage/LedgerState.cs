using System.Collections.Concurrent;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>
/// The committed state in memory: every account and the live bill_no index. Only the writer changes it,
/// and only after the LiteDB commit, so readers (getbalance, replays, admin) never see an uncommitted change.
/// </summary>
public sealed class LedgerState
{
    private readonly ConcurrentDictionary<AccountKey, Account> _accounts = new();
    private readonly BillMemory _bills = new();
    private long _lastOrderId;

    public Account GetAccount(AccountKey key) => _accounts.TryGetValue(key, out var account) ? account : Account.Empty(key);

    /// <summary>Every account the emulator answers from (a live view: enumerate it between commits for a consistent one).</summary>
    public IEnumerable<Account> Accounts => _accounts.Values;

    public Order? FindBill(BillKey billKey) => _bills.Find(billKey);

    /// <summary>The pay remembered under this key, with its refunded amounts (see <see cref="BillMemory.FindPay"/>).</summary>
    internal Order? FindRememberedPay(BillKey billKey) => _bills.FindPay(billKey);

    public long LastOrderId => Interlocked.Read(ref _lastOrderId);

    internal void Publish(Account account) => _accounts[account.Key] = account;

    internal void Publish(BillKey billKey, Order order) => _bills.Remember(billKey, order);

    /// <summary>Forgets bill_nos created before <paramref name="cutoff"/>: the 48 h memory, so it does not grow forever.</summary>
    internal int ForgetBillsBefore(DateTimeOffset cutoff) => _bills.ForgetBefore(cutoff);

    internal void ClearBills() => _bills.Clear();

    /// <summary>The bill_no memory itself, for the writer's snapshot (written and loaded on the writer only).</summary>
    internal BillMemory Bills => _bills;

    internal void SetLastOrderId(long id) => Interlocked.Exchange(ref _lastOrderId, id);

    internal void Clear()
    {
        _accounts.Clear();
        _bills.Clear();
        SetLastOrderId(0);
    }
}
