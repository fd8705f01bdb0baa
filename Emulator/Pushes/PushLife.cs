namespace MidasEmulator.Pushes;

/// <summary>
/// How a push's status moves (docs/reference.md, pushes): plain functions from one stored push to the next, applied by the
/// writer inside its commit, so an attempt's result, a retry and a cancel never overwrite one another.
/// </summary>
public static class PushLife
{
    /// <summary>A new push: its first attempt is due at once.</summary>
    public static Push New(Push push, DateTimeOffset now) => push with { Status = PushStatus.Pending, NextAttemptAt = now, CreatedAt = now };

    /// <summary>
    /// Records <paramref name="attempts"/> (<paramref name="scheduled"/> of them count towards the schedule). A success
    /// delivers the push; otherwise the next retry is due after the schedule's next wait, or the push has failed when
    /// the waits ran out. A push cancelled or delivered meanwhile keeps its status: the attempts are only recorded. A push
    /// retried meanwhile (its next attempt no longer <paramref name="attemptedFor"/>, the time the attempt was made for)
    /// keeps the retry's time: the retry asked for another attempt now.
    /// </summary>
    public static Push AfterAttempts(Push push, IReadOnlyList<PushAttempt> attempts, int scheduled, DateTimeOffset now, DateTimeOffset? attemptedFor = null)
    {
        var recorded = push with { Attempts = [.. push.Attempts, .. attempts], ScheduledAttempts = push.ScheduledAttempts + scheduled };
        if (push.Status is PushStatus.Cancelled or PushStatus.Delivered)
        {
            return recorded;
        }
        if (attempts.Any(a => a.Succeeded))
        {
            return recorded with { Status = PushStatus.Delivered, NextAttemptAt = null };
        }
        if (attemptedFor is not null && push.Status == PushStatus.Pending && push.NextAttemptAt != attemptedFor)
        {
            return recorded;
        }
        var waits = PushEvents.RetryWaits(push.Channel);
        return recorded.ScheduledAttempts > waits.Count
            ? recorded with { Status = PushStatus.Failed, NextAttemptAt = null }
            : recorded with { Status = PushStatus.Pending, NextAttemptAt = now + waits[recorded.ScheduledAttempts - 1] };
    }

    /// <summary>The app has no configuration for the push's channel: it waits for one.</summary>
    public static Push NoReceiver(Push push) =>
        push.Status == PushStatus.Pending ? push with { Status = PushStatus.NoReceiver, NextAttemptAt = null } : push;

    /// <summary>A configuration was saved for the push's channel: a push waiting for one is due at once.</summary>
    public static Push ReceiverSaved(Push push, DateTimeOffset now) =>
        push.Status == PushStatus.NoReceiver ? push with { Status = PushStatus.Pending, NextAttemptAt = now } : push;

    /// <summary>POST /admin/pushes/{id}/retry: an attempt now, whatever the schedule said. Null for a delivered push.</summary>
    public static Push? Retry(Push push, DateTimeOffset now) =>
        push.Status == PushStatus.Delivered ? null : push with { Status = PushStatus.Pending, NextAttemptAt = now };

    /// <summary>POST /admin/pushes/{id}/cancel: no more attempts. Null for a push that is already settled (delivered or failed).</summary>
    public static Push? Cancel(Push push) =>
        push.Status is PushStatus.Delivered or PushStatus.Failed ? null : push with { Status = PushStatus.Cancelled, NextAttemptAt = null };
}
