namespace MidasEmulator.Testing;

/// <summary>The app a game backend calls as: appid, secret, offer_id and both AppKeys.</summary>
/// <param name="Appid">The appid.</param>
/// <param name="Secret">The app secret.</param>
/// <param name="OfferId">The Midas offer_id.</param>
/// <param name="ProductionKey">The production AppKey.</param>
/// <param name="SandboxKey">The sandbox AppKey.</param>
public sealed record MidasAppCredentials(string Appid, string Secret, string OfferId, string ProductionKey, string SandboxKey)
{
    /// <summary>The seeds' default app (<see cref="MidasDefaults"/>).</summary>
    public static MidasAppCredentials Default { get; } =
        new(MidasDefaults.Appid, MidasDefaults.Secret, MidasDefaults.OfferId, MidasDefaults.ProductionKey, MidasDefaults.SandboxKey);
}
