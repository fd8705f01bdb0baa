using DotNet.Testcontainers.Containers;
using MidasEmulator.Testing;

namespace MidasEmulator.Testcontainers;

/// <summary>A running MidasEmulator container, with the same clients as the in-process <see cref="MidasEmulatorServer"/>.</summary>
public sealed class MidasEmulatorContainer(MidasEmulatorConfiguration configuration) : DockerContainer(configuration)
{
    /// <summary>The emulator from the host: <c>http://HOST:MAPPED_PORT/</c>. Give it to the code under test as api.weixin.qq.com.</summary>
    public Uri BaseAddress => new UriBuilder(Uri.UriSchemeHttp, Hostname, GetMappedPublicPort(MidasEmulatorBuilder.EmulatorPort)).Uri;

    /// <summary>A new HttpClient on <see cref="BaseAddress"/>; the caller disposes it.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>An admin client that sends the configured admin token.</summary>
    public MidasAdminClient CreateAdminClient() => new(CreateClient(), configuration.AdminToken);

    /// <summary>A signing game-backend client.</summary>
    public MidasGameClient CreateGameClient(MidasAppCredentials? app = null) => new(CreateClient(), app);
}
