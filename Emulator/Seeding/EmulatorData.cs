using MidasEmulator.Auth;
using MidasEmulator.Faults;
using MidasEmulator.Journal;
using MidasEmulator.Pushes;
using MidasEmulator.Storage;

namespace MidasEmulator.Seeding;

/// <summary>
/// The data's life cycle: at start-up it loads the database into memory, starts the writer and seeds an
/// empty database; on POST /admin/reset it wipes and reseeds; at shutdown (after Kestrel has finished the
/// requests in flight) it drains the writer and checkpoints LiteDB so the data file alone holds everything.
/// </summary>
public sealed class EmulatorData(
    LiteDbStore store,
    LedgerState ledger,
    LedgerWriter writer,
    AppRegistry apps,
    AccessTokens tokens,
    Sessions sessions,
    SeedLoader seeder,
    FaultRules faults,
    RequestJournal journal,
    PushDispatcher dispatcher,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<EmulatorData> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var empty = store.IsEmpty;
        var data = store.Load();
        foreach (var account in data.Accounts)
        {
            ledger.Publish(account);
        }
        var bills = writer.LoadLiveBills(time.GetUtcNow());
        ledger.SetLastOrderId(data.LastOrderId);
        apps.Load(data.Apps);
        tokens.Load(data.Tokens);
        sessions.Load(data.Sessions);
        writer.Start();
        var seededUsers = empty ? await seeder.LoadAsync().ConfigureAwait(false) : 0;
        // Said once the port is bound: a start that fails (the port is taken) prints nothing but its one sentence.
        lifetime.ApplicationStarted.Register(() =>
        {
            logger.LogInformation("database {Database}: {Accounts} accounts, last order id {LastOrderId}", store.Database, data.Accounts.Count,
                data.LastOrderId);
            logger.LogInformation("bill_no memory: {Bills} live bills, {Source}, {Orders} orders read from the ledger, {Ms:0} ms", bills.Bills,
                bills.FromSnapshot ? "from the snapshot" : "no snapshot", bills.OrdersRead, bills.Elapsed.TotalMilliseconds);
            if (empty)
            {
                LogSeeded(seededUsers);
            }
        });
    }

    private void LogSeeded(int users) => logger.LogInformation("seeded {Users} users from {Path}", users, seeder.ResolvePath() ?? "no seed file");

    /// <summary>
    /// Wipes accounts, orders, sessions, login codes, tokens, fault rules and the journal (registered apps stay,
    /// docs/reference.md §1.2); reloads the seed file unless told not to.
    /// </summary>
    public async Task<int> ResetAsync(bool reseed)
    {
        (await writer.ResetAsync(() =>
        {
            tokens.Clear();
            sessions.Clear();
            dispatcher.ForgetHeld();
        }).ConfigureAwait(false)).EnsureCommitted();
        faults.Clear();
        journal.Clear();
        if (!reseed)
        {
            return 0;
        }
        var seeded = await seeder.LoadAsync().ConfigureAwait(false);
        LogSeeded(seeded);
        return seeded;
    }

    /// <summary>
    /// Drains the writer and checkpoints. The host's token may already be spent on Kestrel waiting for slow calls;
    /// the drain gets its own second (the writer holds only what is mid-commit) so a slow call never costs the checkpoint.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.StopAsync().WaitAsync(DrainTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Whatever was acknowledged is in LiteDB's log already; the next start recovers it.
            logger.LogWarning("the writer did not drain within {Timeout}; stopping without a checkpoint", DrainTimeout);
            return;
        }
        // The next start then reads the live bills in bulk and no order at all (docs/architecture.md §2.2).
        writer.SaveBillSnapshot();
        store.Close();
    }

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);
}
