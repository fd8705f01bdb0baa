using System.Security.Cryptography;
using System.Text;
using MidasEmulator.Midas;

namespace MidasEmulator.Auth;

/// <summary>
/// The secrets a caller sends, compared in constant time: here in Auth/, where the build refuses early-exit
/// comparisons (Emulator/BannedSymbols.txt, .editorconfig), so no later edit can quietly make them leak timing.
/// </summary>
public static class SecretCheck
{
    /// <summary>/cgi-bin/token's and /sns/jscode2session's secret against the registered app's.</summary>
    public static bool AppSecretMatches(MidasApp app, string secret) => Same(secret, app.Secret);

    /// <summary>An "Authorization: Bearer &lt;token&gt;" header against Midas:AdminToken.</summary>
    public static bool AdminTokenAccepts(string authorizationHeader, string adminToken)
    {
        var given = authorizationHeader.StartsWith("Bearer ", StringComparison.Ordinal) ? authorizationHeader["Bearer ".Length..] : "";
        return Same(given, adminToken);
    }

    // FixedTimeEquals still tells a different length apart, which says nothing of the secret's characters.
    private static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
