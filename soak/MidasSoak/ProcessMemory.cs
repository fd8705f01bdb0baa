using System.Globalization;

namespace MidasSoak;

/// <summary>The emulator's memory as Linux reports it in /proc/PID/status.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size in KiB (VmRSS), or null where there is no /proc or no such process.</summary>
    public static long? RssKib(int pid) => Read(pid, "VmRSS:");

    /// <summary>The peak resident set size so far in KiB (VmHWM), or null.</summary>
    public static long? PeakRssKib(int pid) => Read(pid, "VmHWM:");

    private static long? Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    // "VmRSS:	  123456 kB"
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process has gone, or this is no Linux: no figure.
        }
        return null;
    }
}
