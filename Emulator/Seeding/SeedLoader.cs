using System.Text.Json;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Endpoints;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Seeding;

/// <summary>Loads the seed file into an empty database at start-up and again after POST /admin/reset.</summary>
public sealed class SeedLoader(
    IOptions<EmulatorOptions> options,
    AppRegistry apps,
    Sessions sessions,
    LedgerWriter writer,
    IHostEnvironment environment,
    ILogger<SeedLoader> logger)
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
        using var stream = File.OpenRead(path);
        try
        {
            var seed = JsonSerializer.Deserialize(stream, EmulatorJsonContext.Default.SeedFile)
                ?? throw new SeedFileException(path, "it is empty");
            // Missing lists read as null whatever the record says.
            return seed.Apps is null || seed.Users is null ? throw new SeedFileException(path, "it needs both \"apps\" and \"users\" (either may be [])") : seed;
        }
        catch (JsonException ex)
        {
            throw new SeedFileException(path, ex.Message, ex);
        }
    }

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
            return await LoadAsync(seed, path).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new SeedFileException(path, ex.Message, ex);
        }
    }

    private async Task<int> LoadAsync(SeedFile seed, string path)
    {
        foreach (var app in seed.Apps)
        {
            await apps.RegisterAsync(new MidasApp(app.Appid, app.Secret, app.OfferId, app.AppKey, app.SandboxAppKey)).ConfigureAwait(false);
        }
        var defaultApp = seed.Apps.Count > 0 ? seed.Apps[0] : null;
        var work = new List<Task>(seed.Users.Count * 2);
        foreach (var user in seed.Users)
        {
            var appid = user.Appid ?? defaultApp?.Appid ?? throw new InvalidDataException($"seed user {user.Openid} names no app and the seed has none");
            if (!apps.TryGet(appid, out var app))
            {
                throw new InvalidDataException($"seed user {user.Openid} names app {appid}, which the seed does not register");
            }
            if (!EnvNames.TryParse(user.Env, out var env))
            {
                throw new InvalidDataException($"seed user {user.Openid}: env must be sandbox or production");
            }
            work.Add(sessions.StartAsync(appid, user.Openid, user.SessionKey));
            var key = new AccountKey(env, app.OfferId, user.ZoneId ?? "1", user.Openid);
            // A seeded balance is booked as a "set" order, so the ledger explains every coin.
            work.Add(SetBalanceAsync(new SetBalanceCommand(key, appid, user.Balance, user.GenBalance, FirstSave: user.Balance == user.GenBalance)));
        }
        await Task.WhenAll(work).ConfigureAwait(false);
        logger.LogInformation("seeded {Apps} apps and {Users} users from {Path}", seed.Apps.Count, seed.Users.Count, path);
        return seed.Users.Count;
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
