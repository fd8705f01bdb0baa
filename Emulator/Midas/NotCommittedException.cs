namespace MidasEmulator.Midas;

/// <summary>A change was not saved (a storage failure, or the emulator is stopping): nothing of it applies.</summary>
public sealed class NotCommittedException : Exception
{
    public NotCommittedException()
    {
    }

    public NotCommittedException(string message) : base(message)
    {
    }

    public NotCommittedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
