using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>
/// The live bill_no index (the 48 h memory of docs/wechat-api.md §10.5) in a compact form. Every pay and present of the
/// last 48 h is here, so it is the emulator's largest structure: hundreds of thousands of entries in a busy test
/// run. An <see cref="Order"/> object per entry cost about 310 bytes and three heap objects; here an entry is one
/// 80-byte struct in the dictionary's own array and no object at all, which also keeps the full garbage
/// collections that pause every call short (bench/). A bill key is held as the first 128 bits of its SHA-256: two
/// keys sharing them would be the first SHA-256 collision ever found. Accounts are interned to small numbers.
/// The writer adds, anyone reads; one lock guards both.
/// </summary>
internal sealed class BillMemory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Key, Slot> _bills = [];

    // What 2.0 refunds gave back of a remembered pay, for the pays some refund touched only (most are not): a cancel or
    // refund then needs no database read, and an order from here is whole when written back.
    private readonly Dictionary<Key, (long Amt, long GenAmt)> _refunded = [];
    private readonly Dictionary<AccountKey, int> _accountIndex = [];
    private AccountKey[] _accounts = new AccountKey[64];
    private int _accountCount;
    private long _oldestTicks = long.MaxValue;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bills.Count;
            }
        }
    }

    public Order? Find(BillKey billKey)
    {
        var key = KeyOf(billKey);
        lock (_gate)
        {
            if (!_bills.TryGetValue(key, out var slot))
            {
                return null;
            }
            return new Order
            {
                Id = slot.Id,
                Kind = slot.Kind,
                Account = _accounts[slot.Account],
                Appid = slot.Appid,
                BillNo = billKey.BillNo,
                Amt = slot.Amt,
                GenAmt = slot.GenAmt,
                Status = slot.Status,
                CreatedAt = new DateTimeOffset(slot.CreatedAtTicks, TimeSpan.Zero),
                BalanceAfter = slot.BalanceAfter,
                RefundedAmt = _refunded.TryGetValue(key, out var refunded) ? refunded.Amt : 0,
                RefundedGenAmt = refunded.GenAmt,
            };
        }
    }

    /// <summary>
    /// The pay remembered under this key, with what refunds gave back of it: all a cancelpay or refund needs, without a
    /// database read. Null when the key holds no pay.
    /// </summary>
    public Order? FindPay(BillKey billKey) => Find(billKey) is { Kind: OrderKind.Pay } pay ? pay : null;

    /// <summary>Remembers (or replaces) the order under its bill key. What is not kept (pay_item, app_remark, cancelled_at) stays in LiteDB.</summary>
    public void Remember(BillKey billKey, Order order)
    {
        var key = KeyOf(billKey);
        lock (_gate)
        {
            var account = Intern(order.Account);
            var ticks = order.CreatedAt.UtcTicks;
            _bills[key] = new Slot(order.Id, order.Amt, order.GenAmt, order.BalanceAfter, ticks, order.Appid, account, order.Kind, order.Status);
            if (order.RefundedAmt != 0 || order.RefundedGenAmt != 0)
            {
                _refunded[key] = (order.RefundedAmt, order.RefundedGenAmt);
            }
            else
            {
                _refunded.Remove(key);
            }
            _oldestTicks = Math.Min(_oldestTicks, ticks);
        }
    }

    /// <summary>Forgets bills created before <paramref name="cutoff"/>; one pass under the lock, skipped while nothing is that old.</summary>
    public int ForgetBefore(DateTimeOffset cutoff)
    {
        lock (_gate)
        {
            if (_oldestTicks >= cutoff.UtcTicks)
            {
                return 0;
            }
            var forgotten = 0;
            var oldest = long.MaxValue;
            foreach (var (key, slot) in _bills)
            {
                if (slot.CreatedAtTicks < cutoff.UtcTicks)
                {
                    _bills.Remove(key);
                    _refunded.Remove(key);
                    forgotten++;
                }
                else
                {
                    oldest = Math.Min(oldest, slot.CreatedAtTicks);
                }
            }
            _oldestTicks = oldest;
            if (_bills.Count < _bills.EnsureCapacity(0) / 4)
            {
                _bills.TrimExcess(); // after a long run's bills expire, give their memory back
            }
            return forgotten;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _bills.Clear();
            _bills.TrimExcess();
            _refunded.Clear();
            _refunded.TrimExcess();
            _oldestTicks = long.MaxValue;
        }
    }

    private int Intern(AccountKey account)
    {
        if (_accountIndex.TryGetValue(account, out var index))
        {
            return index;
        }
        if (_accountCount == _accounts.Length)
        {
            Array.Resize(ref _accounts, _accounts.Length * 2);
        }
        _accounts[_accountCount] = account;
        _accountIndex[account] = _accountCount;
        return _accountCount++;
    }

    /// <summary>SHA-256 over every part of the key, each length-prefixed (a null part is -1): no two keys encode alike.</summary>
    private static Key KeyOf(BillKey billKey)
    {
        ReadOnlySpan<string?> parts = [billKey.OfferId, billKey.ZoneId, billKey.Openid, billKey.BillNo];
        var size = 1;
        foreach (var part in parts)
        {
            size += sizeof(int) + (part?.Length ?? 0) * sizeof(char);
        }
        byte[]? rented = null;
        var buffer = size <= 1024 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size)).AsSpan(0, size);
        buffer[0] = (byte)billKey.Env;
        var at = 1;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer[at..], part?.Length ?? -1);
            at += sizeof(int);
            if (part is not null)
            {
                MemoryMarshal.AsBytes(part.AsSpan()).CopyTo(buffer[at..]);
                at += part.Length * sizeof(char);
            }
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer, hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return new Key(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }

    private readonly record struct Key(ulong High, ulong Low);

    private readonly record struct Slot(
        long Id, long Amt, long GenAmt, long BalanceAfter, long CreatedAtTicks, string Appid, int Account, OrderKind Kind, OrderStatus Status);
}
