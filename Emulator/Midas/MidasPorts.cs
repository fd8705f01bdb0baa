namespace MidasEmulator.Midas;

/// <summary>What an access_token check finds.</summary>
public enum TokenState
{
    Valid,
    /// <summary>Never issued, or purged a day after it expired: 40001.</summary>
    Unknown,
    /// <summary>Issued, but past its expiry on the emulator's clock: 42001.</summary>
    Expired,
}

/// <summary>
/// What a Midas call asks of the apps, access tokens and sessions. Auth/ implements it, so the money core names no
/// folder above it (docs/architecture.md §3).
/// </summary>
public interface IMidasCredentials
{
    /// <summary>The token's state and, when it was issued, the appid it was issued to.</summary>
    TokenState CheckAccessToken(string accessToken, out string? appid);

    MidasApp? FindApp(string appid);

    /// <summary>The player's live session_key, or null when they are not logged in (or their session expired).</summary>
    string? FindSessionKey(string appid, string openid);
}

public static class MidasCredentialChecks
{
    /// <summary>
    /// The first check of every call, 1.0 and 2.0 alike: 41001 without a token, 40001 for one never issued (or purged),
    /// 42001 for one past its expiry; null when it is valid, with the appid it was issued to.
    /// </summary>
    public static MidasReply? RefuseAccessToken(this IMidasCredentials credentials, string? accessToken, out string? appid)
    {
        appid = null;
        if (string.IsNullOrEmpty(accessToken))
        {
            return MidasReply.AccessTokenMissing();
        }
        return credentials.CheckAccessToken(accessToken, out appid) switch
        {
            TokenState.Unknown => MidasReply.AccessTokenInvalid(),
            TokenState.Expired => MidasReply.AccessTokenExpired(),
            _ => null,
        };
    }
}

/// <summary>
/// The committed ledger as a Midas call sees it, and the single writer that changes it (docs/architecture.md §2.1).
/// Storage/ implements it.
/// </summary>
public interface IMidasLedger
{
    MoneyRules Rules { get; }

    Account GetAccount(AccountKey key);

    Order? FindBill(BillKey billKey);

    /// <summary>A client-side order by its app and out_trade_no (/wxa/game/queryorderinfo), or null.</summary>
    ClientOrder? FindClientOrder(string appid, string outTradeNo);

    /// <summary>Applies one money command; completes after its change (if any) is committed, or says why it was not.</summary>
    Task<CommitResult> SubmitAsync(MidasCommand command);
}
