using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Ui;

/// <summary>The emulator on a real socket for a browser test.</summary>
public static class DashboardHost
{
    /// <summary>
    /// A <see cref="KestrelEmulatorApp"/>, tried up to three times: under a loaded full run, WebApplicationFactory's port
    /// set-up can find the minimal-hosting server already started ("IServerAddressesFeature.Addresses cannot be modified
    /// after the server has started"), a start-up race of the factory, not of the emulator.
    /// </summary>
    public static KestrelEmulatorApp Start(IReadOnlyDictionary<string, string?>? settings = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new KestrelEmulatorApp(settings);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("IServerAddressesFeature", StringComparison.Ordinal))
            {
                // the failed factory is abandoned; the next one binds a new port
            }
        }
    }
}
