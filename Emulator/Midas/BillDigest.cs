using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MidasEmulator.Midas;

/// <summary>
/// A bill key as the first 128 bits of its SHA-256: 16 bytes and no references, so a table of a million of them costs the
/// garbage collector nothing to walk (the bill_no memory, the audit of GET /admin/invariants). Two keys sharing them
/// would be the first SHA-256 collision ever found.
/// </summary>
public readonly record struct BillDigest(ulong High, ulong Low)
{
    /// <summary>SHA-256 over every part of the key, each length-prefixed (a null part is -1): no two keys encode alike.</summary>
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
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer, hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return new BillDigest(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }
}
