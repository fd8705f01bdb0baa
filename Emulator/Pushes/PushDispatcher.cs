using System.Collections.Concurrent;
using MidasEmulator.Auth;
using MidasEmulator.Clock;
using MidasEmulator.Faults;
using MidasEmulator.Logging;
using MidasEmulator.Midas;

namespace MidasEmulator.Pushes;

/// <summary>
/// Sends the pushes that are due (docs/architecture.md §2.3): woken by a saved push change, a clock move, an attempt's end
/// or the next due time, it reads the pending pushes whose next attempt has come by the emulator clock (so POST
/// /admin/clock drives retries), sends
/// each on its own task, and saves each attempt through the writer. A push is in flight at most once; one that is
/// settled (delivered) is never picked again. Push fault rules apply per attempt.
/// </summary>
public sealed partial class PushDispatcher(IPushStore store, AppRegistry apps, FaultRules faults, TimeProvider clock, PushSender sender,
    ILoggerFactory loggers) : IHostedService, IDisposable
{
    /// <summary>
    /// The longest the dispatcher sleeps without a reason to look: it wakes for a saved push change, a clock move, an
    /// attempt's end and the next due time; this is the safety net, cheap enough to leave an idle emulator idle.
    /// </summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(5);

    /// <summary>The gap between a duplicate fault's two sends.</summary>
    public static readonly TimeSpan DuplicateGap = TimeSpan.FromMilliseconds(100);

    private const int MaxInFlight = 64;

    private readonly ILogger _log = loggers.CreateLogger(LogCategories.Calls);
    private readonly ILogger _errors = loggers.CreateLogger<PushDispatcher>();
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    // The push a reorder fault holds back, per app and player (one at a time), and the rule that held it, until another
    // push to that player has reached the game server.
    private readonly Lock _heldLock = new();
    private readonly Dictionary<(string Appid, string Openid), (long Id, string FaultId)> _held = [];
    private Task? _loop;

    /// <summary>Looks for due pushes now instead of at the next due time (a push was made, retried or got a receiver).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.PushesSaved += Wake;
        if (clock is EmulatorClock emulatorClock)
        {
            emulatorClock.Moved += Wake;
        }
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops sending; an attempt cut short is not recorded, so its push stays due and is sent after the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        store.PushesSaved -= Wake;
        if (clock is EmulatorClock emulatorClock)
        {
            emulatorClock.Moved -= Wake;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        var deadline = DateTime.UtcNow + PushSender.Timeout;
        while (_inFlight.Count > HeldCount && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                // Due pushes already in flight (held ones among them) come back too: ask for enough to get past them.
                foreach (var push in store.DuePushes(clock.GetUtcNow(), MaxInFlight + _inFlight.Count))
                {
                    // Held pushes wait on another push, not on the network: they must not take the places of those that can go.
                    if (_inFlight.Count - HeldCount >= MaxInFlight)
                    {
                        break;
                    }
                    if (_inFlight.TryAdd(push.Id, 0))
                    {
                        _ = Task.Run(() => AttemptAsync(push.Id, released: false, heldBy: null), CancellationToken.None);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is closing or faulted: nothing to send until it is back; a stop ends the loop.
                _errors.LogDebug(ex, "looking for due pushes failed");
            }
            try
            {
                await _wake.WaitAsync(SleepUntilNextDue(), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Until the soonest attempt of a push not in flight, by the emulator clock (which runs at real speed between moves,
    // and wakes the loop when moved); a due one that found no free place waits for an attempt to end, which wakes too.
    private TimeSpan SleepUntilNextDue()
    {
        try
        {
            var now = clock.GetUtcNow();
            foreach (var (id, next) in store.NextAttempts(_inFlight.Count + 1))
            {
                if (!_inFlight.ContainsKey(id))
                {
                    var wait = next - now;
                    return wait <= TimeSpan.Zero ? MaxSleep : wait < MaxSleep ? wait + TimeSpan.FromMilliseconds(1) : MaxSleep;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _errors.LogDebug(ex, "reading the next due push failed");
        }
        return MaxSleep;
    }

    // heldBy: the reorder rule that held a released push, named on its attempt.
    private async Task AttemptAsync(long id, bool released, string? heldBy)
    {
        var held = false;
        try
        {
            // Read again: a cancel or another attempt may have settled it, or rescheduled it, since it was found due.
            if (await ReadyAsync(id, released).ConfigureAwait(false) is not var (push, app, receiver))
            {
                return;
            }
            var fault = released ? null : faults.Pick(FaultSpec.PushEndpoint(push.Event), push.Openid, null);
            var spec = fault?.Spec;
            // One held push per player at a time: the next push to that player is the one that releases it, so it must go.
            if (spec?.Action == FaultAction.Reorder && !HasHeld(push))
            {
                held = true;
                Hold(push, fault!.Id);
                return;
            }
            var attempts = new List<PushAttempt>();
            if (spec?.Action == FaultAction.FailAttempt)
            {
                attempts.Add(new PushAttempt(clock.GetUtcNow(), null, null, "fault", 0, fault!.Id));
            }
            else
            {
                // delay waits before the send; a duplicate rule's delay_ms, if any, likewise. The wait may be long: what
                // was true before it (pending, this receiver) is read again after it.
                if (spec is { DelayMs: > 0 })
                {
                    await Task.Delay(spec.DelayMs, _stopping.Token).ConfigureAwait(false);
                    if (await ReadyAsync(id, released: true).ConfigureAwait(false) is not var (_, _, current))
                    {
                        return;
                    }
                    receiver = current;
                }
                var message = sender.Build(push, receiver, app);
                attempts.Add(await sender.SendAsync(receiver.Url, message, fault?.Id ?? heldBy, _stopping.Token).ConfigureAwait(false));
                if (spec?.Action == FaultAction.Duplicate)
                {
                    await Task.Delay(DuplicateGap, _stopping.Token).ConfigureAwait(false);
                    attempts.Add(await sender.SendAsync(receiver.Url, message, fault!.Id, _stopping.Token).ConfigureAwait(false));
                }
            }
            var now = clock.GetUtcNow();
            var record = new ChangePush(id, stored => PushLife.AfterAttempts(stored, attempts, scheduled: 1, now, push.NextAttemptAt));
            // An item's delivery acknowledged: queryorderinfo's deliver_state turns to 2 in the same commit as the push.
            await SaveAsync(attempts.Any(a => a.Succeeded) && push is { Channel: PushChannel.Goods, FromOrder: true, OutTradeNo: { } outTradeNo }
                ? [record, new MarkItemDelivered(push.Appid, outTradeNo, push.Openid)]
                : [record]).ConfigureAwait(false);
            foreach (var attempt in attempts)
            {
                LogAttempt(_log, push.Id, push.Event, push.Openid, receiver.Url, attempt.HttpStatus, attempt.Error ?? "delivered", attempt.DurationMs, attempt.FaultId);
            }
            // "Sent" means the game server got it: an attempt that never reached it releases nothing.
            if (attempts.Exists(a => a.HttpStatus is not null))
            {
                ReleaseHeld(push);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the attempt is not recorded, so the push stays due.
        }
        catch (Exception ex)
        {
            _errors.LogError(ex, "push {Id}: the attempt could not be made or recorded; it stays due", id);
        }
        finally
        {
            if (!held)
            {
                _inFlight.TryRemove(id, out _);
                Wake();
            }
        }
    }

    /// <summary>
    /// The push, its app and its receiver when an attempt may go now: still pending and due (a released or delayed push
    /// is due by definition), with a configuration saved for its channel. A push without one waits as no_receiver.
    /// </summary>
    private async Task<(Push Push, MidasApp App, PushReceiver Receiver)?> ReadyAsync(long id, bool released)
    {
        if (store.FindPush(id) is not { Status: PushStatus.Pending } push || (!released && push.NextAttemptAt > clock.GetUtcNow()))
        {
            return null;
        }
        if (apps.TryGet(push.Appid, out var app) && store.FindPushReceiver(push.Appid, push.Channel) is { } receiver)
        {
            return (push, app, receiver);
        }
        // Applied only if the configuration is still missing at the commit: one saved meanwhile releases the push itself.
        await SaveAsync(new WaitForReceiver(id, push.Appid, push.Channel)).ConfigureAwait(false);
        return null;
    }

    private bool HasHeld(Push push)
    {
        lock (_heldLock)
        {
            return _held.ContainsKey((push.Appid, push.Openid));
        }
    }

    // Held pushes are in flight too (no poll may pick them), but they wait on another push, not on the network.
    private int HeldCount
    {
        get
        {
            lock (_heldLock)
            {
                return _held.Count;
            }
        }
    }

    private async Task SaveAsync(params PushWrite[] writes) => (await store.SavePushAsync(writes).ConfigureAwait(false)).EnsureCommitted();

    private void Hold(Push push, string faultId)
    {
        lock (_heldLock)
        {
            _held[(push.Appid, push.Openid)] = (push.Id, faultId);
        }
        LogHeld(_log, push.Id, push.Event, push.Openid);
    }

    /// <summary>A push to this player reached the game server: the one a reorder fault held back goes now, after it.</summary>
    private void ReleaseHeld(Push sent)
    {
        (long Id, string FaultId) held;
        lock (_heldLock)
        {
            if (!_held.Remove((sent.Appid, sent.Openid), out held))
            {
                return;
            }
        }
        // Still marked in flight since it was held: no poll picks it meanwhile.
        _ = Task.Run(() => AttemptAsync(held.Id, released: true, heldBy: held.FaultId), CancellationToken.None);
    }

    /// <summary>
    /// POST /admin/reset wiped the pushes: the ones a reorder fault held are gone, so nothing waits to release them and a
    /// player's next push must not count as releasing one (it would go unheld under a new reorder rule).
    /// </summary>
    public void ForgetHeld()
    {
        lock (_heldLock)
        {
            foreach (var held in _held.Values)
            {
                _inFlight.TryRemove(held.Id, out _);
            }
            _held.Clear();
        }
    }

    /// <summary>Sends a held push now (POST /admin/pushes/{id}/retry): a retry is a request to send, whatever held it.</summary>
    public void Release(long id)
    {
        string? heldBy = null;
        lock (_heldLock)
        {
            foreach (var (key, held) in _held)
            {
                if (held.Id == id)
                {
                    _held.Remove(key);
                    heldBy = held.FaultId;
                    break;
                }
            }
        }
        if (heldBy is not null)
        {
            _ = Task.Run(() => AttemptAsync(id, released: true, heldBy), CancellationToken.None);
        }
        Wake();
    }

    [LoggerMessage(EventId = 20, EventName = "PushAttempt", Level = LogLevel.Information,
        Message = "push {Id} {Event} openid={Openid} -> {Url}: http={HttpStatus} {Outcome} {DurationMs} ms fault={FaultId}")]
    private static partial void LogAttempt(ILogger logger, long id, string @event, string openid, string url, int? httpStatus, string outcome, double durationMs, string? faultId);

    [LoggerMessage(EventId = 21, EventName = "PushHeld", Level = LogLevel.Information,
        Message = "push {Id} {Event} openid={Openid}: held by a reorder fault until the next push to this player is sent")]
    private static partial void LogHeld(ILogger logger, long id, string @event, string openid);

    // The host may dispose the container before or after it stops the services (a test host stopped twice): neither
    // order may throw, so the token source and the semaphore are cancelled, not disposed (they hold no unmanaged handle
    // unless a wait handle was asked for, and none is).
    public void Dispose() => _stopping.Cancel();
}
