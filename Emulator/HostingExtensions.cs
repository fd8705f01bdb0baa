using Microsoft.Extensions.Options;
using MidasEmulator.Auth;
using MidasEmulator.Clock;
using MidasEmulator.Faults;
using MidasEmulator.Journal;
using MidasEmulator.Endpoints;
using MidasEmulator.Midas;
using MidasEmulator.Seeding;
using MidasEmulator.Storage;

namespace MidasEmulator;

public static class HostingExtensions
{
    /// <summary>The emulator's default address; the container sets ASPNETCORE_HTTP_PORTS instead (design.md §1).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddEmulator(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

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

        // Auth: apps, access tokens, sessions and login codes.
        services.AddSingleton<AppRegistry>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<Sessions>();

        // Testing a backend: fault rules, the request journal, and the filter that applies both to the WeChat surface.
        services.AddSingleton<FaultRules>();
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<WeChatCallPipeline>();

        // Data life cycle: load, seed, reset, checkpoint at stop.
        services.AddSingleton<SeedLoader>();
        services.AddSingleton<EmulatorData>();
        services.AddHostedService(sp => sp.GetRequiredService<EmulatorData>());

        // Endpoints: the Midas call pipeline, snake_case JSON, problem details on /admin.
        services.AddSingleton<MidasServices>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            // The web defaults read "5" as 5; the admin API takes numbers as numbers, and says so.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJsonContext.Default);
        });
        services.AddProblemDetails();

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
