using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Images;

namespace MidasEmulator.Testcontainers;

/// <summary>
/// Builds a <see cref="MidasEmulatorContainer"/> from the MidasEmulator image (the repository's Dockerfile):
/// port 8080 mapped to a free host port, a wait for <c>GET /admin/health</c>, a stop timeout so that disposing it sends
/// SIGTERM and lets the emulator finish (exit 0) instead of killing it, and the settings you add.
/// <code>await using var midas = new MidasEmulatorBuilder().WithImage("midas-emulator:0.1.0").WithAdminToken("t").Build();</code>
/// </summary>
public sealed class MidasEmulatorBuilder : ContainerBuilder<MidasEmulatorBuilder, MidasEmulatorContainer, MidasEmulatorConfiguration>
{
    /// <summary>The image <c>docker build -t midas-emulator .</c> makes.</summary>
    public const string DefaultImage = "midas-emulator:latest";

    /// <summary>The port the emulator listens on inside the container.</summary>
    public const ushort EmulatorPort = 8080;

    /// <summary>Where the image reads its seed from; <see cref="WithSeedFile"/> mounts a file there.</summary>
    public const string SeedPath = "/app/seed-data/seed.json";

    /// <summary>How long a stop waits after SIGTERM before SIGKILL; the emulator needs under 5 s.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A builder on <see cref="DefaultImage"/>.</summary>
    public MidasEmulatorBuilder() : this(new MidasEmulatorConfiguration()) => DockerResourceConfiguration = Init().DockerResourceConfiguration;

    private MidasEmulatorBuilder(MidasEmulatorConfiguration configuration) : base(configuration) => DockerResourceConfiguration = configuration;

    /// <inheritdoc />
    protected override MidasEmulatorConfiguration DockerResourceConfiguration { get; }

    /// <summary>Sets Midas__AdminToken; the clients and the health wait send it.</summary>
    public MidasEmulatorBuilder WithAdminToken(string adminToken) =>
        Merge(DockerResourceConfiguration, new MidasEmulatorConfiguration(adminToken)).WithEnvironment("Midas__AdminToken", adminToken);

    /// <summary>Any emulator setting by its key (docs/reference.md §2): <c>WithSetting("BillNoRepeat", "Replay")</c> sets Midas__BillNoRepeat.</summary>
    public MidasEmulatorBuilder WithSetting(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.StartsWith("Midas:", StringComparison.OrdinalIgnoreCase) ? name["Midas:".Length..] : name;
        return WithEnvironment($"Midas__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
    }

    /// <summary>Mounts a seed file of your own (read-only) where the image loads its seed from.</summary>
    public MidasEmulatorBuilder WithSeedFile(string hostPath) =>
        WithBindMount(Path.GetFullPath(hostPath), SeedPath, AccessMode.ReadOnly);

    /// <inheritdoc />
    public override MidasEmulatorContainer Build()
    {
        Validate();
        var token = DockerResourceConfiguration.AdminToken;
        // The health wait is added here, not in Init, so that it carries the admin token set by then.
        var waited = WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request =>
        {
            request.ForPort(EmulatorPort).ForPath("/admin/health");
            return token is null ? request : request.WithHeader("Authorization", $"Bearer {token}");
        }));
        return new MidasEmulatorContainer(waited.DockerResourceConfiguration);
    }

    /// <inheritdoc />
    protected override MidasEmulatorBuilder Init() => base.Init()
        .WithImage(DefaultImage)
        .WithImagePullPolicy(PullPolicy.Missing)
        .WithPortBinding(EmulatorPort, assignRandomHostPort: true)
        // Without a stop timeout in the create parameters, some engines (podman's API) stop with SIGKILL at once.
        .WithCreateParameterModifier(parameters => parameters.StopTimeout = StopTimeout);

    /// <inheritdoc />
    protected override MidasEmulatorBuilder Clone(IResourceConfiguration<CreateContainerParameters> resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new MidasEmulatorConfiguration(resourceConfiguration));

    /// <inheritdoc />
    protected override MidasEmulatorBuilder Clone(IContainerConfiguration resourceConfiguration) =>
        Merge(DockerResourceConfiguration, new MidasEmulatorConfiguration(resourceConfiguration));

    /// <inheritdoc />
    protected override MidasEmulatorBuilder Merge(MidasEmulatorConfiguration oldValue, MidasEmulatorConfiguration newValue) =>
        new(new MidasEmulatorConfiguration(oldValue, newValue));
}
