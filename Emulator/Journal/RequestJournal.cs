using Microsoft.Extensions.Options;

namespace MidasEmulator.Journal;

/// <summary>
/// One WeChat-surface call as it happened. The query and the body are kept raw (the body's first
/// <see cref="RequestJournal.MaxBodyBytes"/> only; <see cref="BodyBytes"/> is its whole length) and redacted when shown.
/// </summary>
public sealed record JournalEntry(
    long Id,
    DateTimeOffset Time,
    string Endpoint,
    string? Env,
    string Method,
    string Path,
    string Query,
    string? Openid,
    string? BillNo,
    byte[]? Body,
    int BodyBytes,
    int? Errcode,
    string? Errmsg,
    int? HttpStatus,
    string? FaultId,
    double DurationMs,
    string? StringToSign);

/// <summary>The filters of GET /admin/requests; null matches anything.</summary>
public sealed record JournalQuery(string? Endpoint, string? Openid, string? BillNo, int? Errcode, int Limit);

/// <summary>
/// The last <c>Midas:JournalSize</c> WeChat-surface calls (docs/reference.md §1.2 /admin/requests), in a ring: memory
/// stays bounded however long the emulator runs, and recording is one short lock on the request path.
/// </summary>
public sealed class RequestJournal(IOptions<EmulatorOptions> options)
{
    /// <summary>How much of a body an entry keeps: a Midas body is a few hundred bytes, and JournalSize entries of
    /// MaxBodyBytes (up to 16 MB) each would not be a bounded journal.</summary>
    public const int MaxBodyBytes = 4096;

    private readonly Lock _lock = new();
    private readonly JournalEntry?[] _ring = new JournalEntry?[options.Value.JournalSize];
    private long _count;

    public bool Enabled => _ring.Length > 0;

    /// <summary>What an entry keeps of <paramref name="body"/>: the body itself when it is short, else a copy of its start.</summary>
    public static byte[]? Kept(byte[]? body) => body is { Length: > MaxBodyBytes } ? body[..MaxBodyBytes] : body;

    public void Record(Func<long, JournalEntry> entry)
    {
        if (!Enabled)
        {
            return;
        }
        lock (_lock)
        {
            var id = ++_count;
            _ring[(id - 1) % _ring.Length] = entry(id);
        }
    }

    /// <summary>The newest entries first, up to the query's limit.</summary>
    public IReadOnlyList<JournalEntry> Find(JournalQuery query)
    {
        var found = new List<JournalEntry>(Math.Min(query.Limit, _ring.Length));
        lock (_lock)
        {
            for (var id = _count; id > Math.Max(0, _count - _ring.Length) && found.Count < query.Limit; id--)
            {
                var entry = _ring[(id - 1) % _ring.Length]!;
                if ((query.Endpoint is null || query.Endpoint == entry.Endpoint)
                    && (query.Openid is null || query.Openid == entry.Openid)
                    && (query.BillNo is null || query.BillNo == entry.BillNo)
                    && (query.Errcode is null || query.Errcode == entry.Errcode))
                {
                    found.Add(entry);
                }
            }
        }
        return found;
    }

    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            _count = 0;
        }
    }
}
