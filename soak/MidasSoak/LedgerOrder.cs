using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MidasSoak;

/// <summary>One entry of GET /admin/orders, as a client-side ledger check reads it (the soak's, and the crash test's).</summary>
public sealed record LedgerOrder(long Id, string Kind, string Openid, string? BillNo, long Amt, long GenAmt, string Status, long BalanceAfter)
{
    private const int PageSize = 10_000;

    public static LedgerOrder From(JsonElement o) => new(
        o.GetProperty("id").GetInt64(), o.GetProperty("kind").GetString()!, o.GetProperty("openid").GetString()!,
        o.GetProperty("bill_no").GetString(), o.GetProperty("amt").GetInt64(), o.GetProperty("gen_amt").GetInt64(),
        o.GetProperty("status").GetString()!, o.GetProperty("balance_after").GetInt64());

    /// <summary>The whole ledger, oldest first, paged by after_id so each page reads only its own orders.</summary>
    public static async Task<List<LedgerOrder>> ReadAllAsync(HttpClient admin, CancellationToken cancellation = default)
    {
        var orders = new List<LedgerOrder>();
        long afterId = 0;
        while (true)
        {
            var page = await admin.GetFromJsonAsync<JsonElement[]>(
                string.Create(CultureInfo.InvariantCulture, $"/admin/orders?limit={PageSize}&after_id={afterId}"), cancellation).ConfigureAwait(false) ?? [];
            orders.AddRange(page.Select(From));
            if (page.Length < PageSize)
            {
                return orders;
            }
            afterId = orders[^1].Id;
        }
    }
}
