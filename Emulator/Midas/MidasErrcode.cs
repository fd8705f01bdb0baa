namespace MidasEmulator.Midas;

/// <summary>Every errcode the emulator answers, named after its meaning in WeChat's tables (docs/wechat-api.md §5, §8).</summary>
public static class MidasErrcode
{
    public const int Ok = 0;
    /// <summary>System busy, retry later. May hide a committed deduction (docs/wechat-api.md §4 pay).</summary>
    public const int SystemBusy = -1;
    /// <summary>cancelpay: the order does not exist.</summary>
    public const int OrderNotFound = 90000;
    /// <summary>mp_sig wrong (pre-2019 pages).</summary>
    public const int MpSigWrong = 90009;
    /// <summary>User not logged in, or the login state (session_key) expired.</summary>
    public const int NotLoggedIn = 90010;
    public const int SigWrong = 90011;
    /// <summary>The bill_no was already used: the order exists and was processed.</summary>
    public const int BillNoRepeated = 90012;
    public const int BalanceTooLow = 90013;
    /// <summary>cancelpay: the order is confirmed/completed (here: past its 48 h validity).</summary>
    public const int OrderCompleted = 90014;
    /// <summary>cancelpay: the order was already rolled back.</summary>
    public const int OrderAlreadyCancelled = 90015;
    /// <summary>cancelpay: the order is still processing (only through fault injection).</summary>
    public const int OrderProcessing = 90016;
    public const int NoPrivilege = 90017;
    /// <summary>2.0: the session_key expired or the player has no session: log in again (docs/wechat-vp2-api.md §5).</summary>
    public const int SessionKeyExpired = 90016;
    /// <summary>2.0 cancelpay and queryorderinfo: no such order.</summary>
    public const int OutTradeNoNotFound = 90019;
    /// <summary>/wxa/checksession: the signature is not HMAC-SHA256(session_key, "") of a live session.</summary>
    public const int InvalidSignature = 87009;
    public const int ParameterError = 90018;
    /// <summary>Undocumented "a required parameter is missing", seen in 2018 traffic (legacy option).</summary>
    public const int ParameterMissing = 40101;

    // WeChat-wide codes of the auth helpers (docs/wechat-api.md §8).
    public const int InvalidCredential = 40001;
    public const int InvalidGrantType = 40002;
    public const int InvalidAppid = 40013;
    public const int InvalidCode = 40029;
    public const int InvalidAppSecret = 40125;
    public const int CodeBeenUsed = 40163;
    public const int AccessTokenMissing = 41001;
    public const int AppidMissing = 41002;
    public const int AppSecretMissing = 41004;
    public const int CodeMissing = 41008;
    public const int AccessTokenExpired = 42001;
    public const int RequireGetMethod = 43001;
    public const int RequirePostMethod = 43002;
}
