using MidasEmulator.Testcontainers;
using MidasEmulator.Testing;

namespace GameBackend.Tests;

/// <summary>
/// The emulator's Docker image through the Testcontainers module. MIDAS_EMULATOR_IMAGE names the image
/// (`docker build -t midas-emulator:sample .`); without it, or without an engine, the container is not started and
/// the tests skip, unless MIDAS_REQUIRE_CONTAINER_TEST=1 (.ci/run): then they fail.
/// </summary>
public sealed class MidasContainerFixture : IAsyncLifetime
{
    public MidasEmulatorContainer? Container { get; private set; }

    public string? Missing { get; private set; }

    public async Task InitializeAsync()
    {
        var image = Environment.GetEnvironmentVariable("MIDAS_EMULATOR_IMAGE");
        var engine = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
        Missing = image is null ? "MIDAS_EMULATOR_IMAGE is not set" : !engine ? "no container engine (DOCKER_HOST, /var/run/docker.sock)" : null;
        if (Missing is not null)
        {
            return;
        }
        Container = new MidasEmulatorBuilder()
            .WithImage(image!)
            .WithImagePullPolicy(DotNet.Testcontainers.Images.PullPolicy.Never)
            .WithAdminToken("sample-admin-token")
            .Build();
        await Container.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Container is not null)
        {
            await Container.DisposeAsync();
        }
    }
}

[Trait("Category", "Slow")]
public sealed class ContainerBuyItemTests : BuyItemTests, IClassFixture<MidasContainerFixture>
{
    public ContainerBuyItemTests(MidasContainerFixture midas)
        : base(Running(midas).BaseAddress, Running(midas).CreateAdminClient())
    {
    }

    private static MidasEmulatorContainer Running(MidasContainerFixture midas)
    {
        var required = Environment.GetEnvironmentVariable("MIDAS_REQUIRE_CONTAINER_TEST") == "1";
        Skip.If(midas.Container is null && !required, midas.Missing);
        return midas.Container ?? throw new InvalidOperationException($"MIDAS_REQUIRE_CONTAINER_TEST=1 but the container did not start: {midas.Missing}");
    }
}
