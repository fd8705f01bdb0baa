using Xunit;

namespace MidasEmulator.Testing;

/// <summary>
/// An xunit fixture that starts one <see cref="MidasEmulatorServer"/> and stops it after the last test that uses it.
/// Use it as <c>IClassFixture&lt;MidasEmulatorFixture&gt;</c> (one emulator per test class: classes run in parallel,
/// each on its own) or in a <c>[CollectionDefinition]</c> (one shared by the collection). Derive from it and override
/// <see cref="Configure"/> for settings.
/// </summary>
public class MidasEmulatorFixture : IAsyncLifetime
{
    private MidasEmulatorServer? _server;

    /// <summary>The running emulator.</summary>
    public MidasEmulatorServer Server => _server ?? throw new InvalidOperationException("the emulator has not started: xunit calls InitializeAsync first");

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>Its admin client.</summary>
    public MidasAdminClient Admin => Server.Admin;

    /// <summary>A new HttpClient on the emulator; give it to the code under test.</summary>
    public HttpClient CreateClient() => Server.CreateClient();

    /// <summary>A signing game-backend client on the emulator.</summary>
    public MidasGameClient CreateGameClient() => Server.CreateGameClient();

    /// <summary>Override to change the options: <c>options.With("Midas:BillNoRepeat", "Replay")</c>.</summary>
    protected virtual void Configure(MidasEmulatorServerOptions options)
    {
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var options = new MidasEmulatorServerOptions();
        Configure(options);
        _server = await MidasEmulatorServer.StartAsync(options).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
