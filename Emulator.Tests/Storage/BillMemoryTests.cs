using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Tests.Storage;

/// <summary>The compact 48 h bill_no memory: exact keys, every field a repeat or cancel needs (packed, at their limits), and forgetting.</summary>
public sealed class BillMemoryTests
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static Order Pay(AccountKey account, string billNo, long id, DateTimeOffset at) => new()
    {
        Id = id,
        Kind = OrderKind.Pay,
        Account = account,
        Appid = "wx1",
        BillNo = billNo,
        Amt = 30,
        GenAmt = 10,
        CreatedAt = at,
        BalanceAfter = 70,
        PayItem = "gem",
    };

    [Fact]
    public void Remembered_IsFoundWithEveryFieldARepeatOrCancelNeeds()
    {
        var memory = new BillMemory();
        var key = new BillKey(Env.Sandbox, "12345678", null, null, "B1");
        memory.Remember(key, Pay(Alice, "B1", 7, Noon) with { Status = OrderStatus.Cancelled });

        var found = memory.Find(key);

        Assert.NotNull(found);
        Assert.Equal((7L, OrderKind.Pay, Alice, "wx1", "B1"), (found.Id, found.Kind, found.Account, found.Appid, found.BillNo));
        Assert.Equal((30L, 10L, 70L, OrderStatus.Cancelled, Noon), (found.Amt, found.GenAmt, found.BalanceAfter, found.Status, found.CreatedAt));
    }

    [Fact]
    public void FindPay_APayWithWhatRefundsGaveBack_NotAPresent()
    {
        var memory = new BillMemory();
        var whole = new BillKey(Env.Sandbox, "12345678", null, null, "W");
        var refunded = new BillKey(Env.Sandbox, "12345678", null, null, "R");
        var present = new BillKey(Env.Sandbox, "12345678", null, null, "G");
        memory.Remember(whole, Pay(Alice, "W", 1, Noon));
        memory.Remember(refunded, Pay(Alice, "R", 2, Noon) with { RefundedAmt = 12, RefundedGenAmt = 10 });
        memory.Remember(present, Pay(Alice, "G", 3, Noon) with { Kind = OrderKind.Present });

        Assert.Equal((1L, 0L, 0L), (memory.FindPay(whole)!.Id, memory.FindPay(whole)!.RefundedAmt, memory.FindPay(whole)!.RefundedGenAmt));
        Assert.Equal((2L, 12L, 10L), (memory.FindPay(refunded)!.Id, memory.FindPay(refunded)!.RefundedAmt, memory.FindPay(refunded)!.RefundedGenAmt));
        Assert.Null(memory.FindPay(present));
        Assert.Null(memory.FindPay(new BillKey(Env.Sandbox, "12345678", null, null, "NONE")));

        // Replaced by a later state of the pay (a refund, then a cancel), and forgotten with it.
        memory.Remember(refunded, Pay(Alice, "R", 2, Noon) with { RefundedAmt = 20, RefundedGenAmt = 10, Status = OrderStatus.Cancelled });
        Assert.Equal((20L, OrderStatus.Cancelled), (memory.FindPay(refunded)!.RefundedAmt, memory.FindPay(refunded)!.Status));
        memory.ForgetBefore(Noon.AddTicks(1));
        Assert.Null(memory.FindPay(refunded));
        memory.Remember(refunded, Pay(Alice, "R", 9, Noon.AddHours(1)));
        Assert.Equal(0, memory.FindPay(refunded)!.RefundedAmt);
    }

    [Theory]
    // Parts that would join to the same text, a null part and an empty one, another env: all different keys.
    [InlineData("z", "o1", "o2|B", "z|o1", "o2", "B")]
    [InlineData("z", "o1", "B", "z", "o1", "B ")]
    [InlineData("", "o1", "B", null, "o1", "B")]
    public void DifferentKeys_NeverMeet(string? zone1, string? openid1, string bill1, string? zone2, string? openid2, string bill2)
    {
        var memory = new BillMemory();
        memory.Remember(new BillKey(Env.Sandbox, "1", zone1, openid1, bill1), Pay(Alice, bill1, 1, Noon));

        Assert.Null(memory.Find(new BillKey(Env.Sandbox, "1", zone2, openid2, bill2)));
        Assert.Null(memory.Find(new BillKey(Env.Production, "1", zone1, openid1, bill1)));
        Assert.NotNull(memory.Find(new BillKey(Env.Sandbox, "1", zone1, openid1, bill1)));
    }

    [Fact]
    public void ForgetBefore_DropsOnlyTheOlderBills_AndALongKeyWorksToo()
    {
        var memory = new BillMemory();
        var longBill = new string('L', 5000);
        memory.Remember(new BillKey(Env.Sandbox, "1", null, null, "OLD"), Pay(Alice, "OLD", 1, Noon.AddHours(-49)));
        memory.Remember(new BillKey(Env.Sandbox, "1", null, null, longBill), Pay(Alice, longBill, 2, Noon));

        Assert.Equal(1, memory.ForgetBefore(Noon.AddHours(-48)));
        Assert.Equal(0, memory.ForgetBefore(Noon.AddHours(-48)));

        Assert.Null(memory.Find(new BillKey(Env.Sandbox, "1", null, null, "OLD")));
        Assert.Equal(2, memory.Find(new BillKey(Env.Sandbox, "1", null, null, longBill))?.Id);
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public void SaveThenLoad_KeepsEveryEntryWithEveryField_AndLeavesTheExpiredOnesOut()
    {
        var memory = new BillMemory();
        var bob = Alice with { Openid = "oBob" };
        // Enough entries for every shard to grow several times past its first capacity.
        for (var i = 0; i < 5000; i++)
        {
            memory.Remember(new BillKey(Env.Sandbox, "1", null, null, $"B{i}"), Pay(i % 2 == 0 ? Alice : bob, $"B{i}", i + 1, Noon) with { Appid = $"wx{i % 3}" });
        }
        memory.Remember(new BillKey(Env.Sandbox, "1", null, null, "OLD"), Pay(Alice, "OLD", 9999, Noon.AddHours(-49)));
        using var buffer = new MemoryStream();
        memory.Save(new BinaryWriter(buffer));

        buffer.Position = 0;
        var loaded = new BillMemory();
        var kept = loaded.Load(new BinaryReader(buffer), Noon.AddHours(-48));

        Assert.Equal((5000, 5000), (kept, loaded.Count));
        Assert.Null(loaded.Find(new BillKey(Env.Sandbox, "1", null, null, "OLD")));
        for (var i = 0; i < 5000; i++)
        {
            var key = new BillKey(Env.Sandbox, "1", null, null, $"B{i}");
            Assert.Equal(memory.Find(key), loaded.Find(key) is { } found ? found with { PayItem = null } : null);
        }
    }

    [Fact]
    public void PackedFields_AtTheirLimits_ComeBackExactly_AlsoThroughASnapshot()
    {
        // A slot keeps amounts as ints and shares eight bytes between a pay's refunded amounts and a refund's
        // pay_bill_no digest: the largest amounts the API takes, and a digest with every bit used, must come back as given.
        var memory = new BillMemory();
        var bigPay = new BillKey(Env.Sandbox, "1", null, null, "BIG");
        var refund = new BillKey(Env.Sandbox, "1", null, null, "RF");
        memory.Remember(bigPay, Pay(Alice, "BIG", long.MaxValue - 1, Noon) with
        {
            Amt = int.MaxValue, GenAmt = int.MaxValue - 1, RefundedAmt = int.MaxValue, RefundedGenAmt = int.MaxValue - 1, BalanceAfter = long.MaxValue,
        });
        memory.Remember(refund, Pay(Alice, "RF", 3, Noon) with { Kind = OrderKind.Refund, PayBillNo = "BIG", PayBillNoDigest = -2 });
        using var buffer = new MemoryStream();
        memory.Save(new BinaryWriter(buffer));
        buffer.Position = 0;
        var loaded = new BillMemory();
        loaded.Load(new BinaryReader(buffer), Noon.AddHours(-48));

        foreach (var from in new[] { memory, loaded })
        {
            var pay = from.Find(bigPay)!;
            Assert.Equal((long.MaxValue - 1, (long)int.MaxValue, int.MaxValue - 1L, long.MaxValue), (pay.Id, pay.Amt, pay.GenAmt, pay.BalanceAfter));
            Assert.Equal(((long)int.MaxValue, int.MaxValue - 1L, 0L), (pay.RefundedAmt, pay.RefundedGenAmt, pay.PayBillNoDigest));
            var found = from.Find(refund)!;
            Assert.Equal((OrderKind.Refund, -2L, 0L, 0L), (found.Kind, found.PayBillNoDigest, found.RefundedAmt, found.RefundedGenAmt));
        }
    }

    [Fact]
    public void Remember_AnAmountNoCallCanMake_Throws_InsteadOfWrapping()
    {
        var memory = new BillMemory();

        Assert.Throws<OverflowException>(() => memory.Remember(new BillKey(Env.Sandbox, "1", null, null, "X"), Pay(Alice, "X", 1, Noon) with { Amt = int.MaxValue + 1L }));
    }

    [Fact]
    public void Load_OfACutShortSnapshot_Throws_AndLeavesTheMemoryEmpty()
    {
        var memory = new BillMemory();
        for (var i = 0; i < 100; i++)
        {
            memory.Remember(new BillKey(Env.Sandbox, "1", null, null, $"B{i}"), Pay(Alice, $"B{i}", i + 1, Noon));
        }
        using var buffer = new MemoryStream();
        memory.Save(new BinaryWriter(buffer));
        buffer.SetLength(buffer.Length - 10);

        buffer.Position = 0;
        var loaded = new BillMemory();

        Assert.ThrowsAny<IOException>(() => loaded.Load(new BinaryReader(buffer), Noon.AddHours(-48)));
        Assert.Equal(0, loaded.Count);
    }
}
