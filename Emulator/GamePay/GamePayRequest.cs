using System.Text;
using System.Text.Json;
using MidasEmulator.Midas;

namespace MidasEmulator.GamePay;

/// <summary>The five 2.0 operations under /wxa/game/ (docs/wechat-vp2-api.md §3).</summary>
public enum GamePayOp
{
    GetBalance,
    Pay,
    CancelPay,
    Present,
    QueryOrderInfo,
}

/// <summary>The fields each 2.0 operation documents, each a <see cref="MidasField"/> (docs/wechat-vp2-api.md §2.1, §3). No others are accepted.</summary>
public static class GamePayFields
{
    private static readonly MidasField[] Common =
    [
        new("openid", false, true),
        new("offer_id", false, true),
        new("ts", true, true),
        new("zone_id", false, true),
        new("env", true, true),
        // Listed as required, but every official sample and real call omits it (§8.24).
        new("user_ip", false, false),
    ];

    private static readonly MidasField[] GetBalance = [.. Common, new("coin_type", true, false)];
    private static readonly MidasField[] Pay =
        [.. Common, new("amount", true, true), new("bill_no", false, true), new("payitem", false, false), new("remark", false, false)];
    private static readonly MidasField[] CancelPay =
        [.. Common, new("amount", true, true), new("bill_no", false, true), new("pay_bill_no", false, true)];
    private static readonly MidasField[] Present = [.. Common, new("amount", true, true), new("bill_no", false, true)];
    // No user_ip; zone_id is optional because the official sample omits it (docs/wechat-vp2-api.md §3.5).
    private static readonly MidasField[] QueryOrderInfo =
    [
        new("openid", false, true),
        new("offer_id", false, true),
        new("ts", true, true),
        new("zone_id", false, false),
        new("env", true, true),
        new("out_trade_no", false, true),
        new("biz_id", true, true),
    ];

    public static IReadOnlyList<MidasField> Of(GamePayOp op) => op switch
    {
        GamePayOp.GetBalance => GetBalance,
        GamePayOp.Pay => Pay,
        GamePayOp.CancelPay => CancelPay,
        GamePayOp.Present => Present,
        _ => QueryOrderInfo,
    };

    public static string PathName(GamePayOp op) => op switch
    {
        GamePayOp.GetBalance => "getbalance",
        GamePayOp.Pay => "pay",
        GamePayOp.CancelPay => "cancelpay",
        GamePayOp.Present => "present",
        _ => "queryorderinfo",
    };

    /// <summary>The path a 2.0 call signs as its uri (docs/wechat-vp2-api.md §4).</summary>
    public static string Path(GamePayOp op) => "/wxa/game/" + PathName(op);
}

/// <summary>
/// A 2.0 body after parsing: strings as sent, numbers as 64-bit integers. The body's bytes are what is signed
/// (docs/wechat-vp2-api.md §4); this is only what the call reads from them.
/// </summary>
public sealed class GamePayRequest
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _numbers = new(StringComparer.Ordinal);

    public string Text(string name) => _strings[name];

    public string? TextOrNull(string name) => _strings.GetValueOrDefault(name);

    public long Number(string name) => _numbers[name];

    public long? NumberOrNull(string name) => _numbers.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Parses the body as JSON whatever its Content-Type. Types are strict, as the real service is (§8.15): a string
    /// where a number belongs is "post data type not right", a number where a string belongs names the field. An
    /// unknown field, a field twice or a required one missing is "[field] field is invalid" (§8.16). Null means absent.
    /// </summary>
    public static GamePayRequest? Parse(ReadOnlySpan<byte> body, GamePayOp op, out string? problem)
    {
        var fields = GamePayFields.Of(op);
        var request = new GamePayRequest();
        var seen = 0UL; // bit i: fields[i] was in the body (even as null)
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "post data type not right hint: the body must be a JSON object";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var index = MidasFields.IndexOf(fields, name);
                if (index < 0)
                {
                    problem = Invalid(name, $"{GamePayFields.Path(op)} has no such field");
                    return null;
                }
                if ((seen & (1UL << index)) != 0)
                {
                    problem = Invalid(name, "it appears twice in the body");
                    return null;
                }
                seen |= 1UL << index;
                var field = fields[index];
                if (ReadValue(ref reader, field, request) is { } typeProblem)
                {
                    problem = typeProblem;
                    return null;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "post data type not right hint: the body must be one JSON object";
                return null;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            problem = "post data type not right hint: the body is not valid JSON";
            return null;
        }
        foreach (var field in fields)
        {
            if (field.Required && !request._strings.ContainsKey(field.Name) && !request._numbers.ContainsKey(field.Name))
            {
                problem = Invalid(field.Name, "it is required");
                return null;
            }
        }
        return request;
    }

    /// <summary>The doc sample's form of a parameter error: "[openid] openid is invalid" (docs/wechat-vp2-api.md §5).</summary>
    public static string Invalid(string field, string hint)
    {
        var shown = field.Length <= 64 ? field : field[..64] + "…";
        return $"[{shown}] {shown} is invalid hint: {hint}";
    }

    private static string? ReadValue(ref Utf8JsonReader reader, MidasField field, GamePayRequest request)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String when !field.IsNumber:
                request._strings[field.Name] = reader.GetString()!;
                return null;
            case JsonTokenType.Number when field.IsNumber:
                if (!reader.TryGetInt64(out var number))
                {
                    return Invalid(field.Name, "it must be an integer");
                }
                request._numbers[field.Name] = number;
                return null;
            case JsonTokenType.Number:
                // As seen live: field "bill_no" doesn't expect an uint32 value "10013324" (§8.15).
                var text = Encoding.UTF8.GetString(reader.ValueSpan);
                var kind = uint.TryParse(text, out _) ? "an uint32" : "a number";
                return $"field \"{field.Name}\" doesn't expect {kind} value \"{(text.Length <= 32 ? text : text[..32] + "…")}\"";
            default:
                reader.Skip();
                return $"post data type not right hint: {field.Name} must be a JSON {(field.IsNumber ? "number" : "string")}";
        }
    }
}
