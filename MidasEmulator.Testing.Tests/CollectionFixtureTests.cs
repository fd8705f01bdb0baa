namespace MidasEmulator.Testing.Tests;

/// <summary>One emulator shared by a collection, with a setting, through a derived fixture.</summary>
[CollectionDefinition(Name)]
public sealed class ReplayEmulatorGroup : ICollectionFixture<ReplayEmulatorFixture>
{
    public const string Name = "Replay emulator";
}

public sealed class ReplayEmulatorFixture : MidasEmulatorFixture
{
    protected override void Configure(MidasEmulatorServerOptions options) => options.With("Midas:BillNoRepeat", "Replay").Seed = MidasSeed.Small;
}

[Collection(ReplayEmulatorGroup.Name)]
public class CollectionFixtureTests(ReplayEmulatorFixture midas)
{
    [Fact]
    public async Task Pay_RepeatedUnderReplayFixture_AnswersTheStoredReply()
    {
        var game = midas.CreateGameClient();

        var first = await game.PayAsync(MidasDefaults.DocPlayer, "COLLECTION-1", 1);
        var again = await game.PayAsync(MidasDefaults.DocPlayer, "COLLECTION-1", 1);

        Assert.Equal(first.Number("balance"), again.Number("balance"));
        Assert.Equal(0, again.Errcode());
    }
}
