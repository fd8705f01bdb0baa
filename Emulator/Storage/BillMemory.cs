using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MidasEmulator.Midas;

namespace MidasEmulator.Storage;

/// <summary>
/// The live bill_no index (the 48 h memory of docs/wechat-api.md §10.5) in a compact form. Every pay and present of the
/// last 48 h is here, so it is the emulator's largest structure: a million entries on a ledger a few load tests have
/// filled. An <see cref="Order"/> object per entry cost about 310 bytes and three heap objects; here an entry is a
/// 64-byte unmanaged struct (key and slot) in a dictionary's own array and no object at all, which also keeps the full
/// garbage collections that pause every call short (bench/). A bill key is held as its 128-bit digest
/// (<see cref="BillDigest"/>). Accounts and appids are interned to small
/// numbers. The writer adds, anyone reads; one lock guards both.
/// <para>
/// The entries live in <see cref="ShardCount"/> dictionaries that grow by a quarter, not double: one dictionary of a
/// million entries would double into a new array of two million (and hold both while it copies), which alone is the
/// RSS budget of a large ledger (docs/architecture.md §4). Entries are unmanaged so that <see cref="Save"/> and
/// <see cref="Load"/> copy them to and from the start-up snapshot in bulk.
/// </para>
/// </summary>
internal sealed class BillMemory
{
    private const int ShardCount = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<BillDigest, Slot>[] _shards = new Dictionary<BillDigest, Slot>[ShardCount];
    private readonly int[] _capacities = new int[ShardCount];
    private readonly Dictionary<AccountKey, int> _accountIndex = [];
    private AccountKey[] _accounts = new AccountKey[64];
    private int _accountCount;
    private readonly Dictionary<string, ushort> _appidIndex = new(StringComparer.Ordinal);
    private readonly List<string> _appids = [];
    private long _oldestTicks = long.MaxValue;

    public BillMemory()
    {
        for (var i = 0; i < ShardCount; i++)
        {
            _shards[i] = [];
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var shard in _shards)
                {
                    count += shard.Count;
                }
                return count;
            }
        }
    }

    public Order? Find(BillKey billKey)
    {
        var key = BillDigest.Of(billKey);
        lock (_gate)
        {
            if (!ShardOf(key).TryGetValue(key, out var slot))
            {
                return null;
            }
            return new Order
            {
                Id = slot.Id,
                Kind = slot.Kind,
                Account = _accounts[slot.Account],
                Appid = _appids[slot.Appid],
                BillNo = billKey.BillNo,
                Amt = slot.Amt,
                GenAmt = slot.GenAmt,
                Status = slot.Status,
                CreatedAt = new DateTimeOffset(slot.CreatedAtTicks, TimeSpan.Zero),
                BalanceAfter = slot.BalanceAfter,
                PayBillNoDigest = slot.PayBillNoDigest,
                RefundedAmt = slot.RefundedAmt,
                RefundedGenAmt = slot.RefundedGenAmt,
            };
        }
    }

    /// <summary>
    /// The pay remembered under this key, with what refunds gave back of it: all a cancelpay or refund needs, without a
    /// database read (reading every cancel's pay from LiteDB pulled the index's pages into its cache one by one, and the
    /// soak's RSS grew). Null when the key holds no pay.
    /// </summary>
    public Order? FindPay(BillKey billKey) => Find(billKey) is { Kind: OrderKind.Pay } pay ? pay : null;

    /// <summary>
    /// Remembers (or replaces) the order under its bill key. What is not kept (pay_item, app_remark, cancelled_at, a refund's
    /// pay_bill_no but for its digest, which is what a replayed refund must match) stays in LiteDB; a pay keeps its
    /// refunded amounts, so an order from here is whole when a cancel or refund writes it back.
    /// </summary>
    public void Remember(BillKey billKey, Order order)
    {
        var key = BillDigest.Of(billKey);
        lock (_gate)
        {
            var ticks = order.CreatedAt.UtcTicks;
            var slot = Slot.Of(order, ticks, Intern(order.Account), Intern(order.Appid));
            Put(key, slot);
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
            for (var i = 0; i < ShardCount; i++)
            {
                var shard = _shards[i];
                foreach (var (key, slot) in shard)
                {
                    if (slot.CreatedAtTicks < cutoff.UtcTicks)
                    {
                        shard.Remove(key);
                        forgotten++;
                    }
                    else
                    {
                        oldest = Math.Min(oldest, slot.CreatedAtTicks);
                    }
                }
                if (shard.Count < _capacities[i] / 4)
                {
                    shard.TrimExcess(); // after a long run's bills expire, give their memory back
                    _capacities[i] = shard.EnsureCapacity(0);
                }
            }
            _oldestTicks = oldest;
            return forgotten;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            for (var i = 0; i < ShardCount; i++)
            {
                _shards[i] = [];
                _capacities[i] = 0;
            }
            _oldestTicks = long.MaxValue;
        }
    }

    /// <summary>
    /// Writes every entry, with the account and appid tables they point into, to <paramref name="output"/>. Call it on the
    /// writer's thread (the only one that adds): the lock is then taken one shard at a time, so readers wait for a
    /// sixteenth of the copy at most.
    /// </summary>
    public void Save(BinaryWriter output)
    {
        AccountKey[] accounts;
        string[] appids;
        lock (_gate)
        {
            accounts = _accounts[.._accountCount];
            appids = [.. _appids];
        }
        output.Write(accounts.Length);
        foreach (var account in accounts)
        {
            output.Write((byte)account.Env);
            output.Write(account.OfferId);
            output.Write(account.ZoneId);
            output.Write(account.Openid);
        }
        output.Write(appids.Length);
        foreach (var appid in appids)
        {
            output.Write(appid);
        }
        output.Write(Count);
        var buffer = ArrayPool<Entry>.Shared.Rent(16 * 1024);
        try
        {
            foreach (var shard in _shards)
            {
                var used = 0;
                lock (_gate)
                {
                    foreach (var (key, slot) in shard)
                    {
                        buffer[used++] = new Entry(key, slot);
                        if (used == buffer.Length)
                        {
                            output.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, used)));
                            used = 0;
                        }
                    }
                }
                output.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, used)));
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Replaces the memory with what <see cref="Save"/> wrote, leaving out bills created before <paramref name="cutoff"/>.
    /// Throws <see cref="InvalidDataException"/> (or an <see cref="IOException"/>) on a file that is not whole; the
    /// memory is then empty.
    /// </summary>
    public int Load(BinaryReader input, DateTimeOffset cutoff)
    {
        Clear();
        try
        {
            return LoadEntries(input, cutoff.UtcTicks);
        }
        catch
        {
            Clear();
            throw;
        }
    }

    private int LoadEntries(BinaryReader input, long cutoffTicks)
    {
        var accountRemap = new int[ReadCount(input)];
        for (var i = 0; i < accountRemap.Length; i++)
        {
            var env = (Env)input.ReadByte();
            if (!Enum.IsDefined(env))
            {
                throw new InvalidDataException($"the bill snapshot names an unknown env {(byte)env}");
            }
            var account = new AccountKey(env, input.ReadString(), input.ReadString(), input.ReadString());
            lock (_gate)
            {
                accountRemap[i] = Intern(account);
            }
        }
        var appidRemap = new ushort[ReadCount(input)];
        for (var i = 0; i < appidRemap.Length; i++)
        {
            var appid = input.ReadString();
            lock (_gate)
            {
                appidRemap[i] = Intern(appid);
            }
        }
        var count = ReadCount(input);
        lock (_gate)
        {
            // Sized once for what the snapshot holds, so loading a million entries never grows a shard.
            for (var i = 0; i < ShardCount; i++)
            {
                _capacities[i] = _shards[i].EnsureCapacity(count / ShardCount + count / ShardCount / 16 + 16);
            }
        }
        var buffer = ArrayPool<Entry>.Shared.Rent(16 * 1024);
        var kept = 0;
        try
        {
            for (var done = 0; done < count;)
            {
                var chunk = Math.Min(count - done, buffer.Length);
                input.BaseStream.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan(0, chunk)));
                lock (_gate)
                {
                    foreach (var entry in buffer.AsSpan(0, chunk))
                    {
                        var slot = entry.Slot;
                        if (slot.CreatedAtTicks < cutoffTicks)
                        {
                            continue;
                        }
                        if ((uint)slot.Account >= (uint)accountRemap.Length || slot.Appid >= appidRemap.Length)
                        {
                            throw new InvalidDataException("a bill snapshot entry points outside its account or appid table");
                        }
                        Put(entry.Key, slot.Remapped(accountRemap[slot.Account], appidRemap[slot.Appid]));
                        kept++;
                    }
                }
                done += chunk;
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(buffer);
        }
        return kept;
    }

    private static int ReadCount(BinaryReader input)
    {
        var count = input.ReadInt32();
        if (count < 0 || count > input.BaseStream.Length)
        {
            throw new InvalidDataException($"the bill snapshot holds a count of {count}");
        }
        return count;
    }

    private Dictionary<BillDigest, Slot> ShardOf(BillDigest key) => _shards[(int)(key.Low % ShardCount)];

    /// <summary>
    /// The bytes of shard arrays that growing has left behind since the last call. Each is a large object the next, larger
    /// array never fits into again, so the holes stay in the process until the large-object heap is compacted
    /// (<see cref="LedgerWriter"/> does that once they add up).
    /// </summary>
    public long TakeBytesLeftBehind()
    {
        lock (_gate)
        {
            var bytes = _bytesLeftBehind;
            _bytesLeftBehind = 0;
            return bytes;
        }
    }

    // An entry's share of a shard: the dictionary's entry (hash code, next, key, slot) and its bucket.
    private static readonly int BytesPerEntry = Unsafe.SizeOf<Entry>() + 3 * sizeof(int);
    private long _bytesLeftBehind;

    // Under the lock. Grows a full shard by a quarter before the dictionary would double it on its own.
    private void Put(BillDigest key, Slot slot)
    {
        var index = (int)(key.Low % ShardCount);
        var shard = _shards[index];
        if (shard.Count >= _capacities[index])
        {
            _bytesLeftBehind += (long)_capacities[index] * BytesPerEntry;
            _capacities[index] = shard.EnsureCapacity(Math.Max(64, shard.Count + shard.Count / 4));
        }
        shard[key] = slot;
        _oldestTicks = Math.Min(_oldestTicks, slot.CreatedAtTicks);
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

    private ushort Intern(string appid)
    {
        if (_appidIndex.TryGetValue(appid, out var index))
        {
            return index;
        }
        if (_appids.Count > ushort.MaxValue)
        {
            throw new InvalidOperationException($"the bill memory holds at most {ushort.MaxValue + 1} appids");
        }
        index = (ushort)_appids.Count;
        _appids.Add(appid);
        _appidIndex[appid] = index;
        return index;
    }

    // 48 bytes, unmanaged: Account and Appid index the interned tables. A single call's amounts fit an int (the API takes
    // 1 to int.MaxValue), and so do a pay's refunded amounts, which never exceed them. The last eight bytes are the pay's
    // refunded amounts for a pay and the pay_bill_no's digest for a refund (the only kinds that have either), so neither
    // a cancel, a refund nor a replayed refund reads the database.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot
    {
        public readonly long Id;
        public readonly long BalanceAfter;
        public readonly long CreatedAtTicks;
        private readonly long _refundedOrPayBillNo;
        public readonly int Amt;
        public readonly int GenAmt;
        public readonly int Account;
        public readonly ushort Appid;
        public readonly OrderKind Kind;
        public readonly OrderStatus Status;

        private Slot(Order order, long createdAtTicks, long refundedOrPayBillNo, int account, ushort appid)
        {
            Id = order.Id;
            BalanceAfter = order.BalanceAfter;
            CreatedAtTicks = createdAtTicks;
            _refundedOrPayBillNo = refundedOrPayBillNo;
            // Checked: an amount the API could not have taken must fail the batch loudly, never wrap.
            Amt = checked((int)order.Amt);
            GenAmt = checked((int)order.GenAmt);
            Account = account;
            Appid = appid;
            Kind = order.Kind;
            Status = order.Status;
        }

        private Slot(Slot slot, int account, ushort appid)
        {
            this = slot;
            Account = account;
            Appid = appid;
        }

        public static Slot Of(Order order, long createdAtTicks, int account, ushort appid) => new(order, createdAtTicks,
            order.Kind == OrderKind.Refund ? order.PayBillNoDigest
                : (long)(((ulong)checked((uint)order.RefundedGenAmt) << 32) | checked((uint)order.RefundedAmt)),
            account, appid);

        public long PayBillNoDigest => Kind == OrderKind.Refund ? _refundedOrPayBillNo : 0;
        public long RefundedAmt => Kind == OrderKind.Refund ? 0 : (uint)_refundedOrPayBillNo;
        public long RefundedGenAmt => Kind == OrderKind.Refund ? 0 : (uint)((ulong)_refundedOrPayBillNo >> 32);

        /// <summary>The same slot pointing into another process's account and appid tables (a snapshot being loaded).</summary>
        public Slot Remapped(int account, ushort appid) => new(this, account, appid);
    }

    private readonly record struct Entry(BillDigest Key, Slot Slot);
}
