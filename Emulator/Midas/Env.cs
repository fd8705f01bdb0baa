namespace MidasEmulator.Midas;

/// <summary>Which Midas ledger a call uses: the sandbox and production paths keep separate accounts (docs/wechat-api.md §7).</summary>
public enum Env
{
    Sandbox,
    Production,
}

public static class EnvNames
{
    public const string Sandbox = "sandbox";
    public const string Production = "production";

    public static string ToWire(this Env env) => env == Env.Sandbox ? Sandbox : Production;

    public static bool TryParse(string? text, out Env env)
    {
        switch (text)
        {
            case null or "" or Sandbox:
                env = Env.Sandbox;
                return true;
            case Production:
                env = Env.Production;
                return true;
            default:
                env = Env.Sandbox;
                return false;
        }
    }
}
