namespace MidasEmulator.Logging;

/// <summary>The emulator's own log categories, named in one place: docs/reference.md §4 lists them for filtering.</summary>
public static class LogCategories
{
    /// <summary>
    /// One line per WeChat-surface call and per push attempt: Logging__LogLevel__MidasEmulator.Calls=Warning silences both.
    /// </summary>
    public const string Calls = "MidasEmulator.Calls";
}
