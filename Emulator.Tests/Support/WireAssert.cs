using System.Text.Json;

namespace MidasEmulator.Tests.Support;

/// <summary>Assertions on a WeChat reply that say what came instead (Errcode and Number are MidasEmulator.Testing's).</summary>
public static class WireAssert
{
    public static void Ok(JsonElement reply) => Assert.True(reply.Errcode() == 0, $"expected errcode 0, got {reply}");

    public static void Code(int expected, JsonElement reply) => Assert.True(reply.Errcode() == expected, $"expected errcode {expected}, got {reply}");
}
