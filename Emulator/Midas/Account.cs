namespace MidasEmulator.Midas;

/// <summary>An account is keyed by (env, offer_id, zone_id, openid) (docs/architecture.md §2).</summary>
public readonly record struct AccountKey(Env Env, string OfferId, string ZoneId, string Openid)
{
    public override string ToString() => $"{Env.ToWire()}|{OfferId}|{ZoneId}|{Openid}";
}

/// <summary>
/// One player's coins. <see cref="Balance"/> includes the gift part <see cref="GenBalance"/>;
/// the sums follow getbalance's fields, so balance = save_sum − cost_sum and
/// save_sum = save_amt + present_sum always hold (docs/wechat-api.md §4).
/// </summary>
public sealed record Account(AccountKey Key)
{
    public long Balance { get; init; }
    public long GenBalance { get; init; }
    /// <summary>True until the first paid top-up.</summary>
    public bool FirstSave { get; init; } = true;
    public long SaveAmt { get; init; }
    public long SaveSum { get; init; }
    public long CostSum { get; init; }
    public long PresentSum { get; init; }

    public static Account Empty(AccountKey key) => new(key);
}
