using System.Text;
using System.Text.Json;

namespace MidasEmulator.Midas;

/// <summary>The four Midas 1.0 operations (docs/wechat-api.md §1).</summary>
public enum MidasOp
{
    GetBalance,
    Pay,
    CancelPay,
    Present,
}

/// <summary>One documented body field: its name as WeChat spells it, its JSON type, and whether it is required (docs/wechat-api.md §2, §4).</summary>
public sealed record MidasField(string Name, bool IsNumber, bool Required);

/// <summary>The fields each operation documents. Only these are signed; any other key in the body is ignored (docs/wechat-api.md §1).</summary>
public static class MidasFields
{
    private static readonly MidasField[] Common =
    [
        new("openid", false, true),
        new("appid", false, true),
        new("offer_id", false, true),
        new("ts", true, true),
        new("zone_id", false, true),
        new("pf", false, true),
        new("user_ip", false, false),
    ];

    public static readonly MidasField Sig = new("sig", false, true);
    public static readonly MidasField MpSig = new("mp_sig", false, false);

    private static readonly MidasField[] GetBalance = [.. Common, Sig, MpSig];
    private static readonly MidasField[] Pay =
        [.. Common, new("amt", true, true), new("bill_no", false, true), new("pay_item", false, false), new("app_remark", false, false), Sig, MpSig];
    private static readonly MidasField[] CancelPay = [.. Common, new("bill_no", false, true), new("pay_item", false, false), Sig, MpSig];
    private static readonly MidasField[] Present = [.. Common, new("bill_no", false, true), new("present_counts", true, true), Sig, MpSig];

    public static IReadOnlyList<MidasField> Of(MidasOp op) => op switch
    {
        MidasOp.GetBalance => GetBalance,
        MidasOp.Pay => Pay,
        MidasOp.CancelPay => CancelPay,
        _ => Present,
    };

    /// <summary>Where <paramref name="name"/> stands in <paramref name="fields"/>, or -1: a body's keys are looked up by position, so a bit can mark each seen.</summary>
    public static int IndexOf(IReadOnlyList<MidasField> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    public static string PathName(MidasOp op) => op switch
    {
        MidasOp.GetBalance => "getbalance",
        MidasOp.Pay => "pay",
        MidasOp.CancelPay => "cancelpay",
        _ => "present",
    };
}

/// <summary>
/// A Midas request body after parsing: each documented field present, as the text that is signed
/// (strings as sent, numbers exactly as written in the JSON; docs/wechat-api.md §3.5).
/// </summary>
public sealed class MidasRequest
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string this[string name] => _values[name];

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The fields sig covers: every documented field present except sig and mp_sig (docs/wechat-api.md §3.1).</summary>
    public List<KeyValuePair<string, string>> SignedFields() =>
        _values.Where(kv => kv.Key is not ("sig" or "mp_sig")).ToList();

    internal void Set(string name, string value) => _values[name] = value;

    /// <summary>
    /// Parses a body as JSON whatever its Content-Type says (one published client sends none; docs/wechat-api.md §1).
    /// Returns null and an error reply naming the problem when the body is not a usable request.
    /// </summary>
    public static MidasRequest? Parse(ReadOnlySpan<byte> body, MidasOp op, bool strictTypes, bool legacyMissingParam, out MidasReply? error)
    {
        var fields = MidasFields.Of(op);
        var request = new MidasRequest();
        var seen = 0UL; // bit i: fields[i] was in the body, even as null ({"amt":null,"amt":5} is a field twice too)
        error = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = MidasReply.ParameterError("the body must be a JSON object");
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var index = MidasFields.IndexOf(fields, name);
                if (index < 0)
                {
                    // Unknown keys (api, env, even session_key) are ignored and never signed (docs/wechat-api.md §1).
                    reader.Skip();
                    continue;
                }
                var field = fields[index];
                if ((seen & (1UL << index)) != 0)
                {
                    error = MidasReply.ParameterError($"{name} appears twice in the body");
                    return null;
                }
                seen |= 1UL << index;
                if (ReadValue(ref reader, field, strictTypes, out var value) is { } problem)
                {
                    error = MidasReply.ParameterError(problem);
                    return null;
                }
                if (value is not null)
                {
                    request.Set(name, value);
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = MidasReply.ParameterError("the body must be one JSON object");
                return null;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            error = MidasReply.ParameterError($"the body is not valid JSON ({FirstLine(ex.Message)})");
            return null;
        }
        foreach (var field in fields)
        {
            if (field.Required && !request.Has(field.Name))
            {
                error = MidasReply.ParameterMissing(field.Name, legacyMissingParam);
                return null;
            }
        }
        return request;
    }

    /// <summary>Reads one field's value as its signed text; null value = absent (docs/wechat-api.md §10.11). Returns a problem or null.</summary>
    private static string? ReadValue(ref Utf8JsonReader reader, MidasField field, bool strictTypes, out string? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                value = reader.GetString()!;
                if (field.IsNumber)
                {
                    // wxgamevp sends numbers as numeric strings; lenient mode signs them by their text (docs/wechat-api.md §10.10).
                    if (strictTypes)
                    {
                        return $"{field.Name} must be a JSON number, not a string";
                    }
                    if (!IsIntegerText(value))
                    {
                        return $"{field.Name} must be an integer";
                    }
                }
                return null;
            case JsonTokenType.Number:
                value = Encoding.UTF8.GetString(reader.ValueSpan);
                if (field.IsNumber)
                {
                    return IsIntegerText(value) ? null : $"{field.Name} must be an integer";
                }
                return strictTypes ? $"{field.Name} must be a JSON string, not a number" : null;
            default:
                reader.Skip();
                return $"{field.Name} must be a {(field.IsNumber ? "number" : "string")}, not {Describe(reader.TokenType)}";
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.EndObject or JsonTokenType.StartObject => "an object",
        JsonTokenType.EndArray or JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static bool IsIntegerText(string text)
    {
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.Length == 0)
        {
            return false;
        }
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }

    private static string FirstLine(string message)
    {
        var cut = message.IndexOfAny(['\r', '\n']);
        return cut < 0 ? message : message[..cut];
    }
}
