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
/// A corpus of malformed and hostile requests against every WeChat-surface endpoint and the admin API. Each case
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
            "/admin/accounts", "/admin/orders", "/admin/requests", "/admin/faults", "/admin/clock", "/admin/reset" })
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

        return cases;
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
