using System.Text.Json;
using MidasEmulator.Midas;

namespace MidasEmulator.Endpoints;

/// <summary>
/// What one WeChat-surface call carries past its handler: the body (read once, before any fault delay, so a
/// late commit still has it after the client gave up), the openid and bill_no a fault rule or the journal
/// scopes by, and the string-to-sign of a signature the emulator refused.
/// </summary>
public sealed class WeChatCall
{
    private WeChatCall(string endpoint, Env? env)
    {
        Endpoint = endpoint;
        Env = env;
    }

    /// <summary>getbalance, pay, cancelpay, present, token or jscode2session.</summary>
    public string Endpoint { get; }

    /// <summary>The ledger the call used: from the path for 1.0, from the body's env for 2.0 once it is read.</summary>
    public Env? Env { get; set; }

    /// <summary>The body's bytes once read; null before, or when it was over the size limit.</summary>
    public byte[]? Body { get; private set; }

    public bool BodyTooLarge { get; private set; }

    public string? Openid { get; set; }

    public string? BillNo { get; set; }

    /// <summary>For a refused sig or mp_sig: what the emulator signed, secrets shown as ***.</summary>
    public string? StringToSign { get; set; }

    /// <summary>The call's record, made by the first one to ask (the fault filter, or the handler when it runs alone).</summary>
    public static WeChatCall For(HttpContext context, string endpoint, Env? env)
    {
        if (context.Features.Get<WeChatCall>() is { } call)
        {
            return call;
        }
        call = new WeChatCall(endpoint, env);
        context.Features.Set(call);
        return call;
    }

    /// <summary>Reads the body once, up to <paramref name="maxBytes"/>, and notes its top-level openid and bill_no.</summary>
    public async ValueTask<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes)
    {
        if (Body is null && !BodyTooLarge)
        {
            Body = await BoundedBody.ReadAsync(request, maxBytes).ConfigureAwait(false);
            BodyTooLarge = Body is null;
            if (Body is not null)
            {
                NoteScope(Body);
            }
        }
        return Body;
    }

    // A shallow scan, not the validating parse: a malformed body simply has no openid or bill_no to scope by. Only
    // well-formed values are noted: they go into the log line and the journal, where a 60 KB openid or one holding a
    // newline or a terminal escape has no business (such a request is refused with 90018 anyway).
    private void NoteScope(byte[] body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isOpenid = reader.ValueTextEquals("openid"u8);
                var isBillNo = !isOpenid && reader.ValueTextEquals("bill_no"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isOpenid ? Openid is null : isBillNo && BillNo is null))
                {
                    var value = reader.GetString();
                    if (isOpenid && MidasValidation.IsOpenid(value))
                    {
                        Openid = value;
                    }
                    else if (isBillNo && MidasValidation.CheckBillNo(value!, strict: false) is null)
                    {
                        BillNo = value;
                    }
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // What was found before the error stands; the handler reports the error itself.
        }
        catch (InvalidOperationException)
        {
            // Same: an invalid string escape.
        }
    }
}
