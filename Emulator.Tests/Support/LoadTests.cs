namespace MidasEmulator.Tests.Support;

/// <summary>
/// The collection of the tests that load the machine (crash safety, soak, the container build). They run one at a time, after
/// the parallel classes: each takes both cores, and the other process tests time their starts and stops. The Release
/// build they may start is published once for the whole collection.
/// </summary>
[CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
public sealed class LoadTests : ICollectionFixture<PublishedEmulator>;
