namespace MidasEmulator.Clock;

/// <summary>
/// The emulator's time (docs/reference.md §1.2 /admin/clock): a source clock plus an offset a test can move, so token,
/// session, login-code and bill_no expiry and the ts window can be tested without waiting. Time keeps running
/// after a move; the monotonic timestamp is never shifted, so timeouts and durations stay real.
/// </summary>
public sealed class EmulatorClock(TimeProvider source) : TimeProvider
{
    /// <summary>The range /admin/clock keeps the time in: every expiry adds or subtracts days, and must not overflow.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => source.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

    public override long GetTimestamp() => source.GetTimestamp();

    public override long TimestampFrequency => source.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => source.LocalTimeZone;

    /// <summary>How far the emulator's time is from its source's.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>Raised after every move, so whatever waits for a moment of emulator time (a push's retry) looks again.</summary>
    public event Action? Moved;

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _offsetTicks, by.Ticks);
        Moved?.Invoke();
    }

    public void Set(DateTimeOffset now)
    {
        Volatile.Write(ref _offsetTicks, (now - source.GetUtcNow()).Ticks);
        Moved?.Invoke();
    }

    public void UseReal()
    {
        Volatile.Write(ref _offsetTicks, 0);
        Moved?.Invoke();
    }
}
