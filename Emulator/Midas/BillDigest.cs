using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.IO.Hashing;

namespace MidasEmulator.Midas;

/// <summary>
/// A bill key as its 128-bit XXH3 hash: 16 bytes and no references, so a table of a million of them costs the garbage
/// collector nothing to walk (the bill_no memory, the audit of GET /admin/invariants). Two of two million keys meet by
/// chance with a probability near 2^-88. XXH3 is not a cryptographic hash: someone could build two bill_nos that meet on
/// purpose, but only to fool their own emulator. SHA-256, used before, cost four times as much, and a pay hashes its key
/// several times (and the audit twice per order: half its time).
/// </summary>
public readonly record struct BillDigest(ulong High, ulong Low)
{
    /// <summary>The hash of every part of the key, each length-prefixed (a null part is -1): no two keys encode alike.</summary>
    public static BillDigest Of(BillKey billKey)
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
        var hash = XxHash128.HashToUInt128(buffer);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return new BillDigest((ulong)(hash >> 64), (ulong)hash);
    }
}
