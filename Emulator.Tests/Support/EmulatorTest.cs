namespace MidasEmulator.Tests.Support;

/// <summary>A fresh in-process emulator per test, with an admin client and a game backend already on it.</summary>
public abstract class EmulatorTest : IDisposable
{
    protected static readonly GameUser User = EmulatorApp.DocUser;

    protected EmulatorTest()
        : this(new EmulatorApp())
    {
    }

    /// <summary>On an emulator set up otherwise (the shipped seed, say): the test class owns and disposes it.</summary>
    protected EmulatorTest(EmulatorApp app)
    {
        App = app;
        Admin = App.CreateClient();
        Backend = App.CreateGameBackend();
    }

    protected EmulatorApp App { get; }

    protected HttpClient Admin { get; }

    protected GameBackend Backend { get; }

    public void Dispose()
    {
        Admin.Dispose();
        App.Dispose();
        GC.SuppressFinalize(this);
    }
}
