namespace MidasEmulator.Testing;

/// <summary>
/// The default app of the emulator's seeds (seed-data/seed.json, and the small seed), as a game backend's
/// configuration names it. Its production AppKey is the one of WeChat's worked example (docs/wechat-api.md §3.3).
/// </summary>
public static class MidasDefaults
{
    /// <summary>The default app's appid.</summary>
    public const string Appid = "wx1234567";

    /// <summary>The default app's secret, for /cgi-bin/token and /sns/jscode2session.</summary>
    public const string Secret = "midas-emulator-default-secret-0001";

    /// <summary>The default app's Midas offer_id.</summary>
    public const string OfferId = "12345678";

    /// <summary>The production AppKey: signs /cgi-bin/midas/* calls.</summary>
    public const string ProductionKey = "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u";

    /// <summary>The sandbox AppKey: signs /cgi-bin/midas/sandbox/* calls.</summary>
    public const string SandboxKey = "sAnDb0xKeyMidasEmulatorDefault01";

    /// <summary>The doc's worked-example player, the first of every seed: balance 1000, of which 100 gift, in the sandbox.</summary>
    public static readonly MidasPlayer DocPlayer = new("odkx20ENSNa2w5y3g_qOkOvBNM1g", "V7Q38/i2KXaqrQyl2Yx9Hg==");
}
