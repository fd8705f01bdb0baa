// The receiver of WeChat mini-game virtual payment 2.0 pushes, written from the public documentation alone
// (message push: URL check, signature, safe-mode AES; VP 2.0: the MiniGame envelope and PayEventSig).
// Self-contained on purpose: ASP.NET Core and the BCL only, so it can be copied into any game backend.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace GameBackend.Push;

/// <summary>
/// The push settings of the mini-game's 虚拟支付2.0 「基础配置」 page (configuration section <c>WeChat:Push</c>).
/// Read from DI as <see cref="IOptions{TOptions}"/>: register with
/// <c>services.Configure&lt;WeChatPushOptions&gt;(configuration.GetSection("WeChat:Push"))</c>.
/// </summary>
public sealed class WeChatPushOptions
{
    /// <summary>The Token typed on the push configuration page; signs every request's query.</summary>
    public string Token { get; set; } = "";

    /// <summary>The 43-character EncodingAESKey; needed only for safe-mode (encrypted) pushes.</summary>
    public string? EncodingAesKey { get; set; }

    /// <summary>The game's appid: a safe-mode message must end with it.</summary>
    public string Appid { get; set; } = "";

    /// <summary>The production AppKey: signs the PayEventSig of pushes whose payload says Env 0.</summary>
    public string AppKey { get; set; } = "";

    /// <summary>The sandbox AppKey: signs the PayEventSig of pushes whose payload says Env 1.</summary>
    public string? SandboxAppKey { get; set; }
}

/// <summary>The documented signatures and the safe-mode AES, each a few lines to check against the spec.</summary>
public static class WeChatPushCrypto
{
    /// <summary>The query <c>signature</c> of the URL check and of every POST: sha1 of the ordinally sorted, concatenated parts.</summary>
    public static string UrlSignature(string token, string timestamp, string nonce) => Sha1OfSorted(token, timestamp, nonce);

    /// <summary>The safe-mode <c>msg_signature</c>: as <see cref="UrlSignature"/> with the body's Encrypt as a fourth part.</summary>
    public static string MsgSignature(string token, string timestamp, string nonce, string encrypt) =>
        Sha1OfSorted(token, timestamp, nonce, encrypt);

    /// <summary>MiniGame.PayEventSig: hex HMAC-SHA256 keyed by the AppKey of the payload's Env over <c>Event&amp;Payload</c>.</summary>
    public static string PayEventSig(string appKey, string eventName, string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appKey), Encoding.UTF8.GetBytes(eventName + "&" + payload)));

    /// <summary>Opens a safe-mode Encrypt: returns the message and gives the appid written after it.</summary>
    /// <exception cref="CryptographicException">The ciphertext, its padding or its length field is malformed.</exception>
    public static string Decrypt(string encodingAesKey, string encrypt, out string appid)
    {
        var key = AesKey(encodingAesKey);
        byte[] plain;
        try
        {
            using var aes = Aes.Create();
            aes.Key = key;
            // WeChat pads to a multiple of 32 (not AES's 16), so the standard PKCS#7 unpadding would refuse it.
            plain = aes.DecryptCbc(Convert.FromBase64String(encrypt), key.AsSpan(0, 16), PaddingMode.None);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("Encrypt is not base64", ex);
        }
        var pad = plain.Length == 0 ? 0 : plain[^1];
        if (pad is < 1 or > 32 || pad > plain.Length || plain.AsSpan(plain.Length - pad).IndexOfAnyExcept((byte)pad) >= 0)
        {
            throw new CryptographicException("bad padding");
        }
        // 16 random bytes, the message length (4 bytes, big-endian), the message, the appid.
        var content = plain.AsSpan(0, plain.Length - pad);
        if (content.Length < 20)
        {
            throw new CryptographicException("message too short");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(content.Slice(16, 4));
        if (length < 0 || length > content.Length - 20)
        {
            throw new CryptographicException("bad message length");
        }
        appid = Encoding.UTF8.GetString(content[(20 + length)..]);
        return Encoding.UTF8.GetString(content.Slice(20, length));
    }

    /// <summary>The inverse of <see cref="Decrypt"/>, with the 16 random bytes given so the result can be checked.</summary>
    public static string Encrypt(string encodingAesKey, string appid, string msg, byte[] random16)
    {
        ArgumentNullException.ThrowIfNull(random16);
        if (random16.Length != 16)
        {
            throw new ArgumentException("exactly 16 random bytes", nameof(random16));
        }
        var key = AesKey(encodingAesKey);
        var msgBytes = Encoding.UTF8.GetBytes(msg);
        var appidBytes = Encoding.UTF8.GetBytes(appid);
        var length = 20 + msgBytes.Length + appidBytes.Length;
        var pad = 32 - length % 32;
        var plain = new byte[length + pad];
        random16.CopyTo(plain, 0);
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(16, 4), msgBytes.Length);
        msgBytes.CopyTo(plain, 20);
        appidBytes.CopyTo(plain, 20 + msgBytes.Length);
        plain.AsSpan(length).Fill((byte)pad);
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None));
    }

    /// <summary>Compares a received hex signature with the expected one in constant time (lowercase hex, as WeChat sends).</summary>
    public static bool SignatureMatches(string expected, string? received) =>
        received is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(received));

    private static byte[] AesKey(string encodingAesKey)
    {
        if (encodingAesKey is not { Length: 43 })
        {
            throw new CryptographicException("EncodingAESKey must be 43 characters");
        }
        return Convert.FromBase64String(encodingAesKey + "=");
    }

    private static string Sha1OfSorted(params string[] parts)
    {
        Array.Sort(parts, StringComparer.Ordinal);
#pragma warning disable CA5350 // SHA-1 is what WeChat signs push URLs with; the choice is not ours
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(parts))));
#pragma warning restore CA5350
    }
}

/// <summary>What the game handed out because of a push: one per (Kind, Key).</summary>
public sealed record Delivery(string Kind, string Key, string OutTradeNo, string OpenId, string Detail);

/// <summary>A push that passed verification and was answered success (duplicates and mock pushes included).</summary>
public sealed record ReceivedPush(string Event, string? OutTradeNo, string? OpenId, bool IsMock, int? Env, string? Payload, bool Encrypted);

/// <summary>
/// The game's record of pushes: what it delivered, what it accepted, what it refused. Thread-safe: WeChat may send
/// the same push twice at once. Register as a singleton.
/// </summary>
public sealed class Deliveries
{
    /// <summary>The kinds of delivery this receiver makes.</summary>
    public static class Kinds
    {
        /// <summary>Coins credited by a wx.requestMidasPayment top-up (minigame_coin_deliver_completed).</summary>
        public const string Coin = "coin";
        /// <summary>Coins credited by a 充值中心 top-up (minigame_recharge_center_coin_deliver_completed).</summary>
        public const string RechargeCenterCoin = "recharge_center_coin";
        /// <summary>An item bought directly or in the mall (goods deliver notify).</summary>
        public const string Item = "item";
        /// <summary>A refund to take back what was delivered (minigame_pay_refund_succ_notify).</summary>
        public const string Refund = "refund";
    }

    private readonly Lock gate = new();
    private readonly Dictionary<(string Kind, string Key), Delivery> delivered = [];
    private readonly List<Delivery> all = [];
    private readonly HashSet<string> refundedOrders = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedPush> received = new();
    private readonly ConcurrentQueue<string> rejected = new();

    /// <summary>Every delivery, first time only, in the order made.</summary>
    public IReadOnlyList<Delivery> All
    {
        get
        {
            lock (gate)
            {
                return [.. all];
            }
        }
    }

    /// <summary>Every push answered success, in arrival order.</summary>
    public IReadOnlyList<ReceivedPush> Received => [.. received];

    /// <summary>Why each refused push was refused, in arrival order.</summary>
    public IReadOnlyList<string> Rejected => [.. rejected];

    /// <summary>
    /// Delivers once: true the first time (kind, key) is seen, false for a repeat. The key is the OutTradeNo unless
    /// given (a refund is keyed by its RefundId, as one order can be refunded in parts).
    /// </summary>
    public bool TryDeliver(string kind, string outTradeNo, string openid, string detail, string? key = null)
    {
        var delivery = new Delivery(kind, key ?? outTradeNo, outTradeNo, openid, detail);
        lock (gate)
        {
            if (!delivered.TryAdd((kind, delivery.Key), delivery))
            {
                return false;
            }
            // Pushes can arrive out of order: an item whose refund came first is never handed out (it stays marked, so a
            // repeat of its push is a repeat, answered success like the first).
            if (kind == Kinds.Item && refundedOrders.Contains(outTradeNo))
            {
                return false;
            }
            if (kind == Kinds.Refund)
            {
                refundedOrders.Add(outTradeNo);
            }
            all.Add(delivery);
            return true;
        }
    }

    /// <summary>
    /// The items <paramref name="openid"/> holds: delivered and not refunded (what a player would see in the game). An
    /// item refunded before its delivery push arrived was never handed out.
    /// </summary>
    public IReadOnlyList<Delivery> ItemsHeld(string openid)
    {
        lock (gate)
        {
            return all.Where(d => d.Kind == Kinds.Item && d.OpenId == openid && !refundedOrders.Contains(d.OutTradeNo)).ToList();
        }
    }

    internal void Accepted(ReceivedPush push) => received.Enqueue(push);

    internal void Refused(string reason) => rejected.Enqueue(reason);
}

/// <summary>Maps the push callback URL; one URL serves every push type, routed on Event.</summary>
public static class WeChatPushEndpoints
{
    /// <summary>The success answer WeChat waits for (HTTP 200, case-sensitive keys); anything else is retried.</summary>
    public const string SuccessAnswer = """{"ErrCode":0,"ErrMsg":"Success"}""";

    private const int SignatureError = 40001;
    private const int ProcessingError = 99999;

    /// <summary>
    /// GET: the URL check (answers echostr). POST: verifies the query signature (msg_signature and AES in safe mode,
    /// chosen by the push's <c>encrypt_type=aes</c>), then PayEventSig with the AppKey of the payload's Env, delivers once
    /// per OutTradeNo (refunds per RefundId) and answers success, also for repeats and <c>IsMock</c> pushes.
    /// A refusal is not success, so WeChat sends the push again later: HTTP 401 with <c>ErrCode</c> 40001 for a wrong
    /// signature or appid, 400 with 99999 for a message that cannot be read, 500 with 99999 for a missing key here.
    /// Needs <see cref="IOptions{WeChatPushOptions}"/> and a singleton <see cref="Deliveries"/> in DI.
    /// No timestamp window is checked: the documentation gives none.
    /// </summary>
    public static IEndpointRouteBuilder MapWeChatPush(this IEndpointRouteBuilder app, string pattern = "/wechat/push")
    {
        app.MapGet(pattern, (HttpContext http, IOptions<WeChatPushOptions> options, Deliveries deliveries) =>
        {
            var query = http.Request.Query;
            var expected = WeChatPushCrypto.UrlSignature(options.Value.Token, query["timestamp"].ToString(), query["nonce"].ToString());
            if (!WeChatPushCrypto.SignatureMatches(expected, query["signature"]))
            {
                return Refuse(deliveries, StatusCodes.Status401Unauthorized, SignatureError, "URL check: signature mismatch");
            }
            return Results.Text(query["echostr"].ToString(), "text/plain");
        });
        app.MapPost(pattern, async (HttpContext http, IOptions<WeChatPushOptions> options, Deliveries deliveries) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            return HandlePush(http.Request.Query, body, options.Value, deliveries);
        });
        return app;
    }

    private static IResult HandlePush(IQueryCollection query, string body, WeChatPushOptions options, Deliveries deliveries)
    {
        var timestamp = query["timestamp"].ToString();
        var nonce = query["nonce"].ToString();
        var encrypted = string.Equals(query["encrypt_type"], "aes", StringComparison.Ordinal);
        string message;
        if (encrypted)
        {
            // Safe mode: the doc says to verify msg_signature, not signature.
            if (string.IsNullOrEmpty(options.EncodingAesKey))
            {
                return Refuse(deliveries, StatusCodes.Status500InternalServerError, ProcessingError, "safe-mode push but no EncodingAesKey configured");
            }
            if (ReadString(body, "Encrypt") is not { } encrypt)
            {
                return Refuse(deliveries, StatusCodes.Status400BadRequest, ProcessingError, "safe-mode body has no Encrypt string");
            }
            if (!WeChatPushCrypto.SignatureMatches(WeChatPushCrypto.MsgSignature(options.Token, timestamp, nonce, encrypt), query["msg_signature"]))
            {
                return Refuse(deliveries, StatusCodes.Status401Unauthorized, SignatureError, "msg_signature mismatch");
            }
            try
            {
                message = WeChatPushCrypto.Decrypt(options.EncodingAesKey, encrypt, out var appid);
                if (!string.Equals(appid, options.Appid, StringComparison.Ordinal))
                {
                    return Refuse(deliveries, StatusCodes.Status401Unauthorized, SignatureError, $"message is for appid {appid}, not {options.Appid}");
                }
            }
            catch (CryptographicException ex)
            {
                return Refuse(deliveries, StatusCodes.Status400BadRequest, ProcessingError, $"cannot decrypt: {ex.Message}");
            }
        }
        else
        {
            if (!WeChatPushCrypto.SignatureMatches(WeChatPushCrypto.UrlSignature(options.Token, timestamp, nonce), query["signature"]))
            {
                return Refuse(deliveries, StatusCodes.Status401Unauthorized, SignatureError, "signature mismatch");
            }
            message = body;
        }

        Envelope envelope;
        try
        {
            envelope = Envelope.Parse(message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return Refuse(deliveries, StatusCodes.Status400BadRequest, ProcessingError, $"bad envelope: {ex.Message}");
        }
        if (envelope.Payload is not { } payload)
        {
            // A push without MiniGame (e.g. the platform's debug_demo) carries nothing to verify or deliver.
            deliveries.Accepted(new ReceivedPush(envelope.Event, null, null, false, null, null, encrypted));
            return Success();
        }

        var appKey = payload.Env switch
        {
            0 => options.AppKey,
            1 => options.SandboxAppKey,
            _ => null,
        };
        if (appKey is null)
        {
            return Refuse(deliveries, StatusCodes.Status500InternalServerError, ProcessingError, $"no AppKey configured for Env {payload.Env}");
        }
        if (!WeChatPushCrypto.SignatureMatches(WeChatPushCrypto.PayEventSig(appKey, envelope.Event, payload.Text), envelope.PayEventSig))
        {
            return Refuse(deliveries, StatusCodes.Status401Unauthorized, SignatureError, $"{envelope.Event}: PayEventSig mismatch");
        }

        // Parse the event's payload strictly first: a mock push is only checked for its types.
        Func<bool>? deliver;
        try
        {
            deliver = Route(envelope.Event, payload.Text, deliveries);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return Refuse(deliveries, StatusCodes.Status400BadRequest, ProcessingError, $"{envelope.Event}: bad payload: {ex.Message}");
        }
        deliveries.Accepted(new ReceivedPush(envelope.Event, payload.OutTradeNo, payload.OpenId, envelope.IsMock, payload.Env, payload.Text, encrypted));
        if (!envelope.IsMock && deliver is not null)
        {
            // A repeat (false) is answered success as the first time was: WeChat retries until it hears success.
            deliver();
        }
        return Success();
    }

    /// <summary>Reads the event's payload and returns the delivery to make; null for an event this game does not act on.</summary>
    private static Func<bool>? Route(string eventName, string payloadText, Deliveries deliveries)
    {
        switch (eventName)
        {
            case "minigame_coin_deliver_completed":
            case "minigame_recharge_center_coin_deliver_completed":
            {
                var coin = Deserialize<CoinPayload>(payloadText);
                var info = coin.CoinInfo ?? throw new InvalidOperationException("CoinInfo missing");
                var kind = eventName == "minigame_coin_deliver_completed" ? Deliveries.Kinds.Coin : Deliveries.Kinds.RechargeCenterCoin;
                // A leading "_" means the client passed no outTradeNo: it matches no order; the game re-reads the balance.
                var (outTradeNo, openid) = (Required(coin.OutTradeNo, "OutTradeNo"), Required(coin.OpenId, "OpenId"));
                var detail = $"{info.BuyQuantity} coins, zone {info.ZoneId?.ToString() ?? "-"}, paid {info.ActualPrice ?? info.TotalPrice} cents";
                return () => deliveries.TryDeliver(kind, outTradeNo, openid, detail);
            }
            case "minigame_game_pay_goods_deliver_notify":
            case "minigame_h5_goods_deliver_notify":
            case "minigame_deliver_h5_pay_products": // the mall event's other documented name
            {
                var goods = Deserialize<GoodsPayload>(payloadText);
                var info = goods.GoodsInfo ?? throw new InvalidOperationException("GoodsInfo missing");
                var (outTradeNo, openid) = (Required(goods.OutTradeNo, "OutTradeNo"), Required(goods.OpenId, "OpenId"));
                var detail = $"{info.Quantity} x {Required(info.ProductId, "GoodsInfo.ProductId")}, paid {info.ActualPrice} cents";
                return () => deliveries.TryDeliver(Deliveries.Kinds.Item, outTradeNo, openid, detail);
            }
            case "minigame_pay_refund_succ_notify":
            {
                var refund = Deserialize<RefundPayload>(payloadText);
                var outTradeNo = Required(refund.OutTradeNo, "OutTradeNo");
                var detail = $"refund {refund.RefundId ?? "-"} of {refund.RefundAmount} cents (source {refund.RefundSource})";
                return () => deliveries.TryDeliver(Deliveries.Kinds.Refund, outTradeNo, refund.OpenId ?? "", detail, refund.RefundId ?? outTradeNo);
            }
            default:
                return null;
        }
    }

    // The default options are strict about types: a string where a number is documented is refused.
    private static T Deserialize<T>(string json) where T : class =>
        JsonSerializer.Deserialize<T>(json) ?? throw new InvalidOperationException("payload is null");

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new InvalidOperationException($"{name} missing") : value;

    private static string? ReadString(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Success() => Results.Content(SuccessAnswer, "application/json", Encoding.UTF8, StatusCodes.Status200OK);

    private static IResult Refuse(Deliveries deliveries, int status, int errCode, string reason)
    {
        deliveries.Refused(reason);
        var answer = JsonSerializer.Serialize(new Dictionary<string, object> { ["ErrCode"] = errCode, ["ErrMsg"] = reason });
        return Results.Content(answer, "application/json", Encoding.UTF8, status);
    }

    /// <summary>The envelope fields this receiver reads; MiniGame is absent on non-payment pushes.</summary>
    private sealed record Envelope(string Event, bool IsMock, string? PayEventSig, PayloadHeader? Payload)
    {
        public static Envelope Parse(string message)
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("not a JSON object");
            }
            if (StringOf(root, "MsgType") != "event")
            {
                throw new InvalidOperationException("MsgType is not \"event\"");
            }
            var eventName = StringOf(root, "Event") ?? throw new InvalidOperationException("Event missing");
            if (!root.TryGetProperty("MiniGame", out var miniGame))
            {
                return new Envelope(eventName, false, null, null);
            }
            if (miniGame.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("MiniGame is not an object");
            }
            var payloadText = StringOf(miniGame, "Payload") ?? throw new InvalidOperationException("MiniGame.Payload missing");
            var sig = StringOf(miniGame, "PayEventSig") ?? throw new InvalidOperationException("MiniGame.PayEventSig missing");
            // IsMock is in the documented table but absent from one delivery sample: absent means a real push.
            var isMock = miniGame.TryGetProperty(nameof(IsMock), out var mock) && mock.GetBoolean();
            return new Envelope(eventName, isMock, sig, PayloadHeader.Parse(payloadText));
        }
    }

    /// <summary>The payload fields every event shares, read before the signature is checked (Env chooses the key).</summary>
    private sealed record PayloadHeader(string Text, int Env, string? OutTradeNo, string? OpenId)
    {
        public static PayloadHeader Parse(string text)
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("Payload is not a JSON object");
            }
            // Env is documented as a number; one copy of the docs types it as a string, so both are read.
            var env = !root.TryGetProperty(nameof(Env), out var value) ? throw new InvalidOperationException("Payload.Env missing")
                : value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                : value.GetInt32();
            return new PayloadHeader(text, env, StringOf(root, "OutTradeNo"), StringOf(root, "OpenId"));
        }
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() : null;

    // The payload shapes of WeChat's payment-push pages (Env is read by PayloadHeader); numbers are cents or counts. ZoneId is
    // kept as JSON because the documentation does not say whether it is a string or a number.
    private sealed record WeChatPayInfo(string? MchOrderNo, string? TransactionId);

    private sealed record CoinInfo(JsonElement? ZoneId, long? ActualPrice, long? TotalPrice, long BuyQuantity, long? OrigPrice);

    private sealed record CoinPayload(string? OpenId, string? OutTradeNo, CoinInfo? CoinInfo, WeChatPayInfo? WeChatPayInfo);

    private sealed record GoodsInfo(string? ProductId, long Quantity, JsonElement? ZoneId, long? OrigPrice, long? ActualPrice, string? Attach, int? OrderSource);

    private sealed record GoodsPayload(string? OpenId, string? OutTradeNo, GoodsInfo? GoodsInfo, WeChatPayInfo? WeChatPayInfo);

    private sealed record RefundPayload(string? OpenId, string? RefundId, long RefundAmount, int? RefundSource, string? OutTradeNo, WeChatPayInfo? WeChatPayInfo);
}
