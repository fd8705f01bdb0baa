using System.ComponentModel;
using System.Text.Json.Serialization;

namespace MidasEmulator.Endpoints;

// Documentation only: these records describe the WeChat-surface bodies and replies in /openapi/wechat.json.
// No handler binds or writes them: MidasRequest.Parse reads a Midas body by hand (strictly, whatever its
// Content-Type, answering WeChat's errcodes) and the replies are written by MidasReply and WireResult.
// Names and types follow docs/wechat-api.md §1, §2, §4 and §8. A request field that may be null is optional (null counts as
// absent); a reply field outside "required" is sent with errcode 0 only, and is never null.

/// <summary>The fields every Midas call carries (docs/wechat-api.md §2).</summary>
public abstract record MidasCommonFields
{
    [JsonPropertyOrder(-1), Description("The player's openid: 1–128 characters of [0-9A-Za-z_-].")] public required string Openid { get; init; }
    [JsonPropertyOrder(-1), Description("A registered app; the access_token must have been issued to it.")] public required string Appid { get; init; }
    [JsonPropertyOrder(-1), Description("The app's Midas offer_id.")] public required string OfferId { get; init; }
    [JsonPropertyOrder(-1), Description("UNIX seconds: a JSON integer ≥ 0, within the emulator's ts window.")] public required long Ts { get; init; }
    [JsonPropertyOrder(-1), Description("Non-empty; selects the account (\"1\" when the game has no zones).")] public required string ZoneId { get; init; }
    [JsonPropertyOrder(-1), Description("The platform, such as android; non-empty.")] public required string Pf { get; init; }
    [JsonPropertyOrder(-1), Description("Optional; signed when sent.")] public string? UserIp { get; init; }
    [JsonPropertyOrder(1), Description("Lowercase hex HMAC-SHA256 over every other field present, sorted, plus org_loc (the path called) and method, "
        + "keyed with the env's AppKey (docs/wechat-api.md §3.1).")]
    public required string Sig { get; init; }
    [JsonPropertyOrder(2), Description("Optional unless MpSigPolicy=Required: HMAC-SHA256 over the sig fields plus access_token and sig, "
        + "keyed with the player's session_key string (docs/wechat-api.md §3.2).")]
    public string? MpSig { get; init; }
}

/// <summary>POST …/getbalance: the common fields only.</summary>
public sealed record MidasGetBalanceRequest : MidasCommonFields;

/// <summary>POST …/pay.</summary>
public sealed record MidasPayRequest : MidasCommonFields
{
    [Description("Coins to deduct: 1 … 2147483647. Gift coins go first.")] public required long Amt { get; init; }
    [Description("The caller's order number, 1–63 characters of [0-9A-Za-z_-|*@]: a repeat is never deducted twice.")] public required string BillNo { get; init; }
    [Description("Optional; kept on the order.")] public string? PayItem { get; init; }
    [Description("Optional; kept on the order.")] public string? AppRemark { get; init; }
}

/// <summary>POST …/cancelpay.</summary>
public sealed record MidasCancelPayRequest : MidasCommonFields
{
    [Description("The bill_no of the pay to reverse.")] public required string BillNo { get; init; }
    [Description("Optional; kept on the order.")] public string? PayItem { get; init; }
}

/// <summary>POST …/present.</summary>
public sealed record MidasPresentRequest : MidasCommonFields
{
    [Description("The caller's order number, 1–63 characters of [0-9A-Za-z_-|*@]; shares the pay bill_no space.")] public required string BillNo { get; init; }
    [Description("Gift coins to give: 1 … 2147483647.")] public required long PresentCounts { get; init; }
}

/// <summary>What every Midas reply holds; the operation's own fields come with errcode 0.</summary>
public abstract record MidasReplyFields
{
    [JsonPropertyOrder(-1), Description("0 on success; a WeChat errcode otherwise (docs/wechat-api.md §5 lists them).")] public required int Errcode { get; init; }
    [JsonPropertyOrder(-1), Description("\"ok\" on success; otherwise WeChat's text, often with a hint naming the problem.")] public required string Errmsg { get; init; }
}

/// <summary>getbalance's reply (docs/wechat-api.md §4).</summary>
public sealed record MidasGetBalanceReply : MidasReplyFields
{
    [Description("Coins held, gift coins included.")] public long Balance { get; init; }
    [Description("The gift part of balance.")] public long GenBalance { get; init; }
    [Description("1 while the player has made no paid top-up, else 0 (true/false with FirstSave=Boolean).")] public int FirstSave { get; init; }
    [Description("Coins ever obtained by paid top-ups.")] public long SaveAmt { get; init; }
    [Description("Coins ever credited, paid and gift: save_amt + present_sum.")] public long SaveSum { get; init; }
    [Description("Coins ever spent.")] public long CostSum { get; init; }
    [Description("Gift coins ever received.")] public long PresentSum { get; init; }
}

/// <summary>pay's reply.</summary>
public sealed record MidasPayReply : MidasReplyFields
{
    [Description("The request's bill_no; also sent with 90012 (bill_no repeated).")] public string BillNo { get; init; } = "";
    [Description("The balance after the deduction.")] public long Balance { get; init; }
    [Description("Gift coins this pay used (they go first).")] public long UsedGenBalance { get; init; }
    [Description("The same value as used_gen_balance, under the name other versions of the doc use.")] public long UsedGenAmt { get; init; }
}

/// <summary>cancelpay's reply.</summary>
public sealed record MidasCancelPayReply : MidasReplyFields
{
    [Description("The bill_no of the reversed pay.")] public string BillNo { get; init; } = "";
}

/// <summary>present's reply.</summary>
public sealed record MidasPresentReply : MidasReplyFields
{
    [Description("The request's bill_no; also sent with 90012 (bill_no repeated).")] public string BillNo { get; init; } = "";
    [Description("The balance after the gift.")] public long Balance { get; init; }
}

/// <summary>GET /cgi-bin/token's reply: access_token and expires_in, or errcode and errmsg.</summary>
public sealed record AccessTokenReply
{
    [Description("128 characters of [A-Za-z0-9_-]; pass it as ?access_token= to the Midas calls.")] public string AccessToken { get; init; } = "";
    [Description("Seconds the token lives (AccessTokenTtlSeconds, default 7200).")] public int ExpiresIn { get; init; }
    [Description("Only on failure: a WeChat errcode.")] public int Errcode { get; init; }
    [Description("Only on failure: WeChat's text.")] public string Errmsg { get; init; } = "";
}

/// <summary>GET /sns/jscode2session's reply: openid and session_key, or errcode and errmsg.</summary>
public sealed record CodeToSessionReply
{
    [Description("The player's openid.")] public string Openid { get; init; } = "";
    [Description("A new 24-character base64 session_key; it replaces the player's old one and keys mp_sig.")] public string SessionKey { get; init; } = "";
    [Description("Sent by WeChat only for apps bound to an Open Platform account; the emulator never sends it.")] public string Unionid { get; init; } = "";
    [Description("Only on failure: a WeChat errcode.")] public int Errcode { get; init; }
    [Description("Only on failure: WeChat's text.")] public string Errmsg { get; init; } = "";
}
