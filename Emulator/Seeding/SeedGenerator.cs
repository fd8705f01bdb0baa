using System.Text.Json;
using Bogus;

namespace MidasEmulator.Seeding;

/// <summary>
/// Writes seed-data/seed.json deterministically (fixed Bogus seed): the default app and its users.
/// Run from the repository root: <c>dotnet run --project Emulator -- --generate-seed "$PWD/seed-data/seed.json"</c>
/// (dotnet run works in Emulator/, so give an absolute path).
/// </summary>
public static class SeedGenerator
{
    public const string Switch = "--generate-seed";
    public const int UserCount = 300;

    /// <summary>
    /// The default app uses the doc's worked example (docs/wechat-api.md §3.3): appid wx1234567, offer_id 12345678 and the
    /// production AppKey zNLg…, with the example's user first, so the official vector reproduces against the emulator.
    /// </summary>
    public static readonly SeedApp DefaultApp = new(
        Appid: "wx1234567",
        Secret: "midas-emulator-default-secret-0001",
        OfferId: "12345678",
        AppKey: "zNLgAGgqsEWJOg1nFVaO5r7fAlIQxr1u",
        SandboxAppKey: "sAnDb0xKeyMidasEmulatorDefault01");

    public static SeedFile Generate()
    {
        var faker = new Faker { Random = new Randomizer(20171009) };
        const string openidChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        var users = new List<SeedUser>
        {
            new("odkx20ENSNa2w5y3g_qOkOvBNM1g", "V7Q38/i2KXaqrQyl2Yx9Hg==", Balance: 1000, GenBalance: 100),
        };
        while (users.Count < UserCount)
        {
            // Real openids are 28 chars starting with "o" (docs/wechat-api.md §2).
            var openid = "o" + faker.Random.String2(27, openidChars);
            var sessionKey = Convert.ToBase64String(faker.Random.Bytes(16));
            var balance = faker.Random.Int(0, 50) * 100;
            var genBalance = balance == 0 ? 0 : faker.Random.Int(0, balance / 100) * 10;
            users.Add(new SeedUser(openid, sessionKey, balance, genBalance));
        }
        return new SeedFile([DefaultApp], users);
    }

    /// <summary>Handles <c>--generate-seed PATH</c> before the host is built; true when it did.</summary>
    public static bool TryRun(string[] args)
    {
        var at = Array.IndexOf(args, Switch);
        if (at < 0)
        {
            return false;
        }
        if (at + 1 >= args.Length)
        {
            Console.Error.WriteLine($"usage: {Switch} PATH (an absolute path: dotnet run works in Emulator/)");
            Environment.ExitCode = 2;
            return true;
        }
        var path = args[at + 1];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = JsonSerializer.Serialize(Generate(), SeedJsonContext.Indented.SeedFile);
        File.WriteAllText(path, json + "\n");
        Console.WriteLine($"wrote {UserCount} users and 1 app to {path}");
        return true;
    }
}
