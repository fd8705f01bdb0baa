using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MidasEmulator.Clock;
using MidasEmulator.Faults;
using MidasEmulator.Storage;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>
/// A corpus of malformed and hostile requests against every WeChat-surface endpoint (Midas 1.0, virtual payment 2.0's
/// /wxa/game/* and /wxa/checksession, token and login) and the admin API. Each case
/// must answer without a 5xx, in its surface's error shape ({errcode, errmsg} naming the problem, or a 4xx RFC 7807
/// problem), and change nothing: accounts, orders, apps, tokens, sessions, faults and the clock are compared before
/// and after. The cases share one emulator (a fresh one per case would cost seconds), which the comparison keeps honest.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.Emulator emulator) : IClassFixture<HostileInputTests.Emulator>
{
    /// <summary>
    /// One emulator for the whole corpus, with an access token for the default app. Its seed is the test seed (the
    /// default app and three users), so that reading the whole state twice per case stays cheap.
    /// </summary>
    public sealed class Emulator : IAsyncLifetime
    {
        public EmulatorApp App { get; } = new();

        public HttpClient Http { get; private set; } = null!;

        public string Token { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Http = App.CreateClient();
            Token = await App.CreateGameBackend().AccessTokenAsync();
        }

        public Task DisposeAsync()
        {
            Http.Dispose();
            App.Dispose();
            return Task.CompletedTask;
        }
    }

    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;

    /// <summary>A player who is not the doc user: login-code cases replace this one's session, never the doc user's.</summary>
    private const string LoginOpenid = "oHostileLoginUser000000000001";

    public static TheoryData<string> CaseNames => [.. Corpus.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostileRequest_AnswersTheSurfacesErrorNamingTheProblem_AndChangesNothing(string name)
    {
        var hostile = Corpus[name];
        using var request = await hostile.Build(new Context(emulator.App, emulator.Http, emulator.Token, name));
        var before = await SnapshotAsync();

        using var response = await emulator.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{name}: HTTP {(int)response.StatusCode} {text}");
        hostile.Expected.Check(name, response, text);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public void Corpus_HasWellOverAHundredCases_CoveringEverySurface()
    {
        Assert.True(Corpus.Count >= 150, $"only {Corpus.Count} cases");
        foreach (var path in new[] { "/cgi-bin/midas/sandbox/getbalance", "/cgi-bin/midas/sandbox/pay", "/cgi-bin/midas/sandbox/cancelpay",
            "/cgi-bin/midas/sandbox/present", "/cgi-bin/midas/getbalance", "/cgi-bin/midas/pay", "/cgi-bin/midas/cancelpay",
            "/cgi-bin/midas/present", "/cgi-bin/token", "/sns/jscode2session", "/admin/apps", "/admin/sessions", "/admin/login-codes",
            "/admin/accounts", "/admin/orders", "/admin/requests", "/admin/faults", "/admin/clock", "/admin/reset", "/wxa/game/getbalance",
            "/wxa/game/pay", "/wxa/game/cancelpay", "/wxa/game/present", "/wxa/game/queryorderinfo", "/wxa/checksession", "/admin/client-orders" })
        {
            Assert.Contains(Corpus.Values, c => c.Path.StartsWith(path, StringComparison.Ordinal));
        }
    }

    /// <summary>The corpus's request builders, untouched, do succeed: each case fails for its own hostile part, not the harness.</summary>
    [Theory]
    [InlineData("getbalance", false)]
    [InlineData("pay", false)]
    [InlineData("present", false)]
    [InlineData("getbalance", true)]
    [InlineData("present", true)]
    public async Task UntouchedCorpusRequest_Succeeds(string op, bool production)
    {
        using var request = await Midas(op, production: production).Build(
            new Context(emulator.App, emulator.Http, emulator.Token, $"control-{op}-{production}"));
        using var response = await emulator.Http.SendAsync(request);

        WireAssert.Ok(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    /// <summary>
    /// The 2.0 builders, untouched, get past every check: getbalance, pay and present succeed, and cancelpay and queryorderinfo
    /// reach the ledger (no such pay, no such order), so their signatures and values are right.
    /// </summary>
    [Theory]
    [InlineData("getbalance", 0)]
    [InlineData("pay", 0)]
    [InlineData("present", 0)]
    [InlineData("cancelpay", 90000)]
    [InlineData("queryorderinfo", 90019)]
    public async Task UntouchedGamePayCorpusRequest_GetsPastEveryCheck(string op, int errcode)
    {
        using var request = await Game(op).Build(new Context(emulator.App, emulator.Http, emulator.Token, $"control-game-{op}"));
        using var response = await emulator.Http.SendAsync(request);

        WireAssert.Code(errcode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task Pay_BillNoOf63Characters_IsAccepted_64IsRefused()
    {
        var ok = new string('b', 62) + "1";
        using var accepted = await Midas("pay", f => f.Str("bill_no", ok)).Build(new Context(emulator.App, emulator.Http, emulator.Token, "63"));
        using var response = await emulator.Http.SendAsync(accepted);

        WireAssert.Ok(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        Assert.Contains(Corpus.Keys, n => n == "pay bill_no of 64 characters");
    }

    // --- the state a hostile request must leave alone ---------------------------------------------------------------

    private async Task<string> SnapshotAsync()
    {
        var seen = new StringBuilder();
        // What a backend sees: the ledger and the accounts a case could touch, through the admin API.
        foreach (var path in new[]
        {
            "/admin/orders?after_id=0&limit=10000",
            "/admin/client-orders?limit=10000",
            $"/admin/accounts/{User.Openid}?env=sandbox&appid={MidasDefaults.Appid}",
            $"/admin/accounts/{User.Openid}?env=production&appid={MidasDefaults.Appid}",
            $"/admin/accounts/{LoginOpenid}?env=sandbox&appid={MidasDefaults.Appid}",
        })
        {
            seen.Append(path).Append(' ').AppendLine(await emulator.Http.GetStringAsync(path));
        }
        // The rest straight from the services (cheaper than four more calls per case): fault rules, the clock, and
        // what is committed (accounts, pays and presents, the last order id, apps, access tokens and sessions).
        var services = emulator.App.Services;
        seen.AppendJoin(',', services.GetRequiredService<FaultRules>().All.Select(r => r.Id)).AppendLine();
        seen.AppendLine(services.GetRequiredService<EmulatorClock>().GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        seen.Append(JsonSerializer.Serialize(services.GetRequiredService<LiteDbStore>().Load()));
        return seen.ToString();
    }

    // --- the corpus --------------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, Hostile> Corpus = BuildCorpus();

    private static Dictionary<string, Hostile> BuildCorpus()
    {
        var cases = new Dictionary<string, Hostile>(StringComparer.Ordinal);
        void Add(string name, Hostile hostile) => cases.Add(name, hostile);
        const int ParamError = 90018;

        // Bodies that are not one JSON object, on each Midas path.
        foreach (var (op, production) in new[] { ("pay", false), ("getbalance", false), ("cancelpay", true), ("present", true) })
        {
            var where = $"{(production ? "production" : "sandbox")} {op}";
            Add($"{where} empty body", Raw(op, production, "", WeChat(ParamError, "not valid JSON")));
            Add($"{where} not JSON", Raw(op, production, "not json", WeChat(ParamError, "not valid JSON")));
            Add($"{where} JSON array", Raw(op, production, "[1,2,3]", WeChat(ParamError, "must be a JSON object")));
            Add($"{where} JSON null", Raw(op, production, "null", WeChat(ParamError, "must be a JSON object")));
        }
        Add("pay truncated JSON", Raw("pay", false, "{\"openid\":", WeChat(ParamError, "not valid JSON")));
        Add("pay JSON string", Raw("pay", false, "\"just a string\"", WeChat(ParamError, "must be a JSON object")));
        Add("pay JSON number", Raw("pay", false, "12345", WeChat(ParamError, "must be a JSON object")));
        Add("pay two JSON objects", Raw("pay", false, "{\"openid\":\"a\"}{\"openid\":\"b\"}", WeChat(ParamError, "not valid JSON")));
        Add("pay trailing comma", Raw("pay", false, "{\"amt\":1,}", WeChat(ParamError, "not valid JSON")));
        Add("pay single-quoted JSON", Raw("pay", false, "{'amt':1}", WeChat(ParamError, "not valid JSON")));
        Add("pay JSON with a comment", Raw("pay", false, "{/* hi */\"amt\":1}", WeChat(ParamError, "not valid JSON")));
        Add("pay unquoted key", Raw("pay", false, "{amt:1}", WeChat(ParamError, "not valid JSON")));
        Add("pay leading zero number", Raw("pay", false, "{\"amt\":010}", WeChat(ParamError, "not valid JSON")));
        Add("pay NaN literal", Raw("pay", false, "{\"amt\":NaN}", WeChat(ParamError, "not valid JSON")));
        Add("pay form-encoded body", Raw("pay", false, $"openid={User.Openid}&amt=1", WeChat(ParamError, "not valid JSON"),
            contentType: "application/x-www-form-urlencoded"));
        Add("pay multipart body", Raw("pay", false, "--b\r\nContent-Disposition: form-data; name=\"amt\"\r\n\r\n1\r\n--b--\r\n",
            WeChat(ParamError, "not valid JSON"), contentType: "multipart/form-data; boundary=b"));
        Add("pay UTF-16 body", RawBytes("pay", Encoding.Unicode.GetBytes("{\"amt\":1}"), WeChat(ParamError, "not valid JSON"),
            contentType: "application/json; charset=utf-16"));
        Add("pay UTF-8 BOM before the object", RawBytes("pay", [0xEF, 0xBB, 0xBF, .. "{\"amt\":1}"u8], WeChat(ParamError, "not valid JSON")));
        Add("pay invalid UTF-8 in a key", RawBytes("pay", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
            WeChat(ParamError, "not valid JSON")));
        Add("pay invalid UTF-8 in openid", RawBytes("pay", [.. "{\"openid\":\"o"u8, 0xFF, 0xFE, .. "\"}"u8], WeChat(ParamError, "not valid JSON")));
        Add("pay NUL byte in the body", RawBytes("pay", [.. "{\"amt\":1\0}"u8], WeChat(ParamError, "not valid JSON")));
        Add("pay lone surrogate escape in openid", Raw("pay", false, "{\"openid\":\"\\ud800\"}", WeChat(ParamError, "not valid JSON")));
        Add("pay 10,000 nested arrays", Raw("pay", false, new string('[', 10_000) + new string(']', 10_000), WeChat(ParamError, "must be a JSON object")));
        Add("pay 10,000 nested objects in an unknown key",
            Raw("pay", false, "{\"x\":" + Repeat("{\"a\":", 10_000) + "1" + new string('}', 10_001), WeChat(ParamError, "not valid JSON")));
        Add("pay 10,000 nested arrays as amt", Midas("pay", f => f.Set("amt", new string('[', 10_000) + new string(']', 10_000)),
            expected: WeChat(ParamError, "not valid JSON")));
        Add("pay body over MaxBodyBytes", Raw("pay", false, "{\"pad\":\"" + new string('x', 70_000) + "\"}", WeChat(ParamError, "larger than 65536 bytes")));
        Add("pay chunked body over MaxBodyBytes", Raw("pay", false, "{\"pad\":\"" + new string('x', 70_000) + "\"}",
            WeChat(ParamError, "larger than 65536 bytes"), chunked: true));
        Add("getbalance body over MaxBodyBytes with a valid request inside", Midas("getbalance",
            f => f.Add("pad", "\"" + new string('x', 66_000) + "\""), signPad: true, expected: WeChat(ParamError, "larger than 65536 bytes")));

        // Duplicated fields: the same key twice is refused whatever the values, even when a signature covers one of them.
        foreach (var field in new[] { "amt", "openid", "bill_no", "appid", "ts" })
        {
            Add($"pay {field} twice", Midas("pay", f => f.Add(field, f.Raw(field)), expected: WeChat(ParamError, $"{field} appears twice")));
        }
        Add("pay sig twice", Midas("pay", after: f => f.Add("sig", f.Raw("sig")), expected: WeChat(ParamError, "sig appears twice")));
        Add("pay mp_sig twice", Midas("pay", after: f => f.Add("mp_sig", f.Raw("mp_sig")), expected: WeChat(ParamError, "mp_sig appears twice")));
        Add("pay amt twice with other values", Midas("pay", f => f.Add("amt", "100000"), expected: WeChat(ParamError, "amt appears twice")));
        Add("pay amt null then a number", Midas("pay", f =>
        {
            f.Remove("amt");
            f.Add("amt", "null");
            f.Add("amt", "10");
        }, expected: WeChat(ParamError, "amt appears twice")));
        Add("present present_counts twice", Midas("present", f => f.Add("present_counts", "999999"), expected: WeChat(ParamError, "present_counts appears twice")));
        Add("cancelpay bill_no twice", Midas("cancelpay", f => f.Add("bill_no", "\"other\""), expected: WeChat(ParamError, "bill_no appears twice")));

        // Missing fields, and null (= absent, docs/wechat-api.md §10.11).
        foreach (var (op, field) in new[] { ("pay", "amt"), ("pay", "bill_no"), ("present", "present_counts"), ("cancelpay", "bill_no"),
            ("getbalance", "openid"), ("getbalance", "zone_id"), ("present", "pf"), ("pay", "ts") })
        {
            Add($"{op} {field} missing", Midas(op, f => f.Remove(field), expected: WeChat(ParamError, $"{field} missing")));
        }
        Add("getbalance sig missing", Midas("getbalance", after: f => f.Remove("sig"), expected: WeChat(ParamError, "sig missing")));
        Add("pay amt null", Midas("pay", f => f.Set("amt", "null"), expected: WeChat(ParamError, "amt missing")));
        Add("pay openid null", Midas("pay", f => f.Set("openid", "null"), expected: WeChat(ParamError, "openid missing")));
        Add("pay empty object", Raw("pay", false, "{}", WeChat(ParamError, "openid missing")));

        // Amounts: docs/wechat-api.md §10.22 allows 1 … 2147483647; anything else is 90018 naming the field.
        const string Range = "must be an integer from 1 to 2147483647";
        const string Integer = "must be an integer";
        foreach (var (raw, says) in new[]
        {
            ("0", Range), ("-1", Range), ("-0", Range), ("2147483648", Range), ("9223372036854775807", Range), ("9223372036854775808", Range),
            ("-9223372036854775809", Range), ("1e30", Integer), ("1.5", Integer), ("1.0", Integer), ("1E2", Integer), ("\"-5\"", Range),
            ("\"0\"", Range), ("\"12.0\"", Integer), ("\" 12\"", Integer), ("\"12 \"", Integer), ("\"+12\"", Integer), ("\"0x10\"", Integer),
            ("\"\"", Integer), ("\"ten\"", Integer), ("\"١٢\"", Integer), ("\"99999999999999999999\"", Range),
            ("true", "must be a number, not a boolean"), ("[10]", "must be a number, not an array"), ("{\"v\":10}", "must be a number, not an object"),
        })
        {
            Add($"pay amt {raw}", Midas("pay", f => f.Set("amt", raw), expected: WeChat(ParamError, "amt " + says)));
        }
        foreach (var raw in new[] { "0", "-1", "2147483648", "1e30", "1.5", "\"abc\"", "[]" })
        {
            Add($"present present_counts {raw}", Midas("present", f => f.Set("present_counts", raw), expected: WeChat(ParamError, "present_counts")));
        }
        Add("production pay amt 9223372036854775808", Midas("pay", f => f.Set("amt", "9223372036854775808"), production: true,
            expected: WeChat(ParamError, "amt must be an integer from 1 to 2147483647")));

        // ts: a UNIX time in seconds, an integer ≥ 0.
        foreach (var raw in new[] { "-1", "1.5", "1e10", "99999999999999999999", "\"yesterday\"", "false", "{}" })
        {
            Add($"getbalance ts {raw}", Midas("getbalance", f => f.Set("ts", raw), expected: WeChat(ParamError, "ts")));
        }

        // openid: 1–128 of [0-9A-Za-z_-].
        foreach (var (label, openid) in new[]
        {
            ("empty", ""), ("10,000 characters", new string('o', 10_000)), ("129 characters", new string('o', 129)), ("with a space", "odkx20ENSNa2w5y3g qOkOvBNM1g"),
            ("trailing space", User.Openid + " "), ("unicode letters", "用户odkx20ENSNa2w5y3g"), ("an emoji", "odkx20ENSNa2w5y3g_😀"),
            ("NUL", "odkx\0"), ("newline", "odkx\nforged log line"), ("tab", "odkx\t"), ("right-to-left override", "odkx\u202Egnp.exe"),
            ("zero-width space", "odkx\u200B20ENSNa2w5y3g"), ("path traversal", "../../etc/passwd"), ("percent-encoded", "odkx%2F..%2F"),
            ("SQL", "' OR 1=1 --"), ("LiteDB key separator", "odkx|production"), ("markup", "<script>alert(1)</script>"),
        })
        {
            Add($"pay openid {label}", Midas("pay", f => f.Str("openid", openid), expected: WeChat(ParamError, "[openid] openid is invalid")));
        }
        Add("getbalance openid of 128 characters without a session", Midas("getbalance", f => f.Str("openid", new string('o', 128)),
            expected: WeChat(90010, "user not logged in")));
        Add("getbalance openid as a number", Midas("getbalance", f => f.Set("openid", "12345"), expected: WeChat(90010, "user not logged in")));
        Add("pay openid as an array", Midas("pay", f => f.Set("openid", "[\"" + User.Openid + "\"]"), expected: WeChat(ParamError, "openid must be a string")));
        Add("pay openid as an object", Midas("pay", f => f.Set("openid", "{\"id\":1}"), expected: WeChat(ParamError, "openid must be a string")));
        Add("pay openid as a boolean", Midas("pay", f => f.Set("openid", "true"), expected: WeChat(ParamError, "openid must be a string")));

        // appid and offer_id are checked against the registered app first (90017), then zone_id and pf by value.
        foreach (var (label, value) in new[] { ("empty", ""), ("unicode", "wx应用"), ("control characters", "wx\u0001\u0007"), ("a different case", "WX1234567") })
        {
            Add($"pay appid {label}", Midas("pay", f => f.Str("appid", value), expected: WeChat(90017, "no privilege")));
        }
        // A hint quotes an unvalidated value cut to its first 64 characters and an ellipsis (MidasReply.Echo): the text
        // after "appid " is exactly those 64 and then "…" (not the 65th character, not 64 from elsewhere in the value).
        Add("pay appid 10,000 characters", Midas("pay", f => f.Str("appid", Distinct(10_000)),
            expected: WeChat(90017, $"no privilege hint: appid {Distinct(64)}… is not registered")));
        Add("pay appid as a number", Midas("pay", f => f.Set("appid", "1234567"), expected: WeChat(90017, "no privilege")));
        Add("pay appid as an array", Midas("pay", f => f.Set("appid", "[]"), expected: WeChat(ParamError, "appid must be a string")));
        Add("pay offer_id of another offer", Midas("pay", f => f.Str("offer_id", "87654321"), expected: WeChat(90017, "offer_id")));
        Add("pay offer_id 10,000 characters", Midas("pay", f => f.Str("offer_id", Distinct(10_000)),
            expected: WeChat(90017, $"no privilege hint: offer_id {Distinct(64)}… is not the Midas offer")));
        Add("getbalance zone_id empty", Midas("getbalance", f => f.Str("zone_id", ""), expected: WeChat(ParamError, "zone_id")));
        Add("getbalance zone_id 65 characters", Midas("getbalance", f => f.Str("zone_id", new string('z', 65)), expected: WeChat(ParamError, "zone_id")));
        Add("getbalance zone_id as an object", Midas("getbalance", f => f.Set("zone_id", "{}"), expected: WeChat(ParamError, "zone_id must be a string")));
        Add("pay pf empty", Midas("pay", f => f.Str("pf", ""), expected: WeChat(ParamError, "pf")));
        Add("pay pf 10,000 characters", Midas("pay", f => f.Str("pf", new string('p', 10_000)), expected: WeChat(ParamError, "pf")));
        foreach (var field in new[] { "user_ip", "pay_item", "app_remark" })
        {
            Add($"pay {field} 1025 characters", Midas("pay", f => f.Str(field, new string('i', 1025)), expected: WeChat(ParamError, $"{field} is longer than 1024")));
        }

        // bill_no: at most 63 of [0-9A-Za-z_-|*@] (docs/wechat-api.md §4, §10.21).
        foreach (var (label, billNo) in new[]
        {
            ("of 64 characters", new string('b', 64)), ("of 65 characters", new string('b', 65)), ("of 10,000 characters", new string('b', 10_000)),
            ("empty", ""), ("with a space", "bill 1"), ("with a slash", "bill/1"), ("with a backslash", "bill\\1"), ("with dots", "../bill"),
            ("unicode", "订单1"), ("an emoji", "bill😀"), ("NUL", "bill\0"), ("newline", "bill\n1"), ("percent-encoded", "bill%2D1"),
            ("a quote", "bill\"1"), ("markup", "<b>1</b>"), ("a LiteDB separator", "bill$1"),
        })
        {
            Add($"pay bill_no {label}", Midas("pay", f => f.Str("bill_no", billNo), expected: WeChat(ParamError, "bill_no")));
        }
        Add("present bill_no of 64 characters", Midas("present", f => f.Str("bill_no", new string('p', 64)), expected: WeChat(ParamError, "bill_no must be 1 to 63")));
        Add("cancelpay bill_no of 64 characters", Midas("cancelpay", f => f.Str("bill_no", new string('c', 64)), production: true,
            expected: WeChat(ParamError, "bill_no must be 1 to 63")));
        Add("cancelpay bill_no unicode", Midas("cancelpay", f => f.Str("bill_no", "退款"), expected: WeChat(ParamError, "bill_no may hold only")));
        Add("pay bill_no as an array", Midas("pay", f => f.Set("bill_no", "[\"B1\"]"), expected: WeChat(ParamError, "bill_no must be a string")));

        // Signatures, really computed (MidasSigner) but wrong in one way each.
        Add("pay sig with the production key on the sandbox path", Midas("pay", sigKey: MidasDefaults.ProductionKey, expected: WeChat(90011, "sig error")));
        Add("production pay sig with the sandbox key", Midas("pay", production: true, sigKey: MidasDefaults.SandboxKey, expected: WeChat(90011, "sig error")));
        Add("pay sig over another path", Midas("pay", sigPath: "/cgi-bin/midas/pay", expected: WeChat(90011, "org_loc=/cgi-bin/midas/sandbox/pay")));
        Add("pay amt changed after signing", Midas("pay", after: f => f.Set("amt", "11"), expected: WeChat(90011, "sig error")));
        Add("pay bill_no changed after signing", Midas("pay", after: f => f.Str("bill_no", "OTHER-1"), expected: WeChat(90011, "sig error")));
        Add("pay unknown key signed as if documented", Midas("pay", f => f.Str("env", "0"), expected: WeChat(90011, "sig error")));
        foreach (var (label, sig) in new[] { ("empty", "\"\""), ("63 hex digits", "\"" + new string('a', 63) + "\""),
            ("65 hex digits", "\"" + new string('a', 65) + "\""), ("not hex", "\"" + new string('z', 64) + "\""), ("10,000 characters", "\"" + new string('a', 10_000) + "\""),
            ("a number", "1234"), ("unicode", "\"签名\"") })
        {
            Add($"pay sig {label}", Midas("pay", after: f => f.Set("sig", sig), expected: WeChat(90011, "sig error")));
        }
        Add("pay sig as an array", Midas("pay", after: f => f.Set("sig", "[]"), expected: WeChat(ParamError, "sig must be a string")));
        Add("pay mp_sig with another session_key", Midas("pay", sessionKey: "AAAAAAAAAAAAAAAAAAAAAA==", expected: WeChat(90009, "mp_sig error")));
        Add("pay mp_sig empty", Midas("pay", after: f => f.Str("mp_sig", ""), expected: WeChat(90009, "mp_sig error")));
        Add("pay mp_sig not hex", Midas("pay", after: f => f.Str("mp_sig", new string('g', 64)), expected: WeChat(90009, "mp_sig error")));
        Add("pay mp_sig as an object", Midas("pay", after: f => f.Set("mp_sig", "{}"), expected: WeChat(ParamError, "mp_sig must be a string")));
        Add("present mp_sig over another access_token", Midas("present", mpSigToken: "not-the-token", expected: WeChat(90009, "mp_sig error")));

        // access_token (checked first, WeChat's global codes).
        Add("pay without access_token", Midas("pay", query: "", expected: WeChat(41001, "access_token missing")));
        Add("pay empty access_token", Midas("pay", query: "?access_token=", expected: WeChat(41001, "access_token missing")));
        Add("pay unknown access_token", Midas("pay", query: "?access_token=not-a-token", expected: WeChat(40001, "invalid credential")));
        Add("pay access_token of 6,000 characters", Midas("pay", query: "?access_token=" + new string('t', 6_000), expected: WeChat(40001, "invalid credential")));
        Add("pay access_token twice", Midas("pay", query: "?access_token={token}&access_token={token}", expected: WeChat(40001, "invalid credential")));
        Add("pay access_token percent junk", Midas("pay", query: "?access_token=%zz%%C3%28", expected: WeChat(40001, "invalid credential")));
        Add("getbalance access_token in the body only", Midas("getbalance", query: "", after: f => f.Str("access_token", "{token}"),
            expected: WeChat(41001, "access_token missing")));

        // Wrong HTTP methods: WeChat's 43002 / 43001, not a 405.
        foreach (var (method, path) in new[] { ("GET", "/cgi-bin/midas/sandbox/pay"), ("PUT", "/cgi-bin/midas/getbalance"),
            ("DELETE", "/cgi-bin/midas/sandbox/cancelpay"), ("PATCH", "/cgi-bin/midas/present"), ("OPTIONS", "/cgi-bin/midas/pay") })
        {
            Add($"{method} {path}", Plain(method, path + "?access_token={token}", WeChat(43002, "require POST method")));
        }
        Add("POST /cgi-bin/token", Plain("POST", $"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}",
            WeChat(43001, "require GET method")));
        Add("PUT /sns/jscode2session", Plain("PUT", "/sns/jscode2session", WeChat(43001, "require GET method")));
        Add("unknown Midas operation", Plain("POST", "/cgi-bin/midas/sandbox/refund?access_token={token}", Http(404)));
        Add("Midas path with a double slash", Plain("POST", "/cgi-bin/midas//pay?access_token={token}", Http(404)));

        // /cgi-bin/token.
        const string TokenPath = "/cgi-bin/token?grant_type=client_credential";
        Add("token without any parameter", Plain("GET", "/cgi-bin/token", WeChat(41002, "appid missing")));
        Add("token without secret", Plain("GET", $"{TokenPath}&appid={MidasDefaults.Appid}", WeChat(41004, "appsecret missing")));
        Add("token with the wrong secret", Plain("GET", $"{TokenPath}&appid={MidasDefaults.Appid}&secret=wrong", WeChat(40001, "secret does not match")));
        Add("token with the secret's prefix", Plain("GET", $"{TokenPath}&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret[..10]}",
            WeChat(40001, "secret does not match")));
        Add("token with another app's sandbox key as secret", Plain("GET", $"{TokenPath}&appid={MidasDefaults.Appid}&secret={MidasDefaults.SandboxKey}",
            WeChat(40001, "secret does not match")));
        Add("token unknown appid", Plain("GET", $"{TokenPath}&appid=wxnobody&secret=x", WeChat(40013, "invalid appid")));
        Add("token appid of 4,000 characters", Plain("GET", $"{TokenPath}&appid={Distinct(4_000)}&secret=x",
            WeChat(40013, $"invalid appid hint: {Distinct(64)}… is not registered")));
        Add("token appid twice", Plain("GET", $"{TokenPath}&appid={MidasDefaults.Appid}&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}",
            WeChat(40013, "invalid appid")));
        Add("token appid percent junk", Plain("GET", $"{TokenPath}&appid=%zz%C3%28%00&secret=x", WeChat(40013, "invalid appid")));
        Add("token appid control characters", Plain("GET", $"{TokenPath}&appid=wx%0A%0D%1B[31m&secret=x", WeChat(40013, "invalid appid")));
        Add("token wrong grant_type", Plain("GET", $"/cgi-bin/token?grant_type=authorization_code&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}",
            WeChat(40002, "invalid grant_type")));
        Add("token without grant_type", Plain("GET", $"/cgi-bin/token?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}", WeChat(40002, "invalid grant_type")));

        // /sns/jscode2session.
        const string LoginPath = "/sns/jscode2session?grant_type=authorization_code";
        var app = $"appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}";
        Add("jscode2session without js_code", Plain("GET", $"{LoginPath}&{app}", WeChat(41008, "missing code")));
        Add("jscode2session unknown js_code", Plain("GET", $"{LoginPath}&{app}&js_code=nope", WeChat(40029, "invalid code")));
        Add("jscode2session js_code of 6,000 characters", Plain("GET", $"{LoginPath}&{app}&js_code={new string('c', 6_000)}", WeChat(40029, "invalid code")));
        Add("jscode2session js_code unicode", Plain("GET", $"{LoginPath}&{app}&js_code=%E7%A0%81", WeChat(40029, "invalid code")));
        Add("jscode2session wrong secret with a live code", Login(code => $"{LoginPath}&appid={MidasDefaults.Appid}&secret=wrong&js_code={code}",
            WeChat(40125, "invalid appsecret")));
        Add("jscode2session wrong grant_type with a live code", Login(code => $"/sns/jscode2session?grant_type=client_credential&{app}&js_code={code}",
            WeChat(40002, "invalid grant_type")));
        Add("jscode2session code used twice", Login(code => $"{LoginPath}&{app}&js_code={code}", WeChat(40163, "code been used"), redeemFirst: true));
        Add("jscode2session unknown appid", Plain("GET", $"{LoginPath}&appid=wxnobody&secret=x&js_code=c", WeChat(40013, "invalid appid")));
        Add("jscode2session without appid", Plain("GET", $"{LoginPath}&secret=x&js_code=c", WeChat(41002, "appid missing")));

        // Admin bodies: apps.
        Add("admin apps broken JSON", Admin("POST", "/admin/apps", "{\"appid\":", 400, "not valid"));
        Add("admin apps JSON array", Admin("POST", "/admin/apps", "[]", 400, "not valid"));
        Add("admin apps JSON null", Admin("POST", "/admin/apps", "null", 400, "must be a JSON object"));
        Add("admin apps empty body", Admin("POST", "/admin/apps", "", 400, "needs a JSON object body"));
        Add("admin apps appid as a number", Admin("POST", "/admin/apps", "{\"appid\":1,\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"}", 400, "appid"));
        Add("admin apps secret as an array", Admin("POST", "/admin/apps", "{\"appid\":\"wxa\",\"secret\":[],\"offer_id\":\"1\",\"app_key\":\"k\"}", 400, "secret"));
        Add("admin apps appid missing", Admin("POST", "/admin/apps", "{\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"}", 400, "appid is required"));
        Add("admin apps appid of 65 characters", Admin("POST", "/admin/apps", AppJson(new string('a', 65)), 400, "appid is required: 1 to 64"));
        Add("admin apps appid path traversal", Admin("POST", "/admin/apps", AppJson("../../etc"), 400, "appid"));
        Add("admin apps appid with the key separator", Admin("POST", "/admin/apps", AppJson("wx|x"), 400, "appid"));
        Add("admin apps appid unicode", Admin("POST", "/admin/apps", AppJson("应用"), 400, "appid"));
        Add("admin apps secret of 257 characters", Admin("POST", "/admin/apps",
            $"{{\"appid\":\"wxa\",\"secret\":\"{new string('s', 257)}\",\"offer_id\":\"1\",\"app_key\":\"k\"}}", 400, "secret is required: 1 to 256"));
        Add("admin apps appid twice", Admin("POST", "/admin/apps",
            "{\"appid\":\"wxtwice\",\"appid\":\"wxother\",\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"}", 400, "appid"));
        Add("admin apps 10,000 nested objects as appid", Admin("POST", "/admin/apps", "{\"appid\":" + Repeat("{\"a\":", 10_000) + "1" + new string('}', 10_001), 400, "at appid"));
        Add("admin apps 10,000 nested arrays in an unknown key", Admin("POST", "/admin/apps",
            "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}", 400, "depth"));
        Add("admin apps body over 64 KB", Admin("POST", "/admin/apps", AppJson("wxbig", pad: 70_000), 400, "larger than 65536 bytes"));
        Add("admin apps chunked body over 64 KB", Admin("POST", "/admin/apps", AppJson("wxbig", pad: 70_000), 400, "larger than 65536 bytes", chunked: true));
        Add("admin apps invalid UTF-8", AdminBytes("POST", "/admin/apps", [.. "{\"appid\":\"wx"u8, 0xC3, 0x28, .. "\"}"u8], 400, "not valid"));
        Add("admin apps form-encoded", Admin("POST", "/admin/apps", "appid=wxform&secret=s", 400, "not valid", contentType: "application/x-www-form-urlencoded"));

        // Admin bodies: sessions and login codes.
        Add("admin sessions openid missing", Admin("POST", "/admin/sessions", "{}", 400, "openid must be"));
        Add("admin sessions openid of 10,000 characters", Admin("POST", "/admin/sessions", $"{{\"openid\":\"{new string('o', 10_000)}\"}}", 400, "openid must be"));
        Add("admin sessions openid with a newline", Admin("POST", "/admin/sessions", "{\"openid\":\"o\\nx\"}", 400, "openid must be"));
        Add("admin sessions openid as a number", Admin("POST", "/admin/sessions", "{\"openid\":5}", 400, "openid"));
        Add("admin sessions empty session_key", Admin("POST", "/admin/sessions", $"{{\"openid\":\"{LoginOpenid}\",\"session_key\":\"\"}}", 400, "session_key"));
        Add("admin sessions session_key of 257 characters", Admin("POST", "/admin/sessions",
            $"{{\"openid\":\"{LoginOpenid}\",\"session_key\":\"{new string('k', 257)}\"}}", 400, "session_key"));
        Add("admin sessions unknown appid", Admin("POST", "/admin/sessions", $"{{\"openid\":\"{LoginOpenid}\",\"appid\":\"wxnobody\"}}", 400, "wxnobody"));
        Add("admin sessions openid twice", Admin("POST", "/admin/sessions", $"{{\"openid\":\"{LoginOpenid}\",\"openid\":\"{User.Openid}\"}}", 400, "openid"));
        Add("admin login-codes openid unicode", Admin("POST", "/admin/login-codes", "{\"openid\":\"用户\"}", 400, "openid must be"));
        Add("admin login-codes body array", Admin("POST", "/admin/login-codes", "[\"" + LoginOpenid + "\"]", 400, "not valid"));
        Add("admin delete session of no one", Admin("DELETE", "/admin/sessions/oNobodyAtAll", null, 404, "no session"));
        Add("admin delete session path traversal", Admin("DELETE", "/admin/sessions/..%2F..%2Fetc%2Fpasswd", null, 404, "no session"));
        Add("admin delete session unknown appid", Admin("DELETE", $"/admin/sessions/{User.Openid}?appid=wxnobody", null, 400, "wxnobody"));

        // Admin bodies: accounts.
        var topup = $"/admin/accounts/{User.Openid}/topup";
        foreach (var (raw, says) in new[] { ("0", "amount must be"), ("-1", "amount must be"), ("2147483648", "amount must be"),
            ("9223372036854775808", "amount"), ("1e30", "amount"), ("1.5", "amount"), ("\"12\"", "amount"), ("null", "amount must be"), ("[5]", "amount"),
            ("true", "amount") })
        {
            Add($"admin topup amount {raw}", Admin("POST", topup, $"{{\"amount\":{raw}}}", 400, says));
        }
        Add("admin topup amount twice", Admin("POST", topup, "{\"amount\":1,\"amount\":1000000}", 400, "amount"));
        Add("admin topup env staging", Admin("POST", topup, "{\"amount\":1,\"env\":\"staging\"}", 400, "env must be"));
        Add("admin topup zone_id of 65 characters", Admin("POST", topup, $"{{\"amount\":1,\"zone_id\":\"{new string('z', 65)}\"}}", 400, "zone_id"));
        Add("admin topup openid with a space", Admin("POST", "/admin/accounts/bad%20id/topup", "{\"amount\":1}", 400, "openid must be"));
        Add("admin topup openid path traversal", Admin("POST", "/admin/accounts/..%2F..%2Fapps/topup", "{\"amount\":1}", 400, "openid must be"));
        Add("admin topup openid of 4,000 characters", Admin("POST", $"/admin/accounts/{new string('o', 4_000)}/topup", "{\"amount\":1}", 400, "openid must be"));
        var account = $"/admin/accounts/{User.Openid}";
        Add("admin set balance -1", Admin("PUT", account, "{\"balance\":-1}", 400, "balance and gen_balance must be"));
        Add("admin set balance above 2^53", Admin("PUT", account, "{\"balance\":9007199254740993}", 400, "balance and gen_balance must be"));
        Add("admin set gen_balance above balance", Admin("PUT", account, "{\"balance\":5,\"gen_balance\":6}", 400, "gen_balance"));
        Add("admin set neither field", Admin("PUT", account, "{\"env\":\"sandbox\"}", 400, "give balance, gen_balance or both"));
        Add("admin set balance as a string", Admin("PUT", account, "{\"balance\":\"5\"}", 400, "balance"));
        Add("admin set balance 1e30", Admin("PUT", account, "{\"balance\":1e30}", 400, "balance"));
        Add("admin read account unknown env", Admin("GET", $"{account}?env=staging", null, 400, "env must be"));
        Add("admin read account openid unicode", Admin("GET", "/admin/accounts/%E7%94%A8%E6%88%B7", null, 400, "openid must be"));
        Add("admin read account zone_id empty", Admin("GET", $"{account}?zone_id=", null, 400, "zone_id"));

        // Admin queries: orders and requests.
        foreach (var (query, says) in new[]
        {
            ("limit=-1", "limit must be"), ("limit=0", "limit must be"), ("limit=abc", "limit must be"), ("limit=10001", "limit must be"),
            ("limit=99999999999999999999", "limit must be"), ("limit=1%20", "limit must be"), ("limit=+5", "limit must be"), ("limit=1e3", "limit must be"),
            ("offset=-1", "offset must be"), ("offset=abc", "offset must be"), ("offset=99999999999999999999", "offset must be"),
            ("after_id=-5", "after_id must be"), ("after_id=x", "after_id must be"), ("after_id=99999999999999999999", "after_id must be"),
            ("env=staging", "env must be"), ("kind=refunds", "kind must be"), ("kind=PAY%00", "kind must be"),
            ("colour=red", "unknown"), ("open_id=x", "unknown"), ("%zz=1", "unknown"), ("limit=5&limit=6", "limit must be"),
        })
        {
            Add($"admin orders {query}", Admin("GET", "/admin/orders?" + query, null, 400, says));
        }
        foreach (var (query, says) in new[] { ("limit=-1", "limit must be"), ("limit=abc", "limit must be"), ("limit=10001", "limit must be"),
            ("errcode=abc", "errcode must be"), ("errcode=1e3", "errcode must be"), ("errcode=99999999999", "errcode must be"), ("since=yesterday", "unknown") })
        {
            Add($"admin requests {query}", Admin("GET", "/admin/requests?" + query, null, 400, says));
        }

        // Admin bodies: faults, clock and reset.
        foreach (var (json, says) in new[]
        {
            ("{\"endpoint\":\"refund\"}", "endpoint must be"), ("{\"action\":\"explode\"}", "action must be"), ("{\"http_status\":200}", "http_status"),
            ("{\"http_status\":600}", "http_status"), ("{\"delay_ms\":-1}", "delay_ms"), ("{\"delay_ms\":600001}", "delay_ms"),
            ("{\"action\":\"delay\"}", "delay_ms"), ("{\"probability\":1.5}", "probability"), ("{\"probability\":-0.1}", "probability"),
            ("{\"probability\":\"NaN\"}", "probability"), ("{\"times\":0}", "times"), ("{\"skip_first\":-1}", "skip_first"),
            ($"{{\"errmsg\":\"{new string('e', 1025)}\"}}", "errmsg"), ("{\"openid\":\"\"}", "openid"), ("{\"seed\":\"x\"}", "seed"),
            ("{\"errcode\":99999999999}", "errcode"), ("{\"endpoint\":\"pay\",\"endpoint\":\"*\"}", "endpoint"), ("[{}]", "not valid"),
        })
        {
            Add($"admin faults {json[..Math.Min(json.Length, 40)]}", Admin("POST", "/admin/faults", json, 400, says));
        }
        Add("admin delete unknown fault", Admin("DELETE", "/admin/faults/f999", null, 404, "f999"));
        Add("admin delete fault path traversal", Admin("DELETE", "/admin/faults/..%2F..%2Fetc", null, 404, "no fault rule"));
        foreach (var (json, says) in new[]
        {
            ("{}", "exactly one"), ("{\"advance_s\":1,\"real\":true}", "exactly one"), ("{\"advance_s\":-1}", "advance_s"),
            ("{\"advance_s\":1e300}", "advance_s"), ("{\"now\":\"yesterday\"}", "now must be"), ("{\"now\":12}", "now"), ("{\"real\":false}", "real must be true"),
            ("{\"advance_s\":\"7201\"}", "advance_s"), ("{\"now\":\"2030-01-01T00:00:00Z\",\"now\":\"2031-01-01T00:00:00Z\"}", "now"),
        })
        {
            Add($"admin clock {json}", Admin("POST", "/admin/clock", json, 400, says));
        }
        Add("admin reset reseed as a string", Admin("POST", "/admin/reset", "{\"reseed\":\"yes\"}", 400, "reseed"));
        Add("admin reset body array", Admin("POST", "/admin/reset", "[true]", 400, "not valid"));
        Add("admin reset broken JSON", Admin("POST", "/admin/reset", "{", 400, "not valid"));

        // Admin methods and paths that do not exist.
        foreach (var (method, path) in new[] { ("PATCH", "/admin/apps"), ("DELETE", "/admin/health"), ("POST", "/admin/orders"), ("GET", "/admin/reset"),
            ("PUT", "/admin/faults"), ("GET", "/admin/sessions"), ("GET", $"/admin/accounts/{User.Openid}/topup"), ("POST", "/admin/invariants") })
        {
            Add($"admin {method} {path}", Admin(method, path, null, 405, "Method Not Allowed"));
        }
        Add("admin invariants with a query", Admin("GET", "/admin/invariants?fix=true", null, 400, "unknown query parameter fix"));
        Add("admin unknown path", Admin("GET", "/admin/nothing-here", null, 404, "Not Found"));
        Add("admin accounts without openid", Admin("GET", "/admin/accounts/", null, 404, "Not Found"));
        Add("admin path below an account", Admin("GET", $"/admin/accounts/{User.Openid}/x/y", null, 404, "Not Found"));

        AddGamePay(Add);
        AddClientOrders(Add);
        return cases;
    }

    /// <summary>
    /// Virtual payment 2.0 (docs/wechat-vp2-api.md): types are strict, values are checked before the signatures, and every
    /// refusal is 90018 "[field] field is invalid hint: …", "post data type not right …" or "field "x" doesn't expect …",
    /// 90011 for pay_sig and 90010 for signature.
    /// </summary>
    private static void AddGamePay(Action<string, Hostile> add)
    {
        const int ParamError = 90018;
        const string TypeNotRight = "post data type not right";
        static string Invalid(string field) => $"[{field}] {field} is invalid";
        var ops = new[] { "getbalance", "pay", "cancelpay", "present", "queryorderinfo" };

        // Bodies that are not one JSON object.
        foreach (var op in ops)
        {
            add($"game {op} empty body", GameRaw(op, "", WeChat(ParamError, TypeNotRight)));
            add($"game {op} not JSON", GameRaw(op, "not json", WeChat(ParamError, "post data type not right hint: the body is not valid JSON")));
            add($"game {op} JSON array", GameRaw(op, "[1,2,3]", WeChat(ParamError, "post data type not right hint: the body must be a JSON object")));
            add($"game {op} JSON null", GameRaw(op, "null", WeChat(ParamError, "the body must be a JSON object")));
            add($"game {op} body over MaxBodyBytes", GameRaw(op, "{\"pad\":\"" + new string('x', 70_000) + "\"}", WeChat(ParamError, "larger than 65536 bytes")));
        }
        add("game pay JSON string", GameRaw("pay", "\"just a string\"", WeChat(ParamError, "must be a JSON object")));
        add("game pay truncated JSON", GameRaw("pay", "{\"openid\":", WeChat(ParamError, TypeNotRight)));
        add("game pay two JSON objects", GameRaw("pay", "{\"amount\":1}{\"amount\":2}", WeChat(ParamError, TypeNotRight)));
        add("game pay trailing comma", GameRaw("pay", "{\"amount\":1,}", WeChat(ParamError, TypeNotRight)));
        add("game pay single-quoted JSON", GameRaw("pay", "{'amount':1}", WeChat(ParamError, TypeNotRight)));
        add("game pay JSON with a comment", GameRaw("pay", "{/* hi */\"amount\":1}", WeChat(ParamError, TypeNotRight)));
        add("game pay NaN literal", GameRaw("pay", "{\"amount\":NaN}", WeChat(ParamError, TypeNotRight)));
        add("game pay UTF-8 BOM before the object", GameRawBytes("pay", [0xEF, 0xBB, 0xBF, .. "{\"amount\":1}"u8], WeChat(ParamError, TypeNotRight)));
        add("game pay invalid UTF-8 in openid", GameRawBytes("pay", [.. "{\"openid\":\"o"u8, 0xFF, 0xFE, .. "\"}"u8], WeChat(ParamError, TypeNotRight)));
        add("game pay invalid UTF-8 in a key", GameRawBytes("pay", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
            WeChat(ParamError, TypeNotRight)));
        add("game pay lone surrogate escape in openid", GameRaw("pay", "{\"openid\":\"\\ud800\"}", WeChat(ParamError, TypeNotRight)));
        add("game pay form-encoded body", GameRaw("pay", $"openid={User.Openid}&amount=1", WeChat(ParamError, TypeNotRight)));
        add("game pay 10,000 nested arrays", GameRaw("pay", new string('[', 10_000) + new string(']', 10_000), WeChat(ParamError, "must be a JSON object")));
        add("game pay 10,000 nested arrays as amount", Game("pay", f => f.Set("amount", new string('[', 10_000) + new string(']', 10_000)),
            expected: WeChat(ParamError, TypeNotRight)));
        add("game pay 10,000 nested objects as bill_no", Game("pay", f => f.Set("bill_no", Repeat("{\"a\":", 10_000) + "1" + new string('}', 10_000)),
            expected: WeChat(ParamError, TypeNotRight)));
        add("game pay 10,000 nested objects in an unknown key", Game("pay", f => f.Add("x", Repeat("{\"a\":", 10_000) + "1" + new string('}', 10_000)),
            expected: WeChat(ParamError, Invalid("x"))));
        add("game getbalance chunked body over MaxBodyBytes", GameRaw("getbalance", "{\"pad\":\"" + new string('x', 70_000) + "\"}",
            WeChat(ParamError, "larger than 65536 bytes"), chunked: true));
        add("game getbalance body over MaxBodyBytes with a valid request inside", Game("getbalance",
            f => f.Set("openid", JsonSerializer.Serialize(User.Openid) + new string(' ', 66_000)), expected: WeChat(ParamError, "larger than 65536 bytes")));

        // The same field twice, whatever the values; null counts as sent.
        foreach (var (op, field) in new[] { ("pay", "amount"), ("pay", "bill_no"), ("pay", "openid"), ("pay", "env"), ("pay", "ts"),
            ("cancelpay", "pay_bill_no"), ("present", "amount"), ("getbalance", "zone_id"), ("queryorderinfo", "biz_id") })
        {
            add($"game {op} {field} twice", Game(op, f => f.Add(field, f.Raw(field)), expected: WeChat(ParamError, Invalid(field) + " hint: it appears twice")));
        }
        add("game pay amount twice with other values", Game("pay", f => f.Add("amount", "100000"), expected: WeChat(ParamError, Invalid("amount"))));
        add("game pay amount null then a number", Game("pay", f =>
        {
            f.Remove("amount");
            f.Add("amount", "null");
            f.Add("amount", "10");
        }, expected: WeChat(ParamError, Invalid("amount") + " hint: it appears twice")));

        // Missing fields, and null (= absent).
        foreach (var (op, field) in new[] { ("pay", "openid"), ("pay", "offer_id"), ("pay", "ts"), ("pay", "zone_id"), ("pay", "env"), ("pay", "amount"),
            ("pay", "bill_no"), ("cancelpay", "amount"), ("cancelpay", "bill_no"), ("cancelpay", "pay_bill_no"), ("present", "amount"), ("present", "bill_no"),
            ("getbalance", "openid"), ("getbalance", "zone_id"), ("queryorderinfo", "out_trade_no"), ("queryorderinfo", "biz_id"), ("queryorderinfo", "env") })
        {
            add($"game {op} {field} missing", Game(op, f => f.Remove(field), expected: WeChat(ParamError, Invalid(field) + " hint: it is required")));
        }
        foreach (var (op, field) in new[] { ("pay", "amount"), ("pay", "openid"), ("cancelpay", "pay_bill_no"), ("present", "bill_no"), ("getbalance", "env") })
        {
            add($"game {op} {field} null", Game(op, f => f.Set(field, "null"), expected: WeChat(ParamError, Invalid(field) + " hint: it is required")));
        }
        add("game pay empty object", GameRaw("pay", "{}", WeChat(ParamError, Invalid("openid"))));

        // Unknown fields: 1.0's names are not 2.0's.
        foreach (var (op, field, json) in new[] { ("pay", "amt", "10"), ("pay", "appid", $"\"{MidasDefaults.Appid}\""), ("pay", "sig", "\"x\""),
            ("pay", "mp_sig", "\"x\""), ("pay", "pay_bill_no", "\"B1\""), ("pay", "access_token", "\"{token}\""), ("getbalance", "amount", "1"),
            ("present", "present_counts", "5"), ("cancelpay", "payitem", "\"x\""), ("queryorderinfo", "user_ip", "\"1.2.3.4\""), ("pay", "AMOUNT", "10") })
        {
            add($"game {op} unknown field {field}", Game(op, f => f.Add(field, json), expected: WeChat(ParamError, Invalid(field) + $" hint: /wxa/game/{op} has no such field")));
        }
        add("game pay unknown field of 10,000 characters", Game("pay", f => f.Add(Distinct(10_000), "1"),
            expected: WeChat(ParamError, $"[{Distinct(64)}…] {Distinct(64)}… is invalid")));
        add("game pay unknown field with control characters", Game("pay", f => f.Add("a\u0001\n", "1"), expected: WeChat(ParamError, "is invalid hint: /wxa/game/pay has no such field")));
        add("game pay unknown field of 63 characters and an emoji", Game("pay", f => f.Add(new string('k', 63) + "😀", "1"),
            expected: WeChat(ParamError, "has no such field")));

        // Types are strict: a string where a number belongs, a number where a string belongs (named), booleans, arrays, objects.
        foreach (var (op, field, raw) in new[] { ("pay", "env", "\"1\""), ("pay", "ts", "\"1700000000\""), ("pay", "amount", "\"10\""), ("pay", "amount", "true"),
            ("pay", "amount", "[10]"), ("pay", "amount", "{\"v\":10}"), ("present", "amount", "false"), ("cancelpay", "amount", "\"1\""),
            ("pay", "bill_no", "true"), ("cancelpay", "pay_bill_no", "[]"), ("pay", "openid", "{}"), ("queryorderinfo", "biz_id", "\"1\""),
            ("getbalance", "coin_type", "\"0\""), ("getbalance", "env", "true") })
        {
            add($"game {op} {field} {raw}", Game(op, f => f.Set(field, raw), expected: WeChat(ParamError, $"{TypeNotRight} hint: {field} must be a JSON")));
        }
        foreach (var (op, field, raw, kind) in new[] { ("pay", "bill_no", "10013324", "an uint32"), ("pay", "bill_no", "-5", "a number"),
            ("pay", "bill_no", "1.5", "a number"), ("pay", "openid", "12345", "an uint32"), ("pay", "zone_id", "1", "an uint32"),
            ("pay", "offer_id", MidasDefaults.OfferId, "an uint32"), ("cancelpay", "pay_bill_no", "99999999999", "a number"),
            ("queryorderinfo", "out_trade_no", "123", "an uint32") })
        {
            add($"game {op} {field} as the number {raw}", Game(op, f => f.Set(field, raw),
                expected: WeChat(ParamError, $"field \"{field}\" doesn't expect {kind} value \"{raw}\"")));
        }
        add("game pay bill_no as a 40-digit number", Game("pay", f => f.Set("bill_no", new string('9', 40)),
            expected: WeChat(ParamError, $"field \"bill_no\" doesn't expect a number value \"{new string('9', 32)}…\"")));

        // Amounts: 1 … 2147483647, integers only.
        foreach (var raw in new[] { "0", "-1", "-0", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.5", "1.0",
            "1e3", "1E2", "99999999999999999999999999" })
        {
            add($"game pay amount {raw}", Game("pay", f => f.Set("amount", raw), expected: WeChat(ParamError, Invalid("amount"))));
        }
        foreach (var op in new[] { "present", "cancelpay" })
        {
            foreach (var raw in new[] { "0", "-5", "2147483648", "1e30" })
            {
                add($"game {op} amount {raw}", Game(op, f => f.Set("amount", raw), expected: WeChat(ParamError, Invalid("amount"))));
            }
        }

        // bill_no and pay_bill_no: 1 to 63 of [0-9A-Za-z_-], not starting with _.
        foreach (var (label, billNo) in new[]
        {
            ("starting with _", "_B1"), ("just _", "_"), ("of 64 characters", new string('b', 64)), ("of 10,000 characters", new string('b', 10_000)), ("empty", ""),
            ("non-ASCII", "订单1"), ("an emoji", "bill😀"), ("with |", "bill|1"), ("with *", "bill*1"), ("with @", "bill@1"), ("with a space", "bill 1"),
            ("NUL", "bill\0"), ("newline", "bill\n1"), ("tab", "bill\t1"), ("DEL", "bill\u007f"), ("right-to-left override", "bill\u202E1"),
            ("fullwidth digits", "ｂｉｌｌ１"), ("with a slash", "bill/1"), ("a quote", "bill\"1"), ("percent-encoded", "bill%2D1"),
        })
        {
            add($"game pay bill_no {label}", Game("pay", f => f.Str("bill_no", billNo), expected: WeChat(ParamError, Invalid("bill_no"))));
        }
        foreach (var (label, billNo) in new[] { ("starting with _", "_R1"), ("of 64 characters", new string('r', 64)), ("non-ASCII", "退款"), ("with |", "r|1") })
        {
            add($"game cancelpay bill_no {label}", Game("cancelpay", f => f.Str("bill_no", billNo), expected: WeChat(ParamError, Invalid("bill_no"))));
            // pay_bill_no names a pay, which 1.0 may have made with | or a leading _: those forms look the pay up (90000 here).
            var wellFormedFor10 = billNo.Length <= 63 && billNo.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '|' or '*' or '@');
            add($"game cancelpay pay_bill_no {label}", Game("cancelpay", f => f.Str("pay_bill_no", billNo),
                expected: wellFormedFor10 ? WeChat(90000, "order not exist") : WeChat(ParamError, Invalid("pay_bill_no"))));
        }
        add("game present bill_no starting with _", Game("present", f => f.Str("bill_no", "_P1"), expected: WeChat(ParamError, Invalid("bill_no") + " hint: it must not start with _")));
        add("game present bill_no of 64 characters", Game("present", f => f.Str("bill_no", new string('p', 64)), expected: WeChat(ParamError, Invalid("bill_no"))));

        // openid, offer_id, env, zone_id and ts by value.
        foreach (var (label, openid) in new[]
        {
            ("empty", ""), ("of 60 KB", new string('o', 60_000)), ("129 characters", new string('o', 129)), ("with a space", "odkx20ENSNa2w5y3g qOkOvBNM1g"),
            ("unicode letters", "用户odkx20ENSNa2w5y3g"), ("NUL", "odkx\0"), ("newline", "odkx\nforged log line"), ("escape sequence", "odkx\u001b[31m"),
            ("right-to-left override", "odkx\u202Egnp.exe"), ("path traversal", "../../etc/passwd"), ("LiteDB key separator", "odkx|sandbox"),
        })
        {
            add($"game pay openid {label}", Game("pay", f => f.Str("openid", openid), expected: WeChat(ParamError, Invalid("openid"))));
        }
        add("game getbalance openid of 128 characters without a session", Game("getbalance", f => f.Str("openid", new string('o', 128)),
            expected: WeChat(90016, "session_key expired")));
        foreach (var (label, offerId) in new[] { ("of another app", "87654321"), ("empty", ""), ("10,000 characters", Distinct(10_000)), ("with a newline", "1234\n5678") })
        {
            add($"game pay offer_id {label}", Game("pay", f => f.Str("offer_id", offerId), expected: WeChat(ParamError, Invalid("offer_id"))));
        }
        foreach (var raw in new[] { "2", "-1", "3", "9223372036854775807", "1.5" })
        {
            add($"game pay env {raw}", Game("pay", f => f.Set("env", raw), expected: WeChat(ParamError, Invalid("env"))));
        }
        foreach (var (label, zoneId) in new[] { ("not published", "2"), ("empty", ""), ("with a newline", "1\n"), ("of 10,000 characters", new string('z', 10_000)),
            ("unicode", "区1"), ("control characters", "\u0001\u0007") })
        {
            add($"game pay zone_id {label}", Game("pay", f => f.Str("zone_id", zoneId), expected: WeChat(ParamError, Invalid("zone_id"))));
        }
        add("game queryorderinfo zone_id not published", Game("queryorderinfo", f => f.Str("zone_id", "2"), expected: WeChat(ParamError, Invalid("zone_id"))));
        foreach (var raw in new[] { "-1", "-9223372036854775808", "1.5", "1e10" })
        {
            add($"game getbalance ts {raw}", Game("getbalance", f => f.Set("ts", raw), expected: WeChat(ParamError, Invalid("ts"))));
        }
        foreach (var field in new[] { "user_ip", "payitem", "remark" })
        {
            add($"game pay {field} 1025 characters", Game("pay", f => f.Str(field, new string('i', 1025)), expected: WeChat(ParamError, Invalid(field))));
        }
        foreach (var raw in new[] { "2", "-1", "1e3" })
        {
            add($"game getbalance coin_type {raw}", Game("getbalance", f => f.Set("coin_type", raw), expected: WeChat(ParamError, Invalid("coin_type"))));
        }

        // queryorderinfo: biz_id 1 or 2, out_trade_no 1 to 32 of [0-9A-Za-z_-|*@].
        foreach (var raw in new[] { "0", "3", "-1", "9223372036854775807" })
        {
            add($"game queryorderinfo biz_id {raw}", Game("queryorderinfo", f => f.Set("biz_id", raw), expected: WeChat(ParamError, Invalid("biz_id"))));
        }
        // A leading _ is the platform's own numbering: looked up, not refused (90019 here).
        add("game queryorderinfo out_trade_no starting with _", Game("queryorderinfo", f => f.Str("out_trade_no", "_PHONE1"),
            expected: WeChat(90019, "out_trade_no not found")));
        foreach (var (label, outTradeNo) in new[] { ("of 33 characters", new string('t', 33)), ("empty", ""),
            ("non-ASCII", "订单"), ("with a space", "PHONE 1"), ("newline", "PHONE\n1"), ("of 10,000 characters", new string('t', 10_000)) })
        {
            add($"game queryorderinfo out_trade_no {label}", Game("queryorderinfo", f => f.Str("out_trade_no", outTradeNo),
                expected: WeChat(ParamError, Invalid("out_trade_no"))));
        }

        // Signatures: really computed (GamePaySigner), wrong in one way each. Values are checked first, so these bodies are valid.
        static Action<List<(string Key, string Value)>> Edit(string key, Func<string, string> change) => q =>
        {
            var at = q.FindIndex(p => p.Key == key);
            q[at] = (key, change(q[at].Value));
        };
        add("game pay pay_sig missing", Game("pay", query: q => q.RemoveAll(p => p.Key == "pay_sig"), expected: WeChat(90011, "[pay_sig] pay_sig is invalid")));
        add("game pay signature missing", Game("pay", query: q => q.RemoveAll(p => p.Key == "signature"), expected: WeChat(90010, "[signature] signature is invalid")));
        add("game pay both signatures missing", Game("pay", query: q => q.RemoveAll(p => p.Key is "signature" or "pay_sig"), expected: WeChat(90011, "[pay_sig]")));
        add("game pay pay_sig uppercase", Game("pay", query: Edit("pay_sig", v => v.ToUpperInvariant()), expected: WeChat(90011, "[pay_sig] pay_sig is invalid")));
        add("game pay signature uppercase", Game("pay", query: Edit("signature", v => v.ToUpperInvariant()), expected: WeChat(90010, "[signature] signature is invalid")));
        add("game pay pay_sig twice", Game("pay", query: q => q.Add(q.Find(p => p.Key == "pay_sig")), expected: WeChat(90011, "[pay_sig] pay_sig is invalid")));
        add("game pay signature twice", Game("pay", query: q => q.Add(q.Find(p => p.Key == "signature")), expected: WeChat(90010, "[signature] signature is invalid")));
        add("game pay an extra signature of another key", Game("pay", query: q => q.Add(("signature", MidasGamePaySigner.Signature("AAAAAAAAAAAAAAAAAAAAAA==", []))),
            expected: WeChat(90010, "[signature]")));
        add("game pay pay_sig empty", Game("pay", query: Edit("pay_sig", _ => ""), expected: WeChat(90011, "[pay_sig]")));
        add("game pay pay_sig of 63 hex digits", Game("pay", query: Edit("pay_sig", v => v[..63]), expected: WeChat(90011, "[pay_sig]")));
        add("game pay pay_sig of 6,000 characters", Game("pay", query: Edit("pay_sig", _ => new string('a', 6_000)), expected: WeChat(90011, "[pay_sig]")));
        add("game pay signature not hex", Game("pay", query: Edit("signature", _ => new string('z', 64)), expected: WeChat(90010, "[signature]")));
        foreach (var method in new[] { "hmac_sha1", "HMAC_SHA256", "md5", "", "hmac_sha256 " })
        {
            add($"game pay sig_method \"{method}\"", Game("pay", query: Edit("sig_method", _ => method), expected: WeChat(ParamError, Invalid("sig_method"))));
        }
        add("game pay sig_method missing", Game("pay", query: q => q.RemoveAll(p => p.Key == "sig_method"), expected: WeChat(ParamError, Invalid("sig_method"))));
        add("game pay sig_method twice", Game("pay", query: q => q.Add(("sig_method", "hmac_sha256")), expected: WeChat(ParamError, Invalid("sig_method"))));
        add("game pay pay_sig with the production key for env 1", Game("pay", payKey: MidasDefaults.ProductionKey, expected: WeChat(90011, "[pay_sig]")));
        add("game pay env 0 signed with the sandbox key", Game("pay", f => f.Set("env", "0"), expected: WeChat(90011, "[pay_sig]")));
        add("game pay pay_sig over another path", Game("pay", sigPath: "/wxa/game/present", expected: WeChat(90011, "[pay_sig]")));
        add("game pay signature with another session_key", Game("pay", sessionKey: "AAAAAAAAAAAAAAAAAAAAAA==", expected: WeChat(90010, "[signature]")));
        add("game pay amount changed after signing", Game("pay", after: f => f.Set("amount", "11"), expected: WeChat(90011, "[pay_sig]")));
        add("game pay amount added again after signing", Game("pay", after: f => f.Add("amount", "10"), expected: WeChat(ParamError, Invalid("amount"))));
        add("game cancelpay pay_bill_no changed after signing", Game("cancelpay", after: f => f.Str("pay_bill_no", "OTHER-1"), expected: WeChat(90011, "[pay_sig]")));
        add("game getbalance openid of a player without a session", Game("getbalance", f => f.Str("openid", "oNoSessionPlayer0000000001"),
            expected: WeChat(90016, "session_key expired")));

        // access_token, checked before the body.
        add("game pay without access_token", Game("pay", query: q => q.RemoveAll(p => p.Key == "access_token"), expected: WeChat(41001, "access_token missing")));
        add("game pay unknown access_token", Game("pay", query: Edit("access_token", _ => "not-a-token"), expected: WeChat(40001, "invalid credential")));
        add("game pay access_token twice", Game("pay", query: q => q.Add(q.Find(p => p.Key == "access_token")), expected: WeChat(40001, "invalid credential")));
        add("game pay access_token of 6,000 characters", Game("pay", query: Edit("access_token", _ => new string('t', 6_000)), expected: WeChat(40001, "invalid credential")));

        // Methods and paths.
        foreach (var (method, path) in new[] { ("GET", "/wxa/game/pay"), ("PUT", "/wxa/game/getbalance"), ("DELETE", "/wxa/game/cancelpay"),
            ("PATCH", "/wxa/game/present"), ("GET", "/wxa/game/queryorderinfo") })
        {
            add($"{method} {path}", Plain(method, path + "?access_token={token}", WeChat(43002, "require POST method")));
        }
        add("POST /wxa/checksession", Plain("POST", "/wxa/checksession?access_token={token}", WeChat(43001, "require GET method")));
        add("unknown 2.0 operation", Plain("POST", "/wxa/game/refund?access_token={token}", Http(404)));

        // checksession with junk.
        var check = $"/wxa/checksession?access_token={{token}}&openid={User.Openid}";
        var liveSignature = MidasGamePaySigner.CheckSessionSignature(User.SessionKey);
        add("checksession without access_token", Plain("GET", $"/wxa/checksession?openid={User.Openid}&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(41001, "access_token missing")));
        add("checksession unknown access_token", Plain("GET", $"/wxa/checksession?access_token=nope&openid={User.Openid}&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(40001, "invalid credential")));
        add("checksession without sig_method", Plain("GET", $"{check}&signature={liveSignature}", WeChat(87009, "sig_method")));
        add("checksession sig_method hmac_sha1", Plain("GET", $"{check}&signature={liveSignature}&sig_method=hmac_sha1", WeChat(87009, "sig_method")));
        add("checksession without signature", Plain("GET", $"{check}&sig_method=hmac_sha256", WeChat(87009, "invalid signature")));
        add("checksession signature junk", Plain("GET", $"{check}&signature=%zz%00%C3%28&sig_method=hmac_sha256", WeChat(87009, "invalid signature")));
        add("checksession signature of 6,000 characters", Plain("GET", $"{check}&signature={new string('a', 6_000)}&sig_method=hmac_sha256",
            WeChat(87009, "invalid signature")));
        add("checksession signature of another session_key", Plain("GET",
            $"{check}&signature={MidasGamePaySigner.CheckSessionSignature("AAAAAAAAAAAAAAAAAAAAAA==")}&sig_method=hmac_sha256", WeChat(87009, "invalid signature")));
        add("checksession without openid", Plain("GET", $"/wxa/checksession?access_token={{token}}&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(87009, "no live session")));
        add("checksession openid junk", Plain("GET", $"/wxa/checksession?access_token={{token}}&openid=%0A%00..%2F&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(87009, "no live session")));
        add("checksession openid of 6,000 characters", Plain("GET",
            $"/wxa/checksession?access_token={{token}}&openid={new string('o', 6_000)}&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(87009, "no live session")));
        add("checksession openid twice", Plain("GET", $"{check}&openid={User.Openid}&signature={liveSignature}&sig_method=hmac_sha256",
            WeChat(87009, "no live session")));
    }

    /// <summary>POST /admin/client-orders (what the player's phone does): every refusal is a 400 naming the field, and creates nothing.</summary>
    private static void AddClientOrders(Action<string, Hostile> add)
    {
        const string Path = "/admin/client-orders";
        var openid = $"\"openid\":\"{User.Openid}\"";
        foreach (var (label, json, says) in new[]
        {
            ("biz_id 3", $"{{{openid},\"biz_id\":3,\"buy_quantity\":5}}", "biz_id must be 1"),
            ("biz_id 0", $"{{{openid},\"biz_id\":0,\"buy_quantity\":5}}", "biz_id must be 1"),
            ("biz_id missing", $"{{{openid},\"buy_quantity\":5}}", "biz_id must be 1"),
            ("biz_id as a string", $"{{{openid},\"biz_id\":\"1\",\"buy_quantity\":5}}", "biz_id"),
            ("biz_id 2^31", $"{{{openid},\"biz_id\":2147483648,\"buy_quantity\":5}}", "biz_id"),
            ("biz_id 1.5", $"{{{openid},\"biz_id\":1.5,\"buy_quantity\":5}}", "biz_id"),
            ("out_trade_no starting with _", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"_mine\"}}", "out_trade_no must not start with _"),
            ("out_trade_no of 33 characters", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"{new string('t', 33)}\"}}", "out_trade_no must be 1 to 32"),
            ("out_trade_no empty", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"\"}}", "out_trade_no must be 1 to 32"),
            ("out_trade_no non-ASCII", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"订单\"}}", "out_trade_no may hold only"),
            ("out_trade_no with a newline", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"a\\nb\"}}", "out_trade_no may hold only"),
            ("out_trade_no as a number", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":123}}", "out_trade_no"),
            ("buy_quantity 0", $"{{{openid},\"biz_id\":1,\"buy_quantity\":0}}", "buy_quantity"),
            ("buy_quantity -1", $"{{{openid},\"biz_id\":1,\"buy_quantity\":-1}}", "buy_quantity"),
            ("buy_quantity 2^31", $"{{{openid},\"biz_id\":1,\"buy_quantity\":2147483648}}", "buy_quantity"),
            ("buy_quantity missing", $"{{{openid},\"biz_id\":1}}", "buy_quantity"),
            ("buy_quantity as a string", $"{{{openid},\"biz_id\":1,\"buy_quantity\":\"5\"}}", "buy_quantity"),
            ("buy_quantity 9223372036854775808", $"{{{openid},\"biz_id\":1,\"buy_quantity\":9223372036854775808}}", "buy_quantity"),
            ("coin order with a product_id", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"product_id\":\"sword\"}}", "product_id"),
            ("coin order price 0", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"price\":0}}", "price must be"),
            ("item without price", $"{{{openid},\"biz_id\":2,\"product_id\":\"sword\"}}", "price"),
            ("item without product_id", $"{{{openid},\"biz_id\":2,\"price\":600}}", "product_id"),
            ("item with buy_quantity", $"{{{openid},\"biz_id\":2,\"product_id\":\"sword\",\"price\":600,\"buy_quantity\":1}}", "buy_quantity"),
            ("item quantity 0", $"{{{openid},\"biz_id\":2,\"product_id\":\"sword\",\"price\":600,\"quantity\":0}}", "quantity must be"),
            ("item price -1", $"{{{openid},\"biz_id\":2,\"product_id\":\"sword\",\"price\":-1}}", "price must be"),
            ("item product_id of 65 characters", $"{{{openid},\"biz_id\":2,\"product_id\":\"{new string('p', 65)}\",\"price\":600}}", "product_id"),
            ("attach of 1025 characters", $"{{{openid},\"biz_id\":2,\"product_id\":\"sword\",\"price\":600,\"attach\":\"{new string('a', 1025)}\"}}", "attach"),
            ("pay_state refunded", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"pay_state\":\"refunded\"}}", "pay_state must be"),
            ("biz_id twice", $"{{{openid},\"biz_id\":2,\"biz_id\":1,\"buy_quantity\":5}}", "biz_id"),
            ("buy_quantity twice", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"buy_quantity\":500000}}", "buy_quantity"),
            ("out_trade_no twice", $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"out_trade_no\":\"A1\",\"out_trade_no\":\"A2\"}}", "out_trade_no"),
            ("openid twice", $"{{{openid},{openid},\"biz_id\":1,\"buy_quantity\":5}}", "openid"),
            ("openid missing", "{\"biz_id\":1,\"buy_quantity\":5}", "openid is required"),
            ("openid with a space", "{\"openid\":\"bad id\",\"biz_id\":1,\"buy_quantity\":5}", "openid must be"),
            ("openid unicode", "{\"openid\":\"用户\",\"biz_id\":1,\"buy_quantity\":5}", "openid must be"),
            ("openid of 4,000 characters", $"{{\"openid\":\"{new string('o', 4_000)}\",\"biz_id\":1,\"buy_quantity\":5}}", "openid must be"),
            ("openid as a number", "{\"openid\":5,\"biz_id\":1,\"buy_quantity\":5}", "openid"),
            ("unknown appid", $"{{{openid},\"appid\":\"wxnobody\",\"biz_id\":1,\"buy_quantity\":5}}", "wxnobody"),
            ("env staging", $"{{{openid},\"env\":\"staging\",\"biz_id\":1,\"buy_quantity\":5}}", "env must be"),
            ("zone_id of 65 characters", $"{{{openid},\"zone_id\":\"{new string('z', 65)}\",\"biz_id\":1,\"buy_quantity\":5}}", "zone_id"),
            ("JSON array", "[{\"biz_id\":1}]", "not valid"),
            ("broken JSON", "{\"biz_id\":", "not valid"),
            ("empty body", "", "needs a JSON object body"),
            ("10,000 nested arrays as buy_quantity", $"{{{openid},\"biz_id\":1,\"buy_quantity\":{new string('[', 10_000)}{new string(']', 10_000)}}}", "buy_quantity"),
        })
        {
            add($"admin client-orders {label}", Admin("POST", Path, json, 400, says));
        }
        add("admin client-orders body over 64 KB", Admin("POST", Path, $"{{{openid},\"biz_id\":1,\"buy_quantity\":5,\"attach\":\"{new string('a', 70_000)}\"}}",
            400, "larger than 65536 bytes"));
        add("admin client-orders refund of an unknown order", Admin("POST", $"{Path}/NO-SUCH-ORDER/refund", "{}", 404, "NO-SUCH-ORDER"));
        add("admin client-orders refund amount as a string", Admin("POST", $"{Path}/NO-SUCH-ORDER/refund", "{\"amount\":\"5\"}", 400, "amount"));
        add("admin client-orders list biz_id 3", Admin("GET", $"{Path}?biz_id=3", null, 400, "biz_id must be"));
        add("admin client-orders list limit 0", Admin("GET", $"{Path}?limit=0", null, 400, "limit must be"));
    }

    // --- case builders -----------------------------------------------------------------------------------------------

    /// <summary>What a case sends: built against the running emulator (token, clock) just before it is sent.</summary>
    public sealed record Hostile(string Path, Func<Context, Task<HttpRequestMessage>> Build, Expectation Expected);

    public sealed record Context(EmulatorApp App, HttpClient Http, string Token, string Name)
    {
        /// <summary>A bill_no no other case uses, so a case that wrongly succeeded cannot hide behind a 90012.</summary>
        public string BillNo => "HI-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Name)))[..20];
    }

    /// <summary>Where a case must land: a WeChat errcode or an admin problem status, with a text the message must contain.</summary>
    public sealed record Expectation(bool WeChat, int Code, string Says)
    {
        public void Check(string name, HttpResponseMessage response, string text)
        {
            if (WeChat)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: HTTP {(int)response.StatusCode} {Cut(text)}");
                var reply = JsonDocument.Parse(text).RootElement;
                Assert.True(reply.TryGetProperty("errcode", out var errcode) && errcode.ValueKind == JsonValueKind.Number, $"{name}: {Cut(text)}");
                var errmsg = reply.GetProperty("errmsg").GetString()!;
                Assert.True(errcode.GetInt32() == Code, $"{name}: expected errcode {Code}, got {Cut(text)}");
                Assert.True(errmsg.Contains(Says, StringComparison.Ordinal), $"{name}: errmsg should say \"{Says}\": {Cut(errmsg)}");
                if (response.RequestMessage is { } sent && sent.Method == HttpMethod.Post
                    && sent.RequestUri!.AbsolutePath.StartsWith("/wxa/game/", StringComparison.Ordinal))
                {
                    // A 2.0 error is errcode and errmsg only, and its errmsg ends with a traceid and a rid (docs/wechat-vp2-api.md §8.22).
                    Assert.True(reply.EnumerateObject().Select(p => p.Name).SequenceEqual(["errcode", "errmsg"]), $"{name}: {Cut(text)}");
                    Assert.True(System.Text.RegularExpressions.Regex.IsMatch(errmsg, @" traceid: \d+.* rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$",
                        System.Text.RegularExpressions.RegexOptions.Singleline), $"{name}: no traceid and rid at the end: {Cut(errmsg)}");
                }
                return;
            }
            Assert.True((int)response.StatusCode == Code, $"{name}: expected HTTP {Code}, got {(int)response.StatusCode} {Cut(text)}");
            if (Code == 404 && Says.Length == 0)
            {
                return;
            }
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal(Code, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), $"{name}: {text}");
            var said = problem.GetProperty("title").GetString() + " " + (problem.TryGetProperty("detail", out var detail) ? detail.GetString() : "");
            Assert.True(said.Contains(Says, StringComparison.Ordinal), $"{name}: the problem should say \"{Says}\": {Cut(text)}");
        }

        private static string Cut(string text) => text.Length <= 400 ? text : text[..400] + "…";
    }

    private static Expectation WeChat(int errcode, string says) => new(true, errcode, says);

    private static Expectation Http(int status) => new(false, status, "");

    /// <summary>"0123456789101112…" cut to <paramref name="length"/>: a long value whose first 64 characters are no other 64 of it.</summary>
    private static string Distinct(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))[..length];

    private static string Repeat(string text, int times) => new StringBuilder(text.Length * times).Insert(0, text, times).ToString();

    private static string AppJson(string appid, int pad = 0) =>
        $"{{\"appid\":\"{appid}\",\"secret\":\"s\",\"offer_id\":\"1\",\"app_key\":\"k\"{(pad > 0 ? $",\"pad\":\"{new string('x', pad)}\"" : "")}}}";

    /// <summary>
    /// A Midas call as a game backend makes it: the common fields and the operation's own for the doc user, signed
    /// with the env's AppKey (sig) and the user's session_key (mp_sig) by <see cref="MidasSigner"/>. <paramref name="edit"/>
    /// changes fields before signing (so the sig is right and the emulator's value rules must refuse it);
    /// <paramref name="after"/> changes them after signing.
    /// </summary>
    private static Hostile Midas(string op, Action<Fields>? edit = null, bool production = false, Action<Fields>? after = null,
        string? sigKey = null, string? sigPath = null, string? sessionKey = null, string? mpSigToken = null, string? query = null,
        bool signPad = false, Expectation? expected = null)
    {
        var path = production ? $"/cgi-bin/midas/{op}" : $"/cgi-bin/midas/sandbox/{op}";
        return new Hostile(path, context =>
        {
            var fields = new Fields();
            fields.Str("openid", User.Openid);
            fields.Str("appid", MidasDefaults.Appid);
            fields.Str("offer_id", MidasDefaults.OfferId);
            fields.Set("ts", context.App.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            fields.Str("zone_id", "1");
            fields.Str("pf", "android");
            switch (op)
            {
                case "pay":
                    fields.Set("amt", "10");
                    fields.Str("bill_no", context.BillNo);
                    break;
                case "cancelpay":
                    fields.Str("bill_no", context.BillNo);
                    break;
                case "present":
                    fields.Str("bill_no", context.BillNo);
                    fields.Set("present_counts", "5");
                    break;
            }
            edit?.Invoke(fields);
            var signed = fields.SignedText(includePad: signPad);
            var sig = MidasSigner.Sig(signed, sigPath ?? path, sigKey ?? (production ? MidasDefaults.ProductionKey : MidasDefaults.SandboxKey));
            fields.Str("sig", sig);
            fields.Str("mp_sig", MidasSigner.MpSig(signed, mpSigToken ?? context.Token, sig, sigPath ?? path, sessionKey ?? User.SessionKey));
            after?.Invoke(fields);
            var json = fields.ToJson().Replace("{token}", context.Token, StringComparison.Ordinal);
            var request = new HttpRequestMessage(HttpMethod.Post, path + (query ?? "?access_token={token}").Replace("{token}", context.Token, StringComparison.Ordinal))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            return Task.FromResult(request);
        }, expected ?? WeChat(0, "ok"));
    }

    /// <summary>
    /// A virtual payment 2.0 call as a game backend makes it (docs/wechat-vp2-api.md §2–§4): the body's fields in order for the
    /// doc user in the sandbox (env 1, zone "1"), its exact bytes signed with pay_sig (the AppKey over path + "&amp;" + body) and
    /// signature (the user's session_key) by <see cref="GamePaySigner"/>. <paramref name="edit"/> changes fields before signing
    /// (so both signatures are right and the emulator's value rules must refuse it); <paramref name="after"/> changes them after
    /// signing; <paramref name="query"/> changes the query's parameters.
    /// </summary>
    private static Hostile Game(string op, Action<Fields>? edit = null, Action<Fields>? after = null,
        Action<List<(string Key, string Value)>>? query = null, string? payKey = null, string? sigPath = null, string? sessionKey = null,
        Expectation? expected = null)
    {
        var path = "/wxa/game/" + op;
        return new Hostile(path, context =>
        {
            var fields = new Fields();
            fields.Str("openid", User.Openid);
            fields.Str("offer_id", MidasDefaults.OfferId);
            fields.Set("ts", context.App.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (op != "queryorderinfo")
            {
                fields.Str("zone_id", "1");
            }
            fields.Set("env", "1");
            switch (op)
            {
                case "pay":
                case "present":
                    fields.Set("amount", op == "pay" ? "10" : "5");
                    fields.Str("bill_no", context.BillNo);
                    break;
                case "cancelpay":
                    fields.Set("amount", "1");
                    fields.Str("bill_no", context.BillNo);
                    fields.Str("pay_bill_no", "HI-NO-SUCH-PAY");
                    break;
                case "queryorderinfo":
                    fields.Str("out_trade_no", "HI-NO-SUCH-ORDER");
                    fields.Set("biz_id", "1");
                    break;
            }
            edit?.Invoke(fields);
            var signed = Encoding.UTF8.GetBytes(fields.ToJson().Replace("{token}", context.Token, StringComparison.Ordinal));
            after?.Invoke(fields);
            var body = after is null ? signed : Encoding.UTF8.GetBytes(fields.ToJson());
            return Task.FromResult(GamePost(context, path, signed, body, query, payKey, sigPath, sessionKey, chunked: false));
        }, expected ?? WeChat(0, "ok"));
    }

    /// <summary>A 2.0 call whose body is <paramref name="body"/> as given, rightly signed, so that only the body is wrong.</summary>
    private static Hostile GameRaw(string op, string body, Expectation expected, bool chunked = false) =>
        GameRawBytes(op, Encoding.UTF8.GetBytes(body), expected, chunked);

    private static Hostile GameRawBytes(string op, byte[] body, Expectation expected, bool chunked = false) =>
        new("/wxa/game/" + op, context => Task.FromResult(GamePost(context, "/wxa/game/" + op, body, body, null, null, null, null, chunked)), expected);

    private static HttpRequestMessage GamePost(Context context, string path, byte[] signed, byte[] body, Action<List<(string Key, string Value)>>? query,
        string? payKey, string? sigPath, string? sessionKey, bool chunked)
    {
        var parameters = new List<(string Key, string Value)>
        {
            ("access_token", context.Token),
            ("signature", MidasGamePaySigner.Signature(sessionKey ?? User.SessionKey, signed)),
            ("sig_method", "hmac_sha256"),
            ("pay_sig", MidasGamePaySigner.PaySig(payKey ?? MidasDefaults.SandboxKey, sigPath ?? path, signed)),
        };
        query?.Invoke(parameters);
        var text = string.Join("&", parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        return new HttpRequestMessage(HttpMethod.Post, $"{path}?{text}") { Content = Body(body, "application/json", chunked) };
    }

    private static Hostile Raw(string op, bool production, string body, Expectation expected, string contentType = "application/json", bool chunked = false) =>
        RawBytes(op, Encoding.UTF8.GetBytes(body), expected, production, contentType, chunked);

    private static Hostile RawBytes(string op, byte[] body, Expectation expected, bool production = false, string? contentType = "application/json",
        bool chunked = false)
    {
        var path = production ? $"/cgi-bin/midas/{op}" : $"/cgi-bin/midas/sandbox/{op}";
        return new Hostile(path, context => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, $"{path}?access_token={context.Token}")
        {
            Content = Body(body, contentType, chunked),
        }), expected);
    }

    private static Hostile Plain(string method, string pathAndQuery, Expectation expected) =>
        new(pathAndQuery, context => Task.FromResult(new HttpRequestMessage(new HttpMethod(method),
            pathAndQuery.Replace("{token}", context.Token, StringComparison.Ordinal))), expected);

    /// <summary>A jscode2session call with a live login code for <see cref="LoginOpenid"/> (already redeemed once if asked).</summary>
    private static Hostile Login(Func<string, string> pathAndQuery, Expectation expected, bool redeemFirst = false) =>
        new("/sns/jscode2session", async context =>
        {
            using var issued = await context.Http.PostAsync("/admin/login-codes",
                new StringContent($"{{\"openid\":\"{LoginOpenid}\"}}", Encoding.UTF8, "application/json"));
            var code = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()!;
            if (redeemFirst)
            {
                var first = await context.Http.GetStringAsync(
                    $"/sns/jscode2session?grant_type=authorization_code&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}");
                Assert.Contains("session_key", first, StringComparison.Ordinal);
            }
            return new HttpRequestMessage(HttpMethod.Get, pathAndQuery(code));
        }, expected);

    private static Hostile Admin(string method, string pathAndQuery, string? body, int status, string says, string contentType = "application/json",
        bool chunked = false) =>
        AdminBytes(method, pathAndQuery, body is null ? null : Encoding.UTF8.GetBytes(body), status, says, contentType, chunked);

    private static Hostile AdminBytes(string method, string pathAndQuery, byte[]? body, int status, string says, string contentType = "application/json",
        bool chunked = false) =>
        new(pathAndQuery, _ => Task.FromResult(new HttpRequestMessage(new HttpMethod(method), pathAndQuery)
        {
            Content = body is null ? null : Body(body, contentType, chunked),
        }), new Expectation(false, status, says));

    private static HttpContent Body(byte[] body, string? contentType, bool chunked)
    {
        // StreamContent without a length goes out chunked: the size limit must hold without a Content-Length too.
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }
        return content;
    }

    /// <summary>A body's fields in order, as raw JSON values: a key may appear twice, and numbers keep their exact text.</summary>
    public sealed class Fields
    {
        private readonly List<(string Key, string Json)> _fields = [];

        public void Set(string key, string json)
        {
            var at = _fields.FindIndex(f => f.Key == key);
            if (at < 0)
            {
                _fields.Add((key, json));
            }
            else
            {
                _fields[at] = (key, json);
            }
        }

        public void Str(string key, string value) => Set(key, JsonSerializer.Serialize(value));

        public void Add(string key, string json) => _fields.Add((key, json));

        public void Remove(string key) => _fields.RemoveAll(f => f.Key == key);

        public string Raw(string key) => _fields.First(f => f.Key == key).Json;

        /// <summary>The text each field is signed with (docs/wechat-api.md §3.5): strings as sent, other values as written.</summary>
        public Dictionary<string, string> SignedText(bool includePad)
        {
            var text = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, json) in _fields)
            {
                if (key is "sig" or "mp_sig" || (key == "pad" && !includePad) || text.ContainsKey(key) || json == "null")
                {
                    continue;
                }
                text[key] = json.StartsWith('"') ? Unquote(json) : json;
            }
            return text;
        }

        public string ToJson() => "{" + string.Join(",", _fields.Select(f => JsonSerializer.Serialize(f.Key) + ":" + f.Json)) + "}";

        private static string Unquote(string json)
        {
            try
            {
                return JsonSerializer.Deserialize<string>(json)!;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return json;
            }
        }
    }
}
