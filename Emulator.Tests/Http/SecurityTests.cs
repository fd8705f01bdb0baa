using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MidasEmulator.Journal;
using MidasEmulator.Logging;
using MidasEmulator.Signing;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>
/// The admin token guards every /admin route, secrets stay out of logs, the journal and admin replies, signatures
/// are compared in constant time, and neither a request body nor the journal can grow without bound.
/// </summary>
public sealed class SecurityTests
{
    private const string AdminToken = "adm1n-t0ken-for-the-security-tests";

    private static readonly MidasPlayer User = MidasDefaults.DocPlayer;

    // --- the admin token ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task AdminToken_EveryRegisteredAdminRoute_Answers401WithoutOrWithAWrongToken_AndServesTheRightOne()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:AdminToken"] = AdminToken });
        var routes = AdminRoutes(app);
        using var http = app.CreateClient();

        // Enumerated from the running app, so a route added later is covered without editing this test.
        Assert.True(routes.Count >= 18, $"only {routes.Count} admin routes: {string.Join(", ", routes)}");
        foreach (var (method, path) in routes)
        {
            foreach (var (label, authorization) in new (string, AuthenticationHeaderValue?)[]
            {
                ("no token", null),
                ("a wrong token", new("Bearer", "wrong-token")),
                ("the token in another case", new("Bearer", AdminToken.ToUpperInvariant())),
                ("the token's prefix", new("Bearer", AdminToken[..^1])),
                ("the token with a suffix", new("Bearer", AdminToken + "x")),
                ("the token as Basic", new("Basic", AdminToken)),
                ("an empty Bearer", new("Bearer", "")),
            })
            {
                using var refused = await SendAsync(http, method, path, authorization);
                var text = await refused.Content.ReadAsStringAsync();
                Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {label}: HTTP {(int)refused.StatusCode} {text}");
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.DoesNotContain(AdminToken, text, StringComparison.OrdinalIgnoreCase);
            }
            using var served = await SendAsync(http, method, path, new("Bearer", AdminToken));
            Assert.True(served.StatusCode is not HttpStatusCode.Unauthorized && (int)served.StatusCode < 500,
                $"{method} {path} with the token: HTTP {(int)served.StatusCode} {await served.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task AdminToken_IsNotNeededOnTheWeChatSurfaceOrTheApiReference()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:AdminToken"] = AdminToken });
        using var http = app.CreateClient();
        var routes = Routes(app).Where(r => !r.Path.StartsWith("/admin", StringComparison.Ordinal)).ToList();

        Assert.Contains(routes, r => r.Path == "/cgi-bin/midas/sandbox/pay");
        foreach (var (method, path) in routes)
        {
            using var response = await SendAsync(http, method, path, authorization: null);
            Assert.True(response.StatusCode != HttpStatusCode.Unauthorized && (int)response.StatusCode < 500,
                $"{method} {path}: HTTP {(int)response.StatusCode}");
        }
        // And a real signed call goes through with no admin token at all.
        WireAssert.Ok(await app.CreateGameBackend().PayAsync(User, "SEC-NO-ADMIN-TOKEN", 1));
    }

    private static List<(string Method, string Path)> AdminRoutes(EmulatorApp app) =>
        Routes(app).Where(r => r.Path.StartsWith("/admin", StringComparison.Ordinal)).ToList();

    private static List<(string Method, string Path)> Routes(EmulatorApp app)
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // A concrete path for each pattern: route parameters get plausible values.
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "openid" } => User.Openid,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.IsCatchAll ? "index.html" : "f1",
                _ => "",
            }))));
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                routes.Add((method, path));
            }
        }
        return routes;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = authorization;
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        return await http.SendAsync(request);
    }

    // --- secrets -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Secrets_AfterTrafficFullOfThem_NeverAppearInTheConsoleLog()
    {
        using var run = await SecretsTraffic.RunAsync();

        var log = run.Console.Text();

        Assert.Contains("pay env=sandbox", log, StringComparison.Ordinal);
        Assert.Contains("dbug: Microsoft.AspNetCore.Routing", log, StringComparison.Ordinal); // the verbose levels did take effect
        SecretsTraffic.AssertNoneIn(run.Secrets, log, "the console log");
    }

    [Fact]
    public async Task Secrets_AfterTrafficFullOfThem_NeverAppearInTheJournal()
    {
        using var run = await SecretsTraffic.RunAsync();

        var shown = await SecretsTraffic.ReadAsync(run.Http, "/admin/requests?limit=10000", "/admin/requests?endpoint=token");

        var entries = (await run.Http.GetFromJsonAsync<JsonElement[]>("/admin/requests?limit=10000"))!;
        Assert.Contains(entries, e => e.GetProperty("string_to_sign").GetString() is { } signed && signed.EndsWith("session_key=***", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.GetProperty("body").GetString() is { } body && body.Contains("\"session_key\":\"***\"", StringComparison.Ordinal));
        SecretsTraffic.AssertNoneIn(run.Secrets, shown, "the journal (GET /admin/requests)");
    }

    [Fact]
    public async Task Secrets_AfterTrafficFullOfThem_NeverAppearInAdminRepliesThatDidNotRegisterThem()
    {
        using var run = await SecretsTraffic.RunAsync();

        // Every other admin read, except the calls whose caller registered or was issued the secret.
        var shown = await SecretsTraffic.ReadAsync(run.Http, "/admin/orders?limit=10000", $"/admin/accounts/{SecretsTraffic.Player}?appid={MidasDefaults.Appid}",
            "/admin/faults", "/admin/health", "/admin/clock", "/admin/orders?colour=red");

        Assert.Contains(SecretsTraffic.Player, shown, StringComparison.Ordinal); // the replies were read, not empty
        SecretsTraffic.AssertNoneIn(run.Secrets, shown, "an admin reply");
    }

    /// <summary>
    /// The traffic the three secrets tests share: a second app registered over admin, a player logged in through
    /// jscode2session, good calls, refused signatures (the journal keeps their string-to-sign), credentials in bodies and
    /// in queries, in other cases and percent-encoded, and a fault; with every log level at its most verbose.
    /// </summary>
    private sealed class SecretsTraffic : IDisposable
    {
        public const string Player = "oSecurityTestPlayer0000000001";

        private readonly EmulatorApp _app = new(VerboseLogging);

        private SecretsTraffic()
        {
            Console = new ConsoleCapture(_app);
            Http = Console.Factory.CreateClient();
        }

        public ConsoleCapture Console { get; }

        public HttpClient Http { get; }

        /// <summary>The default app's secret, AppKeys and access tokens, the second app's, and both players' session_keys.</summary>
        public List<string> Secrets { get; } = [];

        public static async Task<SecretsTraffic> RunAsync()
        {
            var run = new SecretsTraffic();
            try
            {
                await run.SendAsync();
                return run;
            }
            catch
            {
                run.Dispose();
                throw;
            }
        }

        public static async Task<string> ReadAsync(HttpClient http, params string[] paths)
        {
            var shown = new StringBuilder();
            foreach (var path in paths)
            {
                using var response = await http.GetAsync(path);
                Assert.True((int)response.StatusCode < 500, path);
                shown.AppendLine(await response.Content.ReadAsStringAsync());
            }
            return shown.ToString();
        }

        public static void AssertNoneIn(List<string> secrets, string channel, string name)
        {
            Assert.True(secrets.Count >= 10, $"only {secrets.Count} secrets");
            foreach (var secret in secrets)
            {
                Assert.False(channel.Contains(secret, StringComparison.Ordinal), $"{name} holds {secret}");
                Assert.False(channel.Contains(JsonEncodedText.Encode(secret).ToString(), StringComparison.Ordinal), $"{name} holds {secret}, JSON-escaped");
            }
        }

        private async Task SendAsync()
        {
            var http = Http;
            var backend = new MidasGameClient(Console.Factory.CreateClient(), clock: _app.Clock);
            Secrets.AddRange([MidasDefaults.Secret, MidasDefaults.SandboxKey, MidasDefaults.ProductionKey, User.SessionKey]);
            Secrets.Add(await backend.AccessTokenAsync());

            // A second app, registered by the admin caller: its secrets may show in /admin/apps only.
            const string OtherSecret = "other-app-secret-0123456789abcdef";
            const string OtherKey = "other-app-production-key-0123456789";
            const string OtherSandboxKey = "other-app-sandbox-key-0123456789ab";
            Secrets.AddRange([OtherSecret, OtherKey, OtherSandboxKey]);
            using (var registered = await http.PostAsJsonAsync("/admin/apps",
                new { appid = "wxsecurity", secret = OtherSecret, offer_id = "777", app_key = OtherKey, sandbox_app_key = OtherSandboxKey }))
            {
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }
            var otherToken = (await http.GetFromJsonAsync<JsonElement>($"/cgi-bin/token?grant_type=client_credential&appid=wxsecurity&secret={OtherSecret}"))
                .GetProperty("access_token").GetString()!;
            Secrets.Add(otherToken);

            // A player logs in through jscode2session: a session_key only the backend may see.
            var code = (await (await http.PostAsJsonAsync("/admin/login-codes", new { appid = MidasDefaults.Appid, openid = Player }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
            var login = await http.GetFromJsonAsync<JsonElement>(
                $"/sns/jscode2session?appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}&js_code={code}&grant_type=authorization_code");
            var player = new MidasPlayer(Player, login.GetProperty("session_key").GetString()!);
            Secrets.Add(player.SessionKey);

            // Traffic: good calls, refused signatures (the journal keeps their string-to-sign), credentials in bodies
            // (as real game code has sent them), and credentials in queries of refused auth calls.
            using (var funded = await http.PutAsJsonAsync($"/admin/accounts/{Player}", new { balance = 100, appid = MidasDefaults.Appid }))
            {
                funded.EnsureSuccessStatusCode();
            }
            WireAssert.Ok(await backend.PayAsync(player, "SEC-1", 5));
            WireAssert.Code(90011, await backend.CallAsync("pay", player, new() { ["amt"] = 5L, ["bill_no"] = "SEC-2" }, appKey: MidasDefaults.ProductionKey));
            WireAssert.Code(90011, await backend.CallAsync("getbalance", User, [], sandbox: false, appKey: MidasDefaults.SandboxKey));
            WireAssert.Code(90009, await backend.CallAsync("getbalance", player, [], sessionKey: User.SessionKey));
            WireAssert.Code(90009, await backend.CallAsync("present", User, new() { ["bill_no"] = "SEC-3", ["present_counts"] = 1L }, sessionKey: player.SessionKey));
            WireAssert.Ok(await backend.CallAsync("getbalance", User, [], tamper: body => body["session_key"] = User.SessionKey));
            WireAssert.Code(90011, await backend.CallAsync("getbalance", User, [], tamper: body =>
            {
                body["app_key"] = MidasDefaults.SandboxKey;
                body["nested"] = new System.Text.Json.Nodes.JsonObject { ["secret"] = MidasDefaults.Secret };
                body["sig"] = "0" + body["sig"]!.GetValue<string>()[1..];
            }));
            var token = await backend.AccessTokenAsync();
            await backend.PostRawAsync($"/cgi-bin/midas/sandbox/getbalance?access_token={token}",
                $"{{\"session_key\":\"{User.SessionKey}\",\"session_key\":\"{player.SessionKey}\",\"access_token\":\"{token}\"}}");
            // A body the journal cuts inside a session_key value, and one whose session_key lies beyond the cut.
            var padTo = RequestJournal.MaxBodyBytes - "{\"pad\":\"\",\"session_key\":\"V7Q38".Length;
            await backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}",
                $"{{\"pad\":\"{new string('x', padTo)}\",\"session_key\":\"{User.SessionKey}\"}}");
            await backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}",
                $"{{\"pad\":\"{new string('x', 5000)}\",\"session_key\":\"{User.SessionKey}\"}}");
            await backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}",
                $"session_key={Uri.EscapeDataString(User.SessionKey)}&secret={MidasDefaults.Secret}&amt=1", "application/x-www-form-urlencoded");
            // Names in another case or percent-encoded: ASP.NET reads both as secret, so the journal must hide both.
            await http.GetStringAsync($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&SECRET={MidasDefaults.Secret}");
            await http.GetStringAsync($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&%73ecret={MidasDefaults.Secret}");
            await backend.PostRawAsync($"/cgi-bin/midas/sandbox/getbalance?ACCESS_TOKEN={token}",
                $"{{\"session_key\":[\"{User.SessionKey}\",\"{player.SessionKey}\"],\"secre\\u0074\":\"{MidasDefaults.Secret}\",\"App_Key\":\"{MidasDefaults.SandboxKey}\"}}");
            await http.GetStringAsync($"/cgi-bin/token?grant_type=client_credential&appid={MidasDefaults.Appid}&secret={MidasDefaults.SandboxKey}");
            await http.GetStringAsync($"/cgi-bin/token?grant_type=nope&appid={MidasDefaults.Appid}&secret={MidasDefaults.Secret}");
            await http.GetStringAsync($"/sns/jscode2session?appid=wxsecurity&secret={OtherSecret}&js_code=nope&grant_type=authorization_code");
            await http.GetStringAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}");
            using (await http.PostAsJsonAsync("/admin/faults", new { endpoint = "getbalance", times = 1 }))
            {
            }
            WireAssert.Code(-1, await backend.GetBalanceAsync(User));
        }

        public void Dispose()
        {
            Http.Dispose();
            Console.Dispose();
            _app.Dispose();
        }
    }

    [Fact]
    public async Task ConsoleLog_OpenidOrBillNoWithControlCharacters_NeverReachesTheLogLine()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Logging:LogLevel:MidasEmulator.Calls"] = "Information" });
        using var console = new ConsoleCapture(app);
        var backend = new MidasGameClient(console.Factory.CreateClient(), clock: app.Clock);

        WireAssert.Code(90018, await backend.CallAsync("getbalance", User, [], tamper: body => body["openid"] = "o\r\u001b[2J\u001b[31mforged"));
        WireAssert.Code(90018, await backend.CallAsync("pay", User, new() { ["amt"] = 1L, ["bill_no"] = "B\r\u001b]0;title\u0007" }));
        WireAssert.Code(90018, await backend.CallAsync("getbalance", User, [], tamper: body => body["openid"] = new string('o', 60_000)));

        var log = console.Text();
        Assert.Equal(3, log.Split('\n').Count(line => line.Contains("MidasEmulator.Calls", StringComparison.Ordinal) && line.Contains("errcode=90018", StringComparison.Ordinal)));
        Assert.DoesNotContain('\r', log);
        Assert.DoesNotContain('\u001b', log);
        Assert.True(log.Length < 10_000, $"the log holds {log.Length} characters");
    }

    private static readonly Dictionary<string, string?> VerboseLogging = new()
    {
        // More verbose than anyone runs it, ASP.NET's own categories included.
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    };

    /// <summary>The emulator's own console logger and formatter, writing to memory instead of the process's stdout.</summary>
    private sealed class ConsoleCapture : IDisposable
    {
        private readonly MemoryStream _stdout = new();
        private readonly MemoryStream _stderr = new();
        private BatchedConsoleLoggerProvider? _console;

        public ConsoleCapture(EmulatorApp app) =>
            Factory = app.WithServices(services =>
            {
                services.RemoveAll<ILoggerProvider>();
                services.AddSingleton<ILoggerProvider>(sp => _console = new BatchedConsoleLoggerProvider(
                    sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), sp.GetServices<ConsoleFormatter>(), _stdout, _stderr));
            });

        public EmulatorApp Factory { get; }

        public string Text()
        {
            _console?.Flush();
            return Encoding.UTF8.GetString(_stdout.ToArray()) + Encoding.UTF8.GetString(_stderr.ToArray());
        }

        public void Dispose()
        {
            Factory.Dispose();
            _stdout.Dispose();
            _stderr.Dispose();
        }
    }

    // --- constant-time comparison ------------------------------------------------------------------------------------
    // Secrets are compared in Emulator/Signing/ and Emulator/Auth/ with CryptographicOperations.FixedTimeEquals only. The
    // build enforces it there: Emulator/BannedSymbols.txt bans the early-exit comparisons (RS0030, an error in those
    // folders by .editorconfig). RS0030 does not see == and != on strings nor string constant patterns (Roslyn binds
    // them as built-in operators, dotnet/roslyn-analyzers#6622): the scan below finds those in the same folders.

    private static readonly string[] SecretFolders = ["Emulator/Signing", "Emulator/Auth"];

    [Fact]
    public void BannedSymbols_ListsTheEarlyExitComparisons_AndIsAnErrorInTheSecretFoldersOnly()
    {
        var root = PublishedEmulator.RepositoryRoot();
        var banned = File.ReadAllLines(Path.Combine(root, "Emulator", "BannedSymbols.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToList();
        var project = File.ReadAllText(Path.Combine(root, "Emulator", "Emulator.csproj"));
        var editorconfig = File.ReadAllText(Path.Combine(root, ".editorconfig"));

        foreach (var id in new[] { "M:System.String.op_Equality(System.String,System.String)", "M:System.String.Equals(System.String,System.String)",
            "M:System.String.Equals(System.String)", "M:System.String.CompareOrdinal(System.String,System.String)",
            "M:System.MemoryExtensions.SequenceEqual``1(System.ReadOnlySpan{``0},System.ReadOnlySpan{``0})",
            "M:System.Linq.Enumerable.SequenceEqual``1(System.Collections.Generic.IEnumerable{``0},System.Collections.Generic.IEnumerable{``0})" })
        {
            Assert.Contains(banned, l => l.StartsWith(id + ";", StringComparison.Ordinal));
        }
        Assert.All(banned, l => Assert.Contains("CryptographicOperations.FixedTimeEquals", l, StringComparison.Ordinal));
        Assert.Contains("<AdditionalFiles Include=\"BannedSymbols.txt\" />", project, StringComparison.Ordinal);
        Assert.Contains("Include=\"Microsoft.CodeAnalysis.BannedApiAnalyzers\"", project, StringComparison.Ordinal);
        // Off in [*.cs], an error in the section of the two folders (whatever its comments say).
        var sections = editorconfig.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n[");
        Assert.Contains(sections, s => s.StartsWith("*.cs]\n", StringComparison.Ordinal) && s.Contains("\ndotnet_diagnostic.RS0030.severity = none\n", StringComparison.Ordinal));
        Assert.Contains(sections, s => s.StartsWith("Emulator/{Signing,Auth}/**.cs]\n", StringComparison.Ordinal)
            && s.Contains("\ndotnet_diagnostic.RS0030.severity = error\n", StringComparison.Ordinal));
    }

    [Fact]
    public void SecretFolders_CompareNoStringWithAnOperatorOrAPattern_OutsideAnExplainedPragma()
    {
        var root = PublishedEmulator.RepositoryRoot();
        var files = SecretFolders.SelectMany(f => Directory.GetFiles(Path.Combine(root, f), "*.cs", SearchOption.AllDirectories))
            .Select(path => (Path.GetRelativePath(root, path), File.ReadAllText(path))).ToList();

        Assert.True(files.Count >= 5, $"only {files.Count} files in {string.Join(", ", SecretFolders)}");
        var found = StringComparisonScan.Find(files);
        Assert.True(found.Count == 0, "early-exit string comparisons where secrets are compared (use CryptographicOperations.FixedTimeEquals, "
            + "or #pragma warning disable RS0030 // not a secret: …):\n" + string.Join('\n', found));
    }

    [Fact]
    public void StringComparisonScan_FindsOperatorsAndPatternsOnStringsAndWhatDoesNotBind_ButNotNullChecksOtherTypesOrExplainedPragmas()
    {
        const string Source = """
            namespace Probe;
            public static class Compare
            {
                public static bool A(string a, string b) => a == b;
                public static bool B(string a, string? b) => a != b;
                public static bool C(string a) => a is "x";
                public static int D(string a) { switch (a) { case "y": return 1; default: return 0; } }
                public static int E(string a) => a switch { "z" => 1, _ => 0 };
                public static bool Fine(string? a, int n, char c) => a == null || a is null || a is not null || n == 64 || c == ' ' || a?.Length != 3;
            #pragma warning disable RS0030 // not a secret: the probe's own exemption
                public static bool Exempt(string a, string b) => a == b;
            #pragma warning restore RS0030
                public static bool AfterRestore(string a, string b) => a == b;
                public static bool Unbound(Missing a, object b) => a == b;
            }
            """;

        var found = StringComparisonScan.Find([("Probe.cs", Source)]);

        Assert.Equal(["Probe.cs:4", "Probe.cs:5", "Probe.cs:6", "Probe.cs:7", "Probe.cs:8", "Probe.cs:13", "Probe.cs:14"], found.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }

    [Fact]
    public void SignatureVerifier_RejectsEveryAlteredHexDigit_AndAcceptsEitherCase()
    {
        const string Key = MidasDefaults.ProductionKey;
        const string Message = "appid=wx1234567&org_loc=/cgi-bin/midas/pay&method=POST&secret=" + Key;
        var sig = MidasSignature.ComputeHex(Key, Message);

        Assert.True(MidasSignature.Verify(Key, Message, sig));
        Assert.True(MidasSignature.Verify(Key, Message, sig.ToUpperInvariant()));
        for (var i = 0; i < sig.Length; i++)
        {
            var altered = sig[..i] + (sig[i] == '0' ? '1' : '0') + sig[(i + 1)..];
            Assert.False(MidasSignature.Verify(Key, Message, altered), $"digit {i}");
        }
        foreach (var wrong in new[] { "", sig[..^1], sig + "0", sig[..^2] + "zz", new string('0', 64), sig + sig })
        {
            Assert.False(MidasSignature.Verify(Key, Message, wrong), wrong);
        }
    }

    // --- bounded request bodies and journal --------------------------------------------------------------------------

    [Theory]
    [InlineData("/cgi-bin/midas/sandbox/pay", "\"errcode\":90018")]
    [InlineData("/admin/apps", "\"status\":400")]
    public async Task HundredMegabyteChunkedBody_IsRefusedEarly_NotBufferedWhole(string path, string refusal)
    {
        using var app = KestrelEmulatorApp.Start();
        var token = path.StartsWith("/cgi-bin", StringComparison.Ordinal) ? await new MidasGameClient(app.CreateClient(), clock: app.Clock).AccessTokenAsync() : "";
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, app.BaseAddress.Port);
        var stream = socket.GetStream();
        var head = $"POST {path}{(token.Length > 0 ? "?access_token=" + token : "")} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Send up to 100 MB in 64 KB chunks while the reply is read; stop as soon as it has come.
        const long Total = 100L * 1024 * 1024;
        using var replied = new CancellationTokenSource();
        long sent = 0;
        var sending = Task.Run(async () =>
        {
            var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n").Concat(Enumerable.Repeat((byte)' ', 64 * 1024)).Concat("\r\n"u8.ToArray()).ToArray();
            chunk[chunk.Length - (64 * 1024) - 2] = (byte)'{';
            try
            {
                while (sent < Total && !replied.IsCancellationRequested)
                {
                    await stream.WriteAsync(chunk, replied.Token);
                    Interlocked.Add(ref sent, 64 * 1024);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The server closed the connection, or the reply came: either way, stop sending.
            }
        });
        var reply = await ReadReplyAsync(stream, TimeSpan.FromSeconds(20));
        var sentWhenReplied = Interlocked.Read(ref sent);
        await replied.CancelAsync();
        socket.Close();
        await sending;

        Assert.Contains(refusal, reply, StringComparison.Ordinal);
        Assert.Contains("larger than 65536 bytes", reply, StringComparison.Ordinal);
        // The reply came long before the body ended: the emulator stopped reading at its limit.
        Assert.True(sentWhenReplied < 16L * 1024 * 1024, $"{sentWhenReplied} bytes were sent before the reply");
    }

    private static async Task<string> ReadReplyAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (!deadline.IsCancellationRequested)
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                break;
            }
            received.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(received.ToArray());
            // A chunked reply ends with its last chunk; a reply with a Content-Length once that many bytes came.
            var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (split > 0 && (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)
                || (ContentLength(text[..split]) is { } length && Encoding.UTF8.GetByteCount(text[(split + 4)..]) >= length)))
            {
                return text;
            }
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static int? ContentLength(string head) =>
        head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    [Fact]
    public async Task Journal_HoldsAtMostJournalSizeEntries_EachKeepingAtMost4KBOfItsBody()
    {
        using var app = new EmulatorApp(new Dictionary<string, string?> { ["Midas:JournalSize"] = "5" });
        var backend = app.CreateGameBackend();
        using var admin = app.CreateClient();
        var token = await backend.AccessTokenAsync();
        var big = $"{{\"pad\":\"{new string('x', 60_000)}\"}}";
        for (var i = 0; i < 12; i++)
        {
            WireAssert.Code(90018, await backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}", big));
        }

        var shown = (await admin.GetFromJsonAsync<JsonElement[]>("/admin/requests?limit=10000"))!;
        var kept = app.Services.GetRequiredService<RequestJournal>().Find(new JournalQuery(null, null, null, null, 10_000));

        Assert.Equal(5, shown.Length);
        Assert.Equal(5, kept.Count);
        Assert.All(kept, e => Assert.Equal(RequestJournal.MaxBodyBytes, e.Body!.Length));
        Assert.All(kept, e => Assert.Equal(big.Length, e.BodyBytes));
        Assert.All(shown, e => Assert.EndsWith($"…[{big.Length} bytes; the journal keeps the first {RequestJournal.MaxBodyBytes}]",
            e.GetProperty("body").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Journal_BodyWithAKeyTwice_IsShownWithItsCredentialsHidden_NotA500()
    {
        using var app = new EmulatorApp();
        var backend = app.CreateGameBackend();
        using var admin = app.CreateClient();
        var token = await backend.AccessTokenAsync();

        WireAssert.Code(90018, await backend.PostRawAsync($"/cgi-bin/midas/sandbox/pay?access_token={token}",
            $"{{\"amt\":1,\"amt\":2,\"session_key\":\"{User.SessionKey}\",\"session_key\":\"{User.SessionKey}\"}}"));
        using var response = await admin.GetAsync("/admin/requests");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonElement[]>())![0].GetProperty("body").GetString();
        Assert.Equal("{\"amt\":1,\"amt\":2,\"session_key\":\"***\",\"session_key\":\"***\"}", body);
    }
}
