using System.Collections.Concurrent;

namespace GameBackend;

public sealed record LoginRequest(string Code);

public sealed record BuyRequest(string Openid, string Item, string OrderId);

public sealed class WeChatOptions
{
    public string Appid { get; set; } = "";
    public string Secret { get; set; } = "";
    public string OfferId { get; set; } = "";
    public string AppKey { get; set; } = "";
    public bool Sandbox { get; set; } = true;
}

public static class Shop
{
    public static readonly IReadOnlyDictionary<string, long> Prices = new Dictionary<string, long> { ["sword"] = 100, ["shield"] = 60 };
}

/// <summary>Sessions and inventories, in memory: a real backend keeps them in its database.</summary>
public sealed class Players
{
    private readonly ConcurrentDictionary<string, string> _sessions = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _granted = new();

    public void LoggedIn(string openid, string sessionKey) => _sessions[openid] = sessionKey;

    public void LoggedOut(string openid) => _sessions.TryRemove(openid, out _);

    public string? SessionKey(string openid) => _sessions.GetValueOrDefault(openid);

    /// <summary>Grants the item of an order once, however many times the order is answered.</summary>
    public void Grant(string openid, string billNo, string item) => _granted.GetOrAdd(openid, _ => new())[billNo] = item;

    public IReadOnlyList<string> Inventory(string openid) => _granted.TryGetValue(openid, out var items) ? [.. items.Values] : [];
}
