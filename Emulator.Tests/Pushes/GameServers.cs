using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using GameBackend.Push;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MidasEmulator.Tests.Pushes;

/// <summary>The push receivers the end-to-end tests run on real loopback sockets.</summary>
internal static class GameServers
{
    public const string Token = "gameToken42";
    public const string EncodingAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    public const string PushPath = "/wechat/push";

    /// <summary>The sample receiver (samples/GameBackend/WeChatPush.cs) for the default app: verifies, decrypts, delivers once.</summary>
    public static Task<GameServer<Deliveries>> StartSampleAsync() =>
        StartAsync(services =>
        {
            services.Configure<WeChatPushOptions>(o =>
            {
                o.Token = Token;
                o.EncodingAesKey = EncodingAesKey;
                o.Appid = MidasDefaults.Appid;
                o.AppKey = MidasDefaults.ProductionKey;
                o.SandboxAppKey = MidasDefaults.SandboxKey;
            });
            services.AddSingleton<Deliveries>();
        }, app => app.MapWeChatPush(PushPath), sp => sp.GetRequiredService<Deliveries>());

    /// <summary>A handler that answers as <paramref name="answer"/> says (the attempt's number from 1): to test retries.</summary>
    public static Task<GameServer<ScriptedAnswers>> StartScriptedAsync(Func<int, Answer> answer) => StartScriptedAsync((n, _) => answer(n));

    /// <summary>A handler that answers as <paramref name="answer"/> says from the attempt's number and the body it got.</summary>
    public static Task<GameServer<ScriptedAnswers>> StartScriptedAsync(Func<int, string, Answer> answer)
    {
        var script = new ScriptedAnswers(answer);
        return StartAsync(services => services.AddSingleton(script), app =>
        {
            app.MapGet(PushPath, (HttpRequest request) => Results.Text(request.Query["echostr"].ToString()));
            app.MapPost(PushPath, async (HttpRequest request) =>
            {
                var body = await new StreamReader(request.Body).ReadToEndAsync();
                var reply = script.Next(request.QueryString.Value ?? "", body);
                if (reply.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(reply.Delay);
                }
                return Results.Text(reply.Body, reply.ContentType, statusCode: reply.Status);
            });
        }, _ => script);
    }

    /// <summary>A naive game server: no checks, and it hands out on every push (an item per goods push, takes it back per refund).</summary>
    public static Task<GameServer<NaiveGame>> StartNaiveAsync()
    {
        var game = new NaiveGame();
        return StartAsync(_ => { }, app =>
        {
            app.MapGet(PushPath, (HttpRequest request) => Results.Text(request.Query["echostr"].ToString()));
            app.MapPost(PushPath, async (HttpRequest request) =>
            {
                var envelope = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
                var payload = JsonNode.Parse(envelope["MiniGame"]!["Payload"]!.GetValue<string>())!;
                game.Handle(envelope["Event"]!.GetValue<string>(), payload["OutTradeNo"]!.GetValue<string>());
                return Results.Text(WeChatPushEndpoints.SuccessAnswer, "application/json");
            });
        }, _ => game);
    }

    private static async Task<GameServer<T>> StartAsync<T>(Action<IServiceCollection> services, Action<WebApplication> map, Func<IServiceProvider, T> state)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GameServer<T>(app, new Uri(new Uri(address), PushPath), state(app.Services));
    }
}

/// <summary>A receiver on a real socket: its callback URL and what it saw.</summary>
internal sealed class GameServer<T>(WebApplication app, Uri url, T state) : IAsyncDisposable
{
    public Uri Url { get; } = url;

    public T State { get; } = state;

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>One scripted answer: the HTTP status, the body, and how long to wait before it.</summary>
internal sealed record Answer(int Status, string Body, TimeSpan Delay = default, string ContentType = "application/json")
{
    public static readonly Answer Success = new(200, WeChatPushEndpoints.SuccessAnswer);
}

/// <summary>The scripted receiver's answers and what it was sent.</summary>
internal sealed class ScriptedAnswers(Func<int, string, Answer> answer)
{
    private readonly ConcurrentQueue<(string Query, string Body)> _received = new();
    private int _count;

    public IReadOnlyList<(string Query, string Body)> Received => [.. _received];

    public Answer Next(string query, string body)
    {
        _received.Enqueue((query, body));
        return answer(Interlocked.Increment(ref _count), body);
    }
}

/// <summary>A game that trusts every push: each goods push hands out an item, each refund push takes one back if it is there.</summary>
internal sealed class NaiveGame
{
    private readonly Lock _gate = new();
    private readonly List<string> _items = [];

    private readonly List<string> _deliveries = [];

    /// <summary>How many times it handed out for this order: more than once is the bug a duplicate push finds.</summary>
    public int DeliveriesOf(string outTradeNo)
    {
        lock (_gate)
        {
            return _deliveries.Count(d => d == outTradeNo);
        }
    }

    public IReadOnlyList<string> ItemsHeld
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    private readonly List<string> _arrivals = [];

    /// <summary>What reached it, in order: the push events, and "order query" for a delivery from the game's own query.</summary>
    public IReadOnlyList<string> Arrivals
    {
        get
        {
            lock (_gate)
            {
                return [.. _arrivals];
            }
        }
    }

    public void Handle(string eventName, string outTradeNo)
    {
        lock (_gate)
        {
            _arrivals.Add(eventName);
            if (eventName == "minigame_pay_refund_succ_notify")
            {
                _items.Remove(outTradeNo);
                return;
            }
            _deliveries.Add(outTradeNo);
            _items.Add(outTradeNo);
        }
    }
}
