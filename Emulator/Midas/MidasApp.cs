namespace MidasEmulator.Midas;

/// <summary>
/// A registered mini-game: its credentials, its Midas offer, one AppKey per environment (docs/wechat-api.md §7), and
/// for 2.0 the zones published in each environment (docs/wechat-vp2-api.md §2.1). One app serves both API families,
/// as an old game in 2.0's "compatible state" does: the same offer_id, AppKey for env 0, the sandbox AppKey for env 1.
/// </summary>
public sealed record MidasApp(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey)
{
    /// <summary>The zones 2.0 calls may name, per environment; zone "1" in both unless registered otherwise.</summary>
    public AppZones Zones { get; init; } = AppZones.Default;

    /// <summary>The original id (gh_…) given at registration, if any.</summary>
    public string? RegisteredOriginalId { get; init; }

    /// <summary>The mini-game's original id (gh_…), as pushes name it; derived from the appid unless registered.</summary>
    public string OriginalId => RegisteredOriginalId ?? "gh_" + (Appid.StartsWith("wx", StringComparison.Ordinal) ? Appid[2..] : Appid);

    /// <summary>The key that signs calls to <paramref name="env"/>'s paths; null when the app has no sandbox.</summary>
    public string? KeyFor(Env env) => env == Env.Sandbox ? SandboxAppKey : AppKey;
}

/// <summary>The zone ids published for each environment (MP 分区配置).</summary>
public sealed record AppZones(IReadOnlyList<string> Sandbox, IReadOnlyList<string> Production)
{
    public static readonly AppZones Default = new(["1"], ["1"]);

    public IReadOnlyList<string> For(Env env) => env == Env.Sandbox ? Sandbox : Production;

    public bool IsPublished(Env env, string zoneId) => For(env).Contains(zoneId, StringComparer.Ordinal);

    // By the zones listed, not the lists' identity: an app read back from the database equals the one registered.
    public bool Equals(AppZones? other) =>
        other is not null && Sandbox.SequenceEqual(other.Sandbox, StringComparer.Ordinal) && Production.SequenceEqual(other.Production, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Sandbox.Count, Production.Count);
}
