namespace MidasEmulator.Testing;

/// <summary>GET /admin/invariants found violations: the message lists them.</summary>
public sealed class MidasBooksUnbalancedException(MidasInvariants report)
    : Exception($"the emulator's books do not balance: {report.ViolationCount} violation(s) over {report.Accounts} account(s) and {report.Orders} order(s)"
        + string.Concat(report.Violations.Select(v => $"{Environment.NewLine}  - {v}")))
{
    /// <summary>The whole report.</summary>
    public MidasInvariants Report { get; } = report;
}
