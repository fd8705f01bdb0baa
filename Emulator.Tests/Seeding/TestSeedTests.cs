using System.Text.Json.Nodes;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Seeding;

/// <summary>
/// The in-process tests run on test-seed.json, not the shipped 300-user seed: it must stay the shipped seed's app and
/// first users, word for word, so a test that looks up a seeded user finds the balance the shipped seed gives it.
/// </summary>
public sealed class TestSeedTests
{
    [Fact]
    public void TestSeed_IsTheShippedAppsAndTheShippedSeedsFirstUsers_DocUserFirst()
    {
        var test = JsonNode.Parse(File.ReadAllText(EmulatorApp.TestSeedFile))!;
        var shipped = JsonNode.Parse(File.ReadAllText(EmulatorApp.ShippedSeedFile))!;
        var users = test["users"]!.AsArray();

        Assert.True(JsonNode.DeepEquals(shipped["apps"], test["apps"]), $"test-seed.json's apps differ from the shipped seed's: {test["apps"]}");
        Assert.InRange(users.Count, 1, 5);
        for (var i = 0; i < users.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(shipped["users"]![i], users[i]), $"test-seed.json's user {i} differs from the shipped seed's: {users[i]}");
        }
        Assert.Equal(MidasDefaults.DocPlayer.Openid, users[0]!["openid"]!.GetValue<string>());
        Assert.Equal(MidasDefaults.DocPlayer.SessionKey, users[0]!["session_key"]!.GetValue<string>());
    }
}
