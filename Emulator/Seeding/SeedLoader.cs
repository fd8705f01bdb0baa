using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Seeding;

/// <summary>Loads the seed file into an empty database at start-up and again after POST /admin/reset.</summary>
public sealed class SeedLoader(
    IOptions<EmulatorOptions> options,
    AppRegistry apps,
    Sessions sessions,
    LedgerWriter writer,
    IHostEnvironment environment)
{
    /// <summary>The seed file's path: as configured, relative to the working directory or else to the emulator's own folder.</summary>
    public string? ResolvePath()
    {
        var configured = options.Value.SeedFile;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }
        if (Path.IsPathRooted(configured) || File.Exists(configured))
        {
            return configured;
        }
        foreach (var root in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, configured);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return configured;
    }

    public static SeedFile Read(string path)
    {
        SeedFile? seed;
        try
        {
            using var stream = File.OpenRead(path);
            seed = JsonSerializer.Deserialize(stream, SeedJsonContext.Default.SeedFile);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new SeedFileException(path, ex.Message, ex);
        }
        return Problem(seed) is { } problem ? throw new SeedFileException(path, problem) : seed!;
    }

    /// <summary>
    /// Whatever would make the load fail half-way, found before anything is written: a seed is applied whole or not at
    /// all (a half-applied one would also leave the database non-empty, so the next start would not seed it again).
    /// </summary>
    private static string? Problem(SeedFile? seed)
    {
        // Missing lists and null elements read as null whatever the records say.
        if (seed?.Apps is null || seed.Users is null)
        {
            return "it needs both \"apps\" and \"users\" (either may be [])";
        }
        var appids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < seed.Apps.Count; i++)
        {
            var app = seed.Apps[i];
            if (app is null)
            {
                return $"apps[{i}] needs an appid, secret, offer_id and app_key";
            }
            // The rules POST /admin/apps applies.
            if (MidasValidation.CheckApp(app.Appid, app.Secret, app.OfferId, app.AppKey, app.SandboxAppKey) is { } invalid)
            {
                return $"apps[{i}]: {invalid}";
            }
            if (!appids.Add(app.Appid))
            {
                return $"apps[{i}] repeats appid {app.Appid}";
            }
        }
        for (var i = 0; i < seed.Users.Count; i++)
        {
            var user = seed.Users[i];
            if (user is null || !MidasValidation.IsOpenid(user.Openid) || !MidasValidation.IsSessionKey(user.SessionKey))
            {
                return $"users[{i}] needs an openid of [0-9A-Za-z_-] and a session_key of 1 to {MidasValidation.MaxSecretLength} characters";
            }
            var appid = user.Appid ?? (seed.Apps.Count > 0 ? seed.Apps[0].Appid : null);
            if (appid is null || !appids.Contains(appid))
            {
                return $"users[{i}] ({user.Openid}) names app {appid ?? "(none: the seed has no apps)"}, which the seed does not register";
            }
            if (!EnvNames.TryParse(user.Env, out _) || user.ZoneId is { Length: 0 or > MidasValidation.MaxKeyPartLength })
            {
                return $"users[{i}] ({user.Openid}): env must be sandbox or production, zone_id 1 to {MidasValidation.MaxKeyPartLength} characters";
            }
            if (user.Balance is < 0 or > MidasValidation.MaxSetBalance || user.GenBalance < 0 || user.GenBalance > user.Balance)
            {
                return $"users[{i}] ({user.Openid}): need 0 <= gen_balance <= balance <= {MidasValidation.MaxSetBalance}";
            }
        }
        return null;
    }

    /// <summary>Loads the seed file, if any, and answers how many users it seeded (EmulatorData logs it).</summary>
    public async Task<int> LoadAsync()
    {
        var path = ResolvePath();
        if (path is null)
        {
            return 0;
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Midas:SeedFile {path} does not exist; set Midas__SeedFile to a seed file or to an empty string for none", path);
        }
        var seed = Read(path);
        try
        {
            await LoadAsync(seed).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new SeedFileException(path, ex.Message, ex);
        }
        return seed.Users.Count;
    }

    private async Task LoadAsync(SeedFile seed)
    {
        foreach (var app in seed.Apps)
        {
            await apps.RegisterAsync(new MidasApp(app.Appid, app.Secret, app.OfferId, app.AppKey, app.SandboxAppKey)).ConfigureAwait(false);
        }
        var offers = seed.Apps.ToDictionary(a => a.Appid, a => a.OfferId, StringComparer.Ordinal);
        var work = new List<Task>(seed.Users.Count * 2);
        foreach (var user in seed.Users)
        {
            // Read checked every user: its app is in the seed and its env parses.
            var appid = user.Appid ?? seed.Apps[0].Appid;
            if (!EnvNames.TryParse(user.Env, out var env))
            {
                throw new UnreachableException($"seed user {user.Openid}: env {user.Env} passed the check");
            }
            work.Add(sessions.StartAsync(appid, user.Openid, user.SessionKey));
            var key = new AccountKey(env, offers[appid], user.ZoneId ?? "1", user.Openid);
            // A seeded balance is booked as a "set" order, so the ledger explains every coin.
            work.Add(SetBalanceAsync(new SetBalanceCommand(key, appid, user.Balance, user.GenBalance, FirstSave: user.Balance == user.GenBalance)));
        }
        await Task.WhenAll(work).ConfigureAwait(false);
    }

    private async Task SetBalanceAsync(SetBalanceCommand command)
    {
        var result = await writer.SubmitAsync(command).ConfigureAwait(false);
        if (!result.Reply.IsOk)
        {
            throw new InvalidDataException($"seed user {command.Account.Openid}: {result.Reply.Errmsg}");
        }
    }
}

/// <summary>The seed file is not valid JSON of the seed's shape, or names what it does not define: the start stops with one sentence.</summary>
public sealed class SeedFileException(string path, string problem, Exception? cause = null)
    : IOException($"the seed file {path} cannot be loaded: {problem}", cause);
