using System.Text.Json.Serialization;

namespace MidasEmulator.Seeding;

/// <summary>
/// Source-generated JSON for the seed file: snake_case like the admin API, and a key written twice is refused rather
/// than the last one silently winning.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(SeedFile))]
public sealed partial class SeedJsonContext : JsonSerializerContext
{
    /// <summary>The same, indented and without nulls: for the seed file a person reads.</summary>
    public static SeedJsonContext Indented { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
