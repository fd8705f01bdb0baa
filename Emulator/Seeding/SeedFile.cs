namespace MidasEmulator.Seeding;

/// <summary>The seed file (seed-data/seed.json): apps, and users with a session and starting balances.</summary>
public sealed record SeedFile(IReadOnlyList<SeedApp> Apps, IReadOnlyList<SeedUser> Users);

public sealed record SeedApp(string Appid, string Secret, string OfferId, string AppKey, string? SandboxAppKey);

/// <summary>A seeded user of the first app: a live session and an account in <see cref="Env"/> (zone "1" unless given).</summary>
public sealed record SeedUser(string Openid, string SessionKey, long Balance, long GenBalance, string? Appid = null, string? ZoneId = null, string? Env = null);
