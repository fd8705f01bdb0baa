namespace MidasEmulator.Tests.Support;

/// <summary>
/// GET /admin/orders filters written as the query string a person types (<c>"bill_no=B-1&amp;kind=pay"</c>), for the
/// library's typed <see cref="MidasAdminClient.OrdersAsync"/>: the tests read as the curl examples in the docs do.
/// </summary>
public static class OrderQueries
{
    public static Task<MidasOrder[]> OrdersAsync(this MidasAdminClient admin, string query) => admin.OrdersAsync(Parse(query));

    public static MidasOrderQuery Parse(string query)
    {
        var q = new MidasOrderQuery();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], Uri.UnescapeDataString(pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]));
            q = name switch
            {
                "openid" => q with { Openid = value },
                "bill_no" => q with { BillNo = value },
                "env" => q with { Env = value },
                "kind" => q with { Kind = value },
                "limit" => q with { Limit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "offset" => q with { Offset = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "after_id" => q with { AfterId = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"GET /admin/orders takes no '{name}'", nameof(query)),
            };
        }
        return q;
    }
}
