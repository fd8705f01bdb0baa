using System.Text;

namespace MidasEmulator.Storage;

/// <summary>
/// What a bill snapshot says about itself: the last order it covers (id and created_at, to recognise that order in the
/// ledger), the emulator's time when it was taken, and the settings its keys were made with.
/// </summary>
internal sealed record BillSnapshotHeader(string Settings, long LastOrderId, long LastOrderCreatedAtMs, long TakenAtTicks);

/// <summary>
/// The bill_no memory as a file beside the database (docs/architecture.md §2.2), so a start reads the live bills in
/// bulk instead of every order. Only a shortcut: LiteDB stays the truth. A snapshot is written to a temporary file and
/// renamed over the old one, so a kill at any moment leaves the old snapshot or the new one, whole; the start checks
/// its header against the ledger and replays the orders after it, and anything it cannot trust is ignored (the start
/// then reads the ledger instead).
/// </summary>
internal static class BillSnapshot
{
    private const long Magic = 0x344C4C4942534D44; // "DMSBILL4" little-endian: the format's name and version
    private const long EndMark = ~Magic;

    public static string PathOf(string dataPath) =>
        Path.Combine(Path.GetDirectoryName(dataPath)!, Path.GetFileNameWithoutExtension(dataPath) + "-bills.bin");

    public static void Write(string path, BillSnapshotHeader header, BillMemory memory)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        using (var output = new BinaryWriter(file, Encoding.UTF8))
        {
            output.Write(Magic);
            output.Write(BitConverter.IsLittleEndian);
            output.Write(header.Settings);
            output.Write(header.LastOrderId);
            output.Write(header.LastOrderCreatedAtMs);
            output.Write(header.TakenAtTicks);
            memory.Save(output);
            output.Write(EndMark);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Loads the snapshot at <paramref name="path"/> into <paramref name="memory"/> if <paramref name="accept"/> takes its
    /// header, leaving out bills older than <paramref name="cutoff"/>. Null (and the memory empty) when there is none, it
    /// is refused, or it is not whole.
    /// </summary>
    public static BillSnapshotHeader? TryLoad(string path, Func<BillSnapshotHeader, bool> accept, BillMemory memory, DateTimeOffset cutoff,
        ILogger logger)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
            using var input = new BinaryReader(file, Encoding.UTF8);
            if (input.ReadInt64() != Magic || input.ReadBoolean() != BitConverter.IsLittleEndian)
            {
                logger.LogWarning("{Path} is not a bill snapshot of this build; reading the ledger instead", path);
                return null;
            }
            var header = new BillSnapshotHeader(input.ReadString(), input.ReadInt64(), input.ReadInt64(), input.ReadInt64());
            if (!accept(header))
            {
                return null;
            }
            memory.Load(input, cutoff);
            if (input.ReadInt64() != EndMark)
            {
                throw new InvalidDataException("the end mark is missing");
            }
            return header;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or UnauthorizedAccessException)
        {
            memory.Clear();
            logger.LogWarning("the bill snapshot {Path} cannot be read ({Reason}); reading the ledger instead", path, ex.Message);
            return null;
        }
    }

    /// <summary>Removes the snapshot (a reset wiped the ledger it described).</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        File.Delete(path + ".tmp");
    }
}
