using Microsoft.Extensions.Options;
using MidasEmulator.Storage;

namespace MidasEmulator;

/// <summary>The start-up failures a person can fix, each told in one sentence; anything else is a bug and keeps its stack trace.</summary>
public static class StartupError
{
    public static string? Describe(Exception ex) => ex switch
    {
        OptionsValidationException => $"bad configuration: {ex.Message}",
        // A value that does not convert (Midas__Durability=ful): the binder wraps the FormatException.
        InvalidOperationException { InnerException: FormatException or ArgumentException } =>
            $"bad configuration: {ex.Message} {ex.InnerException.Message}",
        DatabaseOpenException => ex.Message,
        // The port is taken, the seed file is broken: Kestrel and the seed loader say which in their message.
        IOException => $"cannot start: {ex.Message}",
        _ => null,
    };
}
