using MidasEmulator.Signing;

namespace MidasEmulator.Midas;

/// <summary>How mp_sig is checked (docs/wechat-api.md §10.8).</summary>
public enum MpSigPolicy
{
    /// <summary>A wrong mp_sig is always 90009; an absent one is accepted (the 2019+ pages dropped it).</summary>
    VerifyIfPresent,
    /// <summary>mp_sig must be sent and right, as the 2017–18 pages say.</summary>
    Required,
    /// <summary>mp_sig is never checked.</summary>
    Off,
}

/// <summary>The settings a Midas call is checked by (Midas:* options; docs/reference.md §2 lists each).</summary>
public sealed record MidasCallSettings(
    int MaxBodyBytes = 64 * 1024,
    bool StrictTypes = false,
    bool LegacyMissingParam = false,
    MpSigPolicy MpSigPolicy = MpSigPolicy.VerifyIfPresent,
    bool StrictPf = false,
    int TsWindowSeconds = 0,
    bool StrictBillNo = false,
    SigningSettings? Signing = null);
