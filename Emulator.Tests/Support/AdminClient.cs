using System.Net.Http.Json;
using System.Text.Json;

namespace MidasEmulator.Tests.Support;

/// <summary>The /admin calls a test suite makes, with replies as JSON.</summary>
public static class AdminClient
{
    public static async Task<JsonElement> AccountAsync(this HttpClient http, string openid, string env = "sandbox") =>
        await http.GetFromJsonAsync<JsonElement>($"/admin/accounts/{openid}?env={env}&appid={EmulatorApp.Appid}");

    public static async Task<JsonElement> TopupAsync(this HttpClient http, string openid, long amount, string env = "sandbox")
    {
        using var response = await http.PostAsJsonAsync($"/admin/accounts/{openid}/topup", new { amount, env });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> SetBalanceAsync(this HttpClient http, string openid, long balance, long genBalance, string env = "sandbox")
    {
        using var response = await http.PutAsJsonAsync($"/admin/accounts/{openid}", new { balance, gen_balance = genBalance, env });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement[]> OrdersAsync(this HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonElement[]>($"/admin/orders?{query}"))!;

    /// <summary>GET /admin/invariants: the emulator's own money check over the whole ledger.</summary>
    public static async Task<JsonElement> InvariantsAsync(this HttpClient http) =>
        await http.GetFromJsonAsync<JsonElement>("/admin/invariants");

    /// <summary>POST /admin/faults: the rule must be accepted (201); returns its id.</summary>
    public static async Task<string> AddFaultAsync(this HttpClient http, object rule)
    {
        using var response = await http.PostAsJsonAsync("/admin/faults", rule);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>POST /admin/sessions: logs the player in with <paramref name="sessionKey"/>, or a new random one.</summary>
    public static async Task<GameUser> StartSessionAsync(this HttpClient http, string openid, string? sessionKey = null)
    {
        using var response = await http.PostAsJsonAsync("/admin/sessions", new { openid, session_key = sessionKey });
        response.EnsureSuccessStatusCode();
        return new GameUser(openid, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_key").GetString()!);
    }
}
