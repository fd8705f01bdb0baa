using System.Text.Json;

namespace MidasEmulator.Testing;

/// <summary>Reading a WeChat reply.</summary>
public static class MidasReplyExtensions
{
    /// <summary>The reply's errcode (0: ok).</summary>
    public static int Errcode(this JsonElement reply) => reply.GetProperty("errcode").GetInt32();

    /// <summary>A numeric field of the reply (balance, used_gen_balance, …).</summary>
    public static long Number(this JsonElement reply, string name) => reply.GetProperty(name).GetInt64();
}
