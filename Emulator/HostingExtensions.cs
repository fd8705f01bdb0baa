using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Clock;
using MidasEmulator.Faults;
using MidasEmulator.GamePay;
using MidasEmulator.Journal;
using MidasEmulator.Logging;
using MidasEmulator.Endpoints;
using MidasEmulator.Midas;
using MidasEmulator.Pushes;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

namespace MidasEmulator;

public static class HostingExtensions
{
    /// <summary>The emulator's default address; the container sets ASPNETCORE_HTTP_PORTS instead (docs/reference.md §1).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddEmulator(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // The defaults beside the emulator's own files, whatever the working directory (`dotnet /opt/midas/MidasEmulator.dll`
        // from anywhere must not log every request at Information). Lowest priority: appsettings in the content root,
        // environment variables and the command line still override it.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
        });

        // Options: the Midas section, validated at start so a typo stops the process with a sentence.
        services.AddOptions<EmulatorOptions>()
            .BindConfiguration(EmulatorOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Clock: every expiry reads this TimeProvider; /admin/clock moves it (tests replace its source).
        services.AddSingleton(new EmulatorClock(TimeProvider.System));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<EmulatorClock>());

        // Money rules and storage: one LiteDB store, the committed state in memory, the single writer.
        services.AddSingleton(sp => new MoneyRules(sp.GetRequiredService<IOptions<EmulatorOptions>>().Value.ToMoneyRuleSettings()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EmulatorOptions>>().Value;
            return new LiteDbStore(options.Database, options.Durability, sp.GetRequiredService<ILogger<LiteDbStore>>());
        });
        services.AddSingleton<LedgerState>();
        services.AddSingleton<LedgerWriter>();
        services.AddSingleton<IMidasLedger>(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<IAuthStore>(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<LedgerAudit>();

        // Auth: apps, access tokens, sessions and login codes.
        services.AddSingleton<AppRegistry>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<Sessions>();
        services.AddSingleton<IMidasCredentials, MidasCredentials>();

        // Testing a backend: fault rules, the request journal, and the filter that applies both to the WeChat surface.
        services.AddSingleton<FaultRules>();
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<WeChatCallPipeline>();

        // Data life cycle: load, seed, reset, checkpoint at stop.
        services.AddSingleton<SeedLoader>();
        services.AddSingleton<EmulatorData>();
        services.AddHostedService(sp => sp.GetRequiredService<EmulatorData>());

        // Pushes to the game server: saved by the writer, sent by the dispatcher once the data is loaded (it starts after
        // EmulatorData and stops before it, so no attempt is recorded into a closed store).
        services.AddSingleton<IPushStore>(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<PushSender>();
        services.AddSingleton<PushDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<PushDispatcher>());

        // The Midas call itself, without HTTP: the endpoints adapt requests to it.
        services.AddSingleton(sp => new MidasPipeline(sp.GetRequiredService<IOptions<EmulatorOptions>>().Value.ToMidasCallSettings(),
            sp.GetRequiredService<IMidasCredentials>(), sp.GetRequiredService<IMidasLedger>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new GamePayPipeline(sp.GetRequiredService<IOptions<EmulatorOptions>>().Value.ToMidasCallSettings(),
            sp.GetRequiredService<IMidasCredentials>(), sp.GetRequiredService<IMidasLedger>(), sp.GetRequiredService<TimeProvider>()));

        // Endpoints: snake_case JSON, problem details on /admin.
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            // The web defaults read "5" as 5; the admin API takes numbers as numbers, and says so.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJsonContext.Default);
        });
        services.AddProblemDetails();

        // SIGTERM (docker stop) must end within 5 s: Kestrel finishes in-flight calls for up to 3 s, then the writer
        // drains and LiteDB checkpoints (EmulatorData.StopAsync). ASP.NET's own shutdownTimeoutSeconds still overrides this.
        if (string.IsNullOrEmpty(builder.Configuration["shutdownTimeoutSeconds"]))
        {
            services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));
        }

        // One line per entry, so each WeChat call is one line; JSON for log collectors. A bad value fails the options
        // validation at start like any other setting.
        if (Enum.TryParse<LogFormat>(builder.Configuration["Midas:LogFormat"], ignoreCase: true, out var format) && format == LogFormat.Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        // ASP.NET's "Request starting GET …/cgi-bin/token?…&secret=…" lines carry the query string, credentials and all:
        // they stay off even when Microsoft.AspNetCore is turned up (the MidasEmulator.Calls line says the same, redacted).
        // A provider-specific setting (Logging__Console__LogLevel__…) still overrides this, deliberately.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // The host reports a failed start as a multi-KB error with its stack trace; Program says the same in one sentence
        // (StartupError). The host's only other Error line is for a BackgroundService, which the emulator has none of.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // Kestrel's Debug lines about a malformed request quote the start of its request line, query string included.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Information);
        // Same formatters, written in batches (Logging/BatchedConsoleLoggerProvider.cs).
        foreach (var stock in services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList())
        {
            services.Remove(stock);
        }
        services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();

        // API reference: the OpenAPI documents of both surfaces, built on request, and the Scalar page.
        services.AddApiReference();

        if (NoListenAddressConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        return builder;
    }

    private static bool NoListenAddressConfigured(ConfigurationManager configuration) =>
        string.IsNullOrEmpty(configuration["urls"])
        && string.IsNullOrEmpty(configuration["http_ports"])
        && string.IsNullOrEmpty(configuration["https_ports"])
        && string.IsNullOrEmpty(configuration["Kestrel:Endpoints:Http:Url"]);
}
