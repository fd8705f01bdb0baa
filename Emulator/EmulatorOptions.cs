using System.ComponentModel.DataAnnotations;
using MidasEmulator.Midas;
using MidasEmulator.Signing;
using MidasEmulator.Storage;

namespace MidasEmulator;

/// <summary>Wire type of getbalance's first_save (docs/wechat-api.md §10.14).</summary>
public enum FirstSaveFormat
{
    /// <summary>0 or 1, as the sample payloads and typed clients have it.</summary>
    Number,
    /// <summary>true or false, as the doc's type column says.</summary>
    Boolean,
}

/// <summary>How the console log is written.</summary>
public enum LogFormat
{
    /// <summary>One line per entry: time, level, category, message.</summary>
    Text,
    /// <summary>One JSON object per line, with the message's fields (endpoint, openid, errcode, …) under "State".</summary>
    Json,
}

/// <summary>
/// The <c>Midas</c> configuration section. Each property is a key: <c>Midas:Database</c> in appsettings.json,
/// <c>Midas__Database</c> as an environment variable, <c>--Midas:Database=…</c> on the command line.
/// </summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Midas";

    /// <summary>LiteDB file path, or <c>:memory:</c> for a database that lives only as long as the process.</summary>
    [Required]
    public string Database { get; set; } = "data/midas.db";

    /// <summary>The seed file loaded into an empty database and on reset; empty for none.</summary>
    public string SeedFile { get; set; } = "seed-data/seed.json";

    /// <summary>When set, every /admin call needs <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? AdminToken { get; set; }

    /// <summary>process: a reply goes out once its commit reached the OS (survives a killed process); full: once it reached the disk.</summary>
    public Durability Durability { get; set; } = Durability.Process;

    /// <summary>reject: a repeated bill_no answers 90012; replay: errcode 0 with the first reply (docs/wechat-api.md §10.1).</summary>
    public BillNoRepeatMode BillNoRepeat { get; set; } = BillNoRepeatMode.Reject;

    /// <summary>offer: a bill_no is unique per (env, offer_id); account: per (env, offer_id, zone_id, openid) (§10.3).</summary>
    public BillNoScope BillNoScope { get; set; } = BillNoScope.Offer;

    /// <summary>How long a bill_no is remembered, in hours of emulator time (§10.5).</summary>
    [Range(0.001, 100_000)]
    public double BillNoTtlHours { get; set; } = 48;

    public MpSigPolicy MpSigPolicy { get; set; } = MpSigPolicy.VerifyIfPresent;

    /// <summary>Answer a missing required field (and a missing mp_sig under MpSigPolicy=required) with the undocumented 40101 seen in 2018, not 90018 (§10.9).</summary>
    public bool LegacyMissingParam { get; set; }

    /// <summary>Reject numbers sent as numeric strings (and strings sent as numbers) with 90018, instead of signing them by their text (§10.10).</summary>
    public bool StrictTypes { get; set; }

    /// <summary>Also accept a signature that leaves empty-string fields out (§10.11).</summary>
    public bool AcceptEmptyFieldsOmitted { get; set; }

    /// <summary>Also accept signatures over URL-encoded values, as the C# SKIT and Go wxgamevp clients make them (§10.12).</summary>
    public bool AcceptUrlEncodedValues { get; set; }

    /// <summary>Also accept a sig over only the six common fields, as SKIT computes it (§10.13).</summary>
    public bool AcceptSkitSig { get; set; }

    public FirstSaveFormat FirstSave { get; set; } = FirstSaveFormat.Number;

    /// <summary>When above 0, a ts more than this many seconds from the emulator's clock answers 90018 (§10.15).</summary>
    [Range(0, int.MaxValue)]
    public int TsWindowSeconds { get; set; }

    /// <summary>Answer an insufficient balance as -1 "1034-131-0 余额不足" (2018) instead of 90013 (§10.18).</summary>
    public bool LegacyInsufficientBalance { get; set; }

    /// <summary>Only [0-9A-Za-z_-] in bill_no, as the current Chinese pages say; default also allows | * @ (§10.21).</summary>
    public bool StrictBillNo { get; set; }

    /// <summary>Only "android" as pf (§10.21).</summary>
    public bool StrictPf { get; set; }

    /// <summary>Lifetime of an access token (WeChat: 7200 s).</summary>
    [Range(1, int.MaxValue)]
    public int AccessTokenTtlSeconds { get; set; } = 7200;

    /// <summary>Lifetime of a login code for /sns/jscode2session (WeChat: about 5 minutes, single use).</summary>
    [Range(1, int.MaxValue)]
    public int LoginCodeTtlSeconds { get; set; } = 300;

    /// <summary>Lifetime of a session; 0 = until replaced or ended (WeChat does not disclose it).</summary>
    [Range(0, int.MaxValue)]
    public int SessionTtlSeconds { get; set; }

    /// <summary>How many recent WeChat-surface calls GET /admin/requests keeps; 0 turns the journal off.</summary>
    [Range(0, 1_000_000)]
    public int JournalSize { get; set; } = 1000;

    /// <summary>Console log format; every WeChat-surface call writes one entry (Faults/WeChatCallFilter).</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>Largest WeChat-surface request body accepted, in bytes.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    public MoneyRuleSettings ToMoneyRuleSettings() => new(BillNoRepeat, BillNoScope, BillNoTtlHours, LegacyInsufficientBalance);

    public SigningSettings ToSigningSettings() => new(AcceptEmptyFieldsOmitted, AcceptUrlEncodedValues, AcceptSkitSig);

    public MidasCallSettings ToMidasCallSettings() => new(MaxBodyBytes, StrictTypes, LegacyMissingParam, MpSigPolicy, StrictPf,
        TsWindowSeconds, StrictBillNo, ToSigningSettings());
}
