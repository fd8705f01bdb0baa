namespace MidasEmulator.Midas;

/// <summary>An enum's names on the wire, both ways, from one table: a name is written in one place only.</summary>
public sealed class WireNames<T>
    where T : struct, Enum
{
    private readonly Dictionary<T, string> _names = [];
    private readonly Dictionary<string, T> _values = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">A value of <typeparamref name="T"/> has no name, or two share one.</exception>
    public WireNames(params (T Value, string Name)[] names)
    {
        foreach (var (value, name) in names)
        {
            _names.Add(value, name);
            _values.Add(name, value);
        }
        foreach (var value in Enum.GetValues<T>())
        {
            if (!_names.ContainsKey(value))
            {
                throw new ArgumentException($"{typeof(T).Name}.{value} has no wire name", nameof(names));
            }
        }
    }

    public string Of(T value) => _names[value];

    public bool TryParse(string? text, out T value) => _values.TryGetValue(text ?? "", out value);
}
