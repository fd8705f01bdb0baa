namespace MidasEmulator.Storage;

/// <summary>
/// Wraps LiteDB's data and log files. LiteDB forces the disk on every commit (Flush(true) on a
/// FileStream), which caps commits near 280/s here. With <c>forceToDisk</c> off the commit is still
/// written through to the OS before the reply, so a killed process loses nothing; only a power cut may
/// (Midas:Durability=process). With it on, every flush reaches the disk (Midas:Durability=full).
/// </summary>
internal sealed class FlushPolicyStream(FileStream inner, bool forceToDisk) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() => inner.Flush(forceToDisk);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Flush(true);
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
