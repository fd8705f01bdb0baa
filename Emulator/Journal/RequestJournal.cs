using Microsoft.Extensions.Options;

namespace MidasEmulator.Journal;

/// <summary>One WeChat-surface call as it happened. The body and query are kept raw and redacted when shown.</summary>
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
    int? Errcode,
    string? Errmsg,
    int? HttpStatus,
    string? FaultId,
    double DurationMs,
    string? StringToSign);

/// <summary>The filters of GET /admin/requests; null matches anything.</summary>
public sealed record JournalQuery(string? Endpoint, string? Openid, string? BillNo, int? Errcode, int Limit);

/// <summary>
/// The last <c>Midas:JournalSize</c> WeChat-surface calls (design.md §1.2 /admin/requests), in a ring: memory
/// stays bounded however long the emulator runs, and recording is one short lock on the request path.
/// </summary>
public sealed class RequestJournal(IOptions<EmulatorOptions> options)
{
    private readonly Lock _lock = new();
    private readonly JournalEntry?[] _ring = new JournalEntry?[options.Value.JournalSize];
    private long _count;

    public bool Enabled => _ring.Length > 0;

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
