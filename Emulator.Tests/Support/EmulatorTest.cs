namespace MidasEmulator.Tests.Support;

/// <summary>A fresh in-process emulator per test, with the library's admin client and game-backend client already on it.</summary>
public abstract class EmulatorTest : IDisposable
{
    protected static readonly MidasPlayer User = MidasDefaults.DocPlayer;

    protected EmulatorTest()
        : this(new EmulatorApp())
    {
    }

    /// <summary>On an emulator set up otherwise (the shipped seed, say): the test class owns and disposes it.</summary>
    protected EmulatorTest(EmulatorApp app)
    {
        App = app;
        Admin = App.CreateAdminClient();
        Backend = App.CreateGameBackend();
    }

    protected EmulatorApp App { get; }

    protected MidasAdminClient Admin { get; }

    protected MidasGameClient Backend { get; }

    public void Dispose()
    {
        Admin.Http.Dispose();
        App.Dispose();
        GC.SuppressFinalize(this);
    }
}
