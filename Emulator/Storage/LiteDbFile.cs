using LiteDB;

namespace MidasEmulator.Storage;

/// <summary>
/// The database's files: the data file and LiteDB's write-ahead log beside it (or memory, or a test's streams),
/// opened so that a commit is in the OS when it returns and no second emulator can open them meanwhile.
/// </summary>
internal sealed class LiteDbFile : IDisposable
{
    /// <summary>Checkpoint once the log holds this much: LiteDB's own default (1,000 pages of 8 KiB).</summary>
    public const long CheckpointLogBytes = 1000 * 8192;

    // LiteDB does not dispose caller-supplied streams: this class closes them (and so releases the file lock).
    private readonly FileStream[] _files;
    // Null for memory and test streams. LiteDB 5.0.21 writes a commit's pages into this log with Stream.Write and never flushes.
    private readonly FileStream? _log;
    private readonly bool _forceToDisk;

    private LiteDbFile(LiteDatabase db, FileStream[] files, FileStream? log, bool forceToDisk, string? dataPath = null)
    {
        Db = db;
        DataPath = dataPath;
        _files = files;
        _log = log;
        _forceToDisk = forceToDisk;
    }

    public LiteDatabase Db { get; }

    /// <summary>The data file's full path; null for memory and test streams.</summary>
    public string? DataPath { get; }

    /// <summary>The log has grown past <see cref="CheckpointLogBytes"/> and should be copied into the data file.</summary>
    public bool LogIsLarge => _log is not null && _log.Length >= CheckpointLogBytes;

    /// <summary>LiteDB's write-ahead log beside the data file: committed pages live here until a checkpoint.</summary>
    public static string LogPathOf(string dataPath) =>
        Path.Combine(Path.GetDirectoryName(dataPath)!, Path.GetFileNameWithoutExtension(dataPath) + "-log" + Path.GetExtension(dataPath));

    public static LiteDbFile InMemory() => new(new LiteDatabase(new MemoryStream(), logStream: new MemoryStream()), [], null, false);

    public static LiteDbFile OnStreams(Stream data, Stream log) => new(new LiteDatabase(data, logStream: log), [], null, false);

    /// <exception cref="DatabaseOpenException">The file or its log cannot be opened or created.</exception>
    public static LiteDbFile Open(string database, Durability durability)
    {
        var full = Path.GetFullPath(database);
        FileStream? data = null;
        FileStream? log = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            // LiteDB accepts caller-supplied streams. Unbuffered, so a commit's pages are in the OS when Commit
            // returns (Durability=process); Full adds one forced flush of the log per group commit.
            // FileShare.None: a second emulator on the same file fails at start instead of corrupting it.
            data = OpenFile(full);
            log = OpenFile(LogPathOf(full));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            data?.Dispose();
            throw new DatabaseOpenException(full, ex);
        }
        try
        {
            return new LiteDbFile(new LiteDatabase(data, logStream: log), [data, log], log, durability == Durability.Full, full);
        }
        catch
        {
            log.Dispose();
            data.Dispose();
            throw;
        }
    }

    /// <summary>With Durability=full, forces the log (where the commit's pages are) to disk.</summary>
    public void ForceLogToDisk()
    {
        if (_forceToDisk)
        {
            _log?.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        Db.Dispose();
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.RandomAccess);
}
