using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MidasEmulator.Logging;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Http;

/// <summary>One log entry per WeChat-surface call, with its fields, and no credential in any log entry.</summary>
public sealed class CallLogTests : IDisposable
{
    private readonly CapturedLog _log = new();
    private readonly EmulatorApp _logged;

    public CallLogTests() =>
        _logged = new EmulatorApp(new Dictionary<string, string?> { ["Logging:LogLevel:MidasEmulator.Calls"] = "Information" },
            services => services.AddSingleton<ILoggerProvider>(_log));

    public void Dispose() => _logged.Dispose();

    [Fact]
    public async Task EachCall_WritesOneEntryWithItsFields_AndNoCredentialAnywhere()
    {
        var backend = new MidasGameClient(_logged.CreateClient(), clock: _logged.Clock);
        var token = await backend.AccessTokenAsync();

        WireAssert.Ok(await backend.PayAsync(MidasDefaults.DocPlayer, "LOG-1", 5));
        WireAssert.Code(90011, await backend.CallAsync("getbalance", MidasDefaults.DocPlayer, [], appKey: "wrong-key"));
        WireAssert.Code(90009, await backend.CallAsync("getbalance", MidasDefaults.DocPlayer, [], sessionKey: "d3Jvbmcgc2Vzc2lvbiBrZXk="));

        var calls = _log.Entries.Where(e => e.Category == LogCategories.Calls).ToList();
        Assert.Equal(["token", "pay", "getbalance", "getbalance"], calls.Select(c => c.State["Endpoint"]));
        var pay = calls[1].State;
        Assert.Equal(MidasDefaults.DocPlayer.Openid, pay["Openid"]);
        Assert.Equal("LOG-1", pay["BillNo"]);
        Assert.Equal(0, pay["Errcode"]);
        Assert.Equal("sandbox", pay["Env"]);
        Assert.Equal(90011, calls[2].State["Errcode"]);
        var everything = string.Join('\n', _log.Entries.Select(e => e.Message + string.Join(',', e.State.Values)));
        foreach (var secret in new[] { token, MidasDefaults.Secret, MidasDefaults.SandboxKey, MidasDefaults.ProductionKey, MidasDefaults.DocPlayer.SessionKey })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GamePayCall_LogsItsEndpointAndTheBodysEnv_AndNoCredential()
    {
        var game = new MidasGamePayClient(_logged.CreateClient(), clock: _logged.Clock);
        var token = await game.AccessTokenAsync();

        WireAssert.Ok(await game.PayAsync(MidasDefaults.DocPlayer, "LOG-2", 5));
        WireAssert.Code(90011, await game.PostSignedAsync("getbalance", MidasDefaults.DocPlayer, game.Body(MidasDefaults.DocPlayer, env: 0), env: 0,
            appKey: "wrong-key"));

        var calls = _log.Entries.Where(e => e.Category == LogCategories.Calls).ToList();
        Assert.Equal(["token", "game/pay", "game/getbalance"], calls.Select(c => c.State["Endpoint"]));
        Assert.Equal(("sandbox", "LOG-2", 0), ((string?)calls[1].State["Env"], (string?)calls[1].State["BillNo"], (int?)calls[1].State["Errcode"]));
        Assert.Equal(("production", 90011), ((string?)calls[2].State["Env"], (int?)calls[2].State["Errcode"]));
        var everything = string.Join('\n', _log.Entries.Select(e => e.Message + string.Join(',', e.State.Values)));
        foreach (var secret in new[] { token, MidasDefaults.SandboxKey, MidasDefaults.ProductionKey, MidasDefaults.DocPlayer.SessionKey })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    private sealed record Entry(string Category, string Message, IReadOnlyDictionary<string, object?> State);

    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
                entries.Enqueue(new Entry(category, formatter(state, exception) + exception, fields.ToDictionary(f => f.Key, f => f.Value)));
            }
        }
    }

    [Fact]
    public async Task PushAttempt_WritesOneEntryPerAttempt_WithoutTheTokenOrKeys()
    {
        var admin = _logged.CreateClient().AsAdmin();
        await admin.SetPushReceiverAsync(MidasDefaults.Appid, MidasPushChannels.Events, Pushes.PushDeliveryTests.ClosedPortUrl().ToString(), "logToken42",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", safeMode: true, verify: false);

        var push = await admin.TriggerPushAsync(MidasPushEvents.CoinDeliverCompleted, "o-log");
        await admin.WaitForPushAsync(p => p.Attempts.Count == 1, new() { OutTradeNo = push.OutTradeNo });
        await admin.RetryPushAsync(push.Id);
        await admin.WaitForPushAsync(p => p.Attempts.Count == 2, new() { OutTradeNo = push.OutTradeNo });

        var attempts = _log.Entries.Where(e => e.Category == LogCategories.Calls && e.State.ContainsKey("Outcome")).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("refused", a.State["Outcome"]));
        Assert.All(attempts, a => Assert.Equal(push.Id, a.State["Id"]));
        var everything = string.Join('\n', _log.Entries.Select(e => e.Message + string.Join(',', e.State.Values)));
        foreach (var secret in new[] { "logToken42", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", MidasDefaults.SandboxKey, MidasDefaults.ProductionKey })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }
}
