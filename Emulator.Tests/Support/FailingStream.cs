namespace MidasEmulator.Tests.Support;

/// <summary>A stream whose writes fail (like a full disk) once <see cref="Broken"/> is set.</summary>
internal sealed class FailingStream : MemoryStream
{
    public bool Broken { get; set; }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ThrowIfBroken();
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfBroken();
        base.Write(buffer);
    }

    private void ThrowIfBroken()
    {
        if (Broken)
        {
            throw new IOException("No space left on device");
        }
    }
}
