using System.Text;

namespace MidasEmulator.Journal;

/// <summary>
/// Hides the values of credential-named keys in what the journal shows: a query string, a JSON body or a form body.
/// A name counts whatever its case or encoding (ASP.NET reads <c>?SECRET=</c> and <c>?%73ecret=</c> as secret, and
/// JSON reads <c>"secre\u0074"</c> as secret), and a body is whatever the client sent: it may hold a key twice, nest
/// it, give it an array or object, or be cut short by the journal inside a value. Every such value is hidden.
/// </summary>
public static class CredentialMask
{
    public const string Hidden = "***";

    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "secret", "appsecret", "access_token", "session_key", "app_key", "sandbox_app_key",
    };

    public static bool IsCredentialName(string name) => Names.Contains(name);

    /// <summary><c>a=1&amp;secret=x</c> → <c>a=1&amp;secret=***</c>; a leading <c>?</c> is kept.</summary>
    public static string HideInQuery(string query)
    {
        var parts = query.Split('&');
        var changed = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            if (IsCredentialName(Decode(name.TrimStart('?').Trim())))
            {
                parts[i] = name + "=" + Hidden;
                changed = true;
            }
        }
        return changed ? string.Join('&', parts) : query;
    }

    /// <summary>Hides every credential-named key's value in JSON text (the whole value: string, number, array or object).</summary>
    public static string HideInJson(string text)
    {
        StringBuilder? masked = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '"')
            {
                i++;
                continue;
            }
            var keyEnd = EndOfString(text, i);
            var colon = SkipSpace(text, keyEnd);
            if (colon >= text.Length || text[colon] != ':')
            {
                i = keyEnd;
                continue;
            }
            var valueStart = SkipSpace(text, colon + 1);
            if (!IsCredentialName(UnescapeJson(text, i + 1, keyEnd)))
            {
                i = valueStart;
                continue;
            }
            var valueEnd = EndOfValue(text, valueStart);
            masked ??= new StringBuilder(text.Length);
            masked.Append(text, copied, valueStart - copied).Append('"').Append(Hidden).Append('"');
            copied = i = valueEnd;
        }
        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    // Just past the closing quote of the string opening at start, or the end of a cut text.
    private static int EndOfString(string text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i + 1;
            }
        }
        return text.Length;
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        return i;
    }

    // A string, an array or object to its matching bracket (strings inside skipped), or a scalar to its delimiter.
    private static int EndOfValue(string text, int start)
    {
        if (start >= text.Length)
        {
            return start;
        }
        if (text[start] == '"')
        {
            return EndOfString(text, start);
        }
        if (text[start] is '[' or '{')
        {
            var depth = 0;
            for (var i = start; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '"':
                        i = EndOfString(text, i) - 1;
                        break;
                    case '[' or '{':
                        depth++;
                        break;
                    case ']' or '}' when --depth == 0:
                        return i + 1;
                }
            }
            return text.Length;
        }
        var end = start;
        while (end < text.Length && text[end] is not (',' or '}' or ']') && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }
        return end;
    }

    // The key's text with JSON escapes decoded; a broken escape is kept as it stands (then it names no credential).
    private static string UnescapeJson(string text, int start, int end)
    {
        var raw = text[start..Math.Max(start, end - 1)];
        if (!raw.Contains('\\', StringComparison.Ordinal))
        {
            return raw;
        }
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(Encoding.UTF8.GetBytes("\"" + raw + "\""));
            return reader.Read() ? reader.GetString() ?? raw : raw;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return raw;
        }
    }

    private static string Decode(string name) => Uri.UnescapeDataString(name.Replace('+', ' '));
}
