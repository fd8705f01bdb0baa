using System.Collections.Concurrent;
using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>The registered apps, kept in memory and persisted through the writer.</summary>
public sealed class AppRegistry(IAuthStore store)
{
    private readonly ConcurrentDictionary<string, MidasApp> _apps = new(StringComparer.Ordinal);

    public IReadOnlyList<MidasApp> All => _apps.Values.OrderBy(a => a.Appid, StringComparer.Ordinal).ToList();

    public bool TryGet(string appid, out MidasApp app) => _apps.TryGetValue(appid, out app!);

    /// <summary>
    /// The app an admin call means: the named one, or the only one when the call names none (docs/reference.md §1.2).
    /// Null with a reason when it cannot be told.
    /// </summary>
    public MidasApp? Resolve(string? appid, out string problem)
    {
        problem = "";
        if (!string.IsNullOrEmpty(appid))
        {
            if (_apps.TryGetValue(appid, out var app))
            {
                return app;
            }
            problem = $"appid {appid} is not registered (POST /admin/apps registers it)";
            return null;
        }
        if (_apps.Count == 1)
        {
            return _apps.Values.First();
        }
        problem = _apps.IsEmpty ? "no app is registered" : "more than one app is registered: name the appid";
        return null;
    }

    public async Task RegisterAsync(MidasApp app)
    {
        (await store.SaveAsync(new SaveApp(app), () => _apps[app.Appid] = app).ConfigureAwait(false)).EnsureCommitted();
    }

    internal void Load(IEnumerable<MidasApp> apps)
    {
        foreach (var app in apps)
        {
            _apps[app.Appid] = app;
        }
    }

}
