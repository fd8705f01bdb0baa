using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using MidasEmulator.Auth;
using MidasEmulator.Midas;
using MidasEmulator.Storage;

namespace MidasEmulator.Endpoints;

/// <summary>/admin accounts and orders: read an account, top it up, set it, and read the ledger.</summary>
public static partial class AdminEndpoints
{
    [Tags(AccountsTag)]
    [EndpointSummary("Read an account")]
    [EndpointDescription("getbalance's fields plus the account's key; first_save is a boolean here. An "
        + "account never touched shows zeros. zone_id defaults to 1, env to sandbox.")]
    public static IResult GetAccount(string openid, [Description(AppidParam)] string? appid,
        [FromQuery(Name = "zone_id"), Description("The account's zone; default 1.")] string? zoneId,
        [Description("sandbox (the default) or production.")] string? env, AppRegistry apps, LedgerState ledger)
    {
        if (ResolveAccount(openid, appid, zoneId, env, apps, out var app, out var key) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Ok(AccountReply.From(app.Appid, ledger.GetAccount(key)));
    }

    [Tags(AccountsTag)]
    [EndpointSummary("Top up coins")]
    [EndpointDescription("A paid purchase of amount coins (1 … 2147483647), what wx.requestMidasPayment makes: "
        + "adds to balance, save_amt and save_sum, ends first_save, and is booked as a topup order.")]
    public static async Task<IResult> TopupAsync(string openid, AdminJson<TopupRequest> json, AppRegistry apps, LedgerWriter writer)
    {
        var body = json.Value;
        if (ResolveAccount(openid, body.Appid, body.ZoneId, body.Env, apps, out var app, out var key) is { } invalid)
        {
            return invalid;
        }
        if (body.Amount is not (>= 1 and <= int.MaxValue))
        {
            return AdminProblems.BadRequest($"amount must be an integer from 1 to {int.MaxValue}");
        }
        var result = await writer.SubmitAsync(new TopupCommand(key, app.Appid, body.Amount.Value)).ConfigureAwait(false);
        return AccountResult(app, result);
    }

    [Tags(AccountsTag)]
    [EndpointSummary("Set a balance")]
    [EndpointDescription("Sets balance and/or gen_balance directly (at least one; 0 ≤ gen_balance ≤ balance). "
        + "With only balance the gift part is kept, capped at the new balance. Booked as a set order.")]
    public static async Task<IResult> SetAccountAsync(string openid, AdminJson<SetAccountRequest> json, AppRegistry apps, LedgerWriter writer)
    {
        var body = json.Value;
        if (ResolveAccount(openid, body.Appid, body.ZoneId, body.Env, apps, out var app, out var key) is { } invalid)
        {
            return invalid;
        }
        if (body.Balance is null && body.GenBalance is null)
        {
            return AdminProblems.BadRequest("give balance, gen_balance or both");
        }
        if (body.Balance is < 0 or > MidasValidation.MaxSetBalance || body.GenBalance is < 0 or > MidasValidation.MaxSetBalance)
        {
            return AdminProblems.BadRequest($"balance and gen_balance must be from 0 to {MidasValidation.MaxSetBalance}");
        }
        var result = await writer.SubmitAsync(new SetBalanceCommand(key, app.Appid, body.Balance, body.GenBalance)).ConfigureAwait(false);
        return AccountResult(app, result);
    }

    [Tags(AccountsTag)]
    [EndpointSummary("Read the ledger")]
    [EndpointDescription("Orders oldest first, filtered by openid, bill_no, env and kind (pay, cancel, present, "
        + "topup, set, refund, purchase); limit 1 … 10000 (default 100) and offset page through them. gen_amt is the gift part of amt.")]
    public static IResult GetOrders([Description("Only this player's orders.")] string? openid,
        [FromQuery(Name = "bill_no"), Description("Only this bill_no's orders (a pay and its cancel).")] string? billNo,
        [Description("Only this env: sandbox or production.")] string? env,
        [Description("Only this kind: pay, cancel, present, topup, set, refund or purchase.")] string? kind,
        [Description(LimitParam)] string? limit, [Description("Orders to skip first; default 0.")] string? offset,
        [FromQuery(Name = "after_id"), Description("Only orders whose id is greater: the last id of the previous page. Cheaper than offset deep into a large ledger.")] string? afterId,
        LiteDbStore store)
    {
        Env? envFilter = null;
        if (env is not null)
        {
            if (!EnvNames.TryParse(env, out var parsed))
            {
                return AdminProblems.BadRequest("env must be sandbox or production");
            }
            envFilter = parsed;
        }
        OrderKind? kindFilter = null;
        if (kind is not null)
        {
            if (!Order.TryParseKind(kind, out var parsed))
            {
                return AdminProblems.BadRequest("kind must be pay, cancel, present, topup, set, refund or purchase");
            }
            kindFilter = parsed;
        }
        if (!TryInt(limit, 100, out var take) || take is < 1 or > MaxOrdersPage)
        {
            return AdminProblems.BadRequest($"limit must be an integer from 1 to {MaxOrdersPage}");
        }
        if (!TryInt(offset, 0, out var skip) || skip < 0)
        {
            return AdminProblems.BadRequest("offset must be an integer, 0 or more");
        }
        long? after = null;
        if (afterId is not null)
        {
            if (!long.TryParse(afterId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return AdminProblems.BadRequest("after_id must be an order id, 0 or more");
            }
            after = parsed;
        }
        var orders = store.QueryOrders(new OrderQuery(openid, billNo, envFilter, kindFilter, skip, take, after));
        return TypedResults.Ok<IReadOnlyList<OrderReply>>(orders.Select(OrderReply.From).ToList());
    }

    [Tags(AccountsTag)]
    [EndpointSummary("Check the money")]
    [EndpointDescription("Replays the whole ledger and checks, at one commit: every account's balance, "
        + "gen_balance and sums equal what its orders add up to (on disk and in memory), no balance was ever negative, each "
        + "order's balance_after is the running balance, no live bill_no was applied twice, each cancel reverses exactly one "
        + "pay, and 2.0 refunds never give back more than their pay took. 200 with ok true, or ok false with violation_count and the first 100 violations; 503 when the database cannot "
        + "be read or the emulator is stopping. Writes wait while it runs.")]
    public static async Task<IResult> GetInvariantsAsync(LedgerWriter writer, LiteDbStore store, LedgerState ledger, LedgerAudit audit,
        HttpContext http)
    {
        AuditReport report;
        try
        {
            // On the writer between two commits: the stored accounts, the orders and memory all at the same commit.
            report = await writer.RunWholeLedgerReadAsync(() => audit.Check(store.AllAccounts(), ledger.Accounts, store.AllOrdersReadAhead(), ledger.LastOrderId),
                http.RequestAborted).ConfigureAwait(false);
        }
        catch (WorkBetweenCommitsException ex) when (ex.InnerException is { } cause)
        {
            // The database could not be read (or closed under a stop): no verdict either way.
            return AdminProblems.Unavailable($"the ledger could not be read for the check: {cause.Message}");
        }
        return TypedResults.Ok(InvariantsReply.From(report));
    }

    private static bool TryInt(string? text, int fallback, out int value)
    {
        value = fallback;
        return text is null || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static IResult AccountResult(MidasApp app, CommitResult result) => result switch
    {
        { IsCommitted: false } => AdminProblems.Unavailable(result.Reply.Errmsg),
        { Reply: { IsOk: true, Account: { } account } } => TypedResults.Ok(AccountReply.From(app.Appid, account)),
        _ => AdminProblems.BadRequest(result.Reply.Errmsg),
    };

    private static ProblemHttpResult? ResolveAccount(string openid, string? appid, string? zoneId, string? env, AppRegistry apps,
        out MidasApp app, out AccountKey key)
    {
        key = default;
        if (apps.Resolve(appid, out var unresolved) is not { } resolved)
        {
            app = null!;
            return AdminProblems.BadRequest(unresolved);
        }
        app = resolved;
        if (CheckOpenid(openid) is { } invalid)
        {
            return invalid;
        }
        if (!EnvNames.TryParse(env, out var parsedEnv))
        {
            return AdminProblems.BadRequest("env must be sandbox or production");
        }
        if (zoneId is { Length: 0 or > MidasValidation.MaxKeyPartLength })
        {
            return AdminProblems.BadRequest($"zone_id must be 1 to {MidasValidation.MaxKeyPartLength} characters");
        }
        key = new AccountKey(parsedEnv, app.OfferId, zoneId ?? "1", openid);
        return null;
    }
}
