using Docker.DotNet.Models;
using DotNet.Testcontainers.Configurations;

namespace MidasEmulator.Testcontainers;

/// <summary>The container's configuration, plus the admin token the clients and the health wait send.</summary>
public sealed class MidasEmulatorConfiguration : ContainerConfiguration
{
    /// <summary>A configuration with an admin token (null: /admin is open).</summary>
    public MidasEmulatorConfiguration(string? adminToken = null) => AdminToken = adminToken;

    /// <summary>Copies a generic resource configuration.</summary>
    public MidasEmulatorConfiguration(IResourceConfiguration<CreateContainerParameters> resourceConfiguration) : base(resourceConfiguration)
    {
    }

    /// <summary>Copies a generic container configuration.</summary>
    public MidasEmulatorConfiguration(IContainerConfiguration resourceConfiguration) : base(resourceConfiguration)
    {
    }

    /// <summary>Copies a configuration.</summary>
    public MidasEmulatorConfiguration(MidasEmulatorConfiguration resourceConfiguration) : this(new MidasEmulatorConfiguration(), resourceConfiguration)
    {
    }

    /// <summary>Merges two configurations; the newer's admin token wins when set.</summary>
    public MidasEmulatorConfiguration(MidasEmulatorConfiguration oldValue, MidasEmulatorConfiguration newValue) : base(oldValue, newValue) =>
        AdminToken = newValue.AdminToken ?? oldValue.AdminToken;

    /// <summary>Midas__AdminToken, when set.</summary>
    public string? AdminToken { get; }
}
