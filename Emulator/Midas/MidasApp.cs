namespace MidasEmulator.Midas;

/// <summary>A registered mini-game: its credentials, its Midas offer and one AppKey per environment (docs/wechat-api.md §7).</summary>
public sealed record MidasApp(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey)
{
    /// <summary>The key that signs calls to <paramref name="env"/>'s paths; null when the app has no sandbox.</summary>
    public string? KeyFor(Env env) => env == Env.Sandbox ? SandboxAppKey : AppKey;
}
