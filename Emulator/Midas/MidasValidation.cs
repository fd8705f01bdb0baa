using System.Globalization;

namespace MidasEmulator.Midas;

/// <summary>The value rules of docs/wechat-api.md §2, §4 and §10 (21, 22, 15); each failure is a 90018 naming the field.</summary>
public static class MidasValidation
{
    public const int MaxOpenidLength = 128;
    public const int MaxBillNoLength = 63;
    /// <summary>appid, offer_id, zone_id and pf are parts of database keys, which LiteDB limits to 1023 bytes.</summary>
    public const int MaxKeyPartLength = 64;
    public const int MaxTextLength = 1024;
    /// <summary>Largest balance an admin PUT or the seed file sets: far above any test, far below overflow of the sums.</summary>
    public const long MaxSetBalance = 1L << 53;

    /// <summary>Returns the problem, or null when the request's values are acceptable.</summary>
    public static string? Check(MidasRequest request, MidasOp op, MidasCallSettings options, DateTimeOffset now)
    {
        if (!IsOpenid(request["openid"]))
        {
            return $"[openid] openid is invalid: 1 to {MaxOpenidLength} characters of [0-9A-Za-z_-]";
        }
        foreach (var name in new[] { "appid", "offer_id", "zone_id", "pf" })
        {
            var value = request[name];
            if (value.Length == 0 || value.Length > MaxKeyPartLength)
            {
                return $"{name} must be a non-empty string of at most {MaxKeyPartLength} characters";
            }
        }
        if (options.StrictPf && request["pf"] != "android")
        {
            return "pf must be \"android\" (Midas:StrictPf)";
        }
        if (!long.TryParse(request["ts"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ts) || ts < 0)
        {
            return "ts must be a UNIX time in seconds";
        }
        if (options.TsWindowSeconds > 0 && Math.Abs(now.ToUnixTimeSeconds() - ts) > options.TsWindowSeconds)
        {
            return $"ts {ts} is more than {options.TsWindowSeconds} s from the emulator's clock ({now.ToUnixTimeSeconds()})";
        }
        foreach (var name in new[] { "user_ip", "pay_item", "app_remark" })
        {
            if (request.Get(name) is { Length: > MaxTextLength })
            {
                return $"{name} is longer than {MaxTextLength} characters";
            }
        }
        if (op != MidasOp.GetBalance && CheckBillNo(request["bill_no"], options.StrictBillNo) is { } billProblem)
        {
            return billProblem;
        }
        var amountField = op switch
        {
            MidasOp.Pay => "amt",
            MidasOp.Present => "present_counts",
            _ => null,
        };
        if (amountField is not null && !TryAmount(request[amountField], out _))
        {
            return $"{amountField} must be an integer from 1 to {int.MaxValue}";
        }
        return null;
    }

    /// <summary>An openid: 1 to 128 characters of [0-9A-Za-z_-] (real ones are 28, docs/wechat-api.md §2).</summary>
    public static bool IsOpenid(string? openid) => openid is { Length: > 0 and <= MaxOpenidLength } && IsIdentifierText(openid);

    /// <summary>An appid or offer_id as the admin API registers it: 1 to 64 characters of [0-9A-Za-z_-].</summary>
    public static bool IsAppIdentifier(string? value) => value is { Length: > 0 and <= MaxKeyPartLength } && IsIdentifierText(value);

    /// <summary>Longest secret, AppKey or session_key the emulator keeps.</summary>
    public const int MaxSecretLength = 256;

    /// <summary>A session_key as the admin API and the seed set it: 1 to 256 characters (WeChat issues 24-char base64).</summary>
    public static bool IsSessionKey(string? value) => value is { Length: > 0 and <= MaxSecretLength };

    /// <summary>
    /// What is wrong with an app to register (POST /admin/apps, the seed file), naming the field, or null. appid and
    /// offer_id are parts of database keys: short, and without the key separator.
    /// </summary>
    public static string? CheckApp(string? appid, string? secret, string? offerId, string? appKey, string? sandboxAppKey)
    {
        foreach (var (name, value) in new[] { ("appid", appid), ("offer_id", offerId) })
        {
            if (!IsAppIdentifier(value))
            {
                return $"{name} is required: 1 to {MaxKeyPartLength} characters of [0-9A-Za-z_-]";
            }
        }
        foreach (var (name, value) in new[] { ("secret", secret), ("app_key", appKey), ("sandbox_app_key", sandboxAppKey ?? "-") })
        {
            if (value is not { Length: > 0 and <= MaxSecretLength })
            {
                return $"{name} is required: 1 to {MaxSecretLength} characters";
            }
        }
        return null;
    }

    private static bool IsIdentifierText(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Amounts are 1 … 2 147 483 647 (docs/wechat-api.md §10.22).</summary>
    public static bool TryAmount(string text, out long amount) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out amount) && amount is >= 1 and <= int.MaxValue;

    /// <summary>bill_no: up to 63 of [0-9A-Za-z_-], plus | * @ unless strict (docs/wechat-api.md §4, §10.21).</summary>
    public static string? CheckBillNo(string billNo, bool strict)
    {
        if (billNo.Length is 0 or > MaxBillNoLength)
        {
            return $"bill_no must be 1 to {MaxBillNoLength} characters";
        }
        foreach (var c in billNo)
        {
            var allowed = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (!strict && c is '|' or '*' or '@');
            if (!allowed)
            {
                return strict
                    ? "bill_no may hold only digits, ASCII letters, _ and -"
                    : "bill_no may hold only digits, ASCII letters, _ - | * and @";
            }
        }
        return null;
    }
}
