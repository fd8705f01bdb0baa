namespace MidasEmulator.Tests.Support;

/// <summary>The library's admin client over an HttpClient a test already holds (a process's, a container's, a socket's).</summary>
public static class AdminClients
{
    public static MidasAdminClient AsAdmin(this HttpClient http) => new(http, appid: MidasDefaults.Appid);
}
