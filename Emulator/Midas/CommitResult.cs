namespace MidasEmulator.Midas;

/// <summary>Why the writer saved nothing of a change. Each answers the WeChat surface's -1 with its own errmsg.</summary>
public enum NotCommittedReason
{
    /// <summary>The emulator is stopping and takes no more writes.</summary>
    Stopping,
    /// <summary>The database refused the commit (an I/O failure, a full disk): nothing was applied, a retry may work.</summary>
    WriteFailed,
    /// <summary>Applying the change failed unexpectedly (a bug): nothing was applied.</summary>
    Failed,
    /// <summary>POST /admin/reset could not wipe the database.</summary>
    ResetFailed,
}

/// <summary>
/// The writer's answer to a change: committed (for a money command, with the rules' outcome, which may be a refusal
/// such as 90013 that wrote nothing) or not committed, with the reason. A reply goes out only after this is known.
/// </summary>
public sealed class CommitResult
{
    private CommitResult(CommandResult? outcome, NotCommittedReason? reason)
    {
        Outcome = outcome;
        Reason = reason;
    }

    /// <summary>A change without a money outcome (an auth write, a reset, work between commits) that is committed.</summary>
    public static readonly CommitResult Done = new(null, null);

    public static CommitResult Committed(CommandResult outcome) => new(outcome, null);

    public static CommitResult NotCommitted(NotCommittedReason reason) => new(null, reason);

    public bool IsCommitted => Reason is null;

    // What the money rules decided; null for a change without one and for one not committed.
    private CommandResult? Outcome { get; }

    public NotCommittedReason? Reason { get; }

    /// <summary>The WeChat reply: the outcome's, ok for a change without one, or -1 saying why nothing was saved.</summary>
    public MidasReply Reply => Reason is { } reason ? MidasReply.NotCommitted(reason) : Outcome?.Reply ?? MidasReply.Ok;

    /// <summary>Throws <see cref="NotCommittedException"/> when nothing was saved; the admin surface answers it with 503.</summary>
    public CommitResult EnsureCommitted() =>
        IsCommitted ? this : throw new NotCommittedException($"the change was not saved: {Reply.Errmsg}");
}
