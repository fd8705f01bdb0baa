using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using MidasEmulator.Midas;
using MidasEmulator.Storage;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Storage;

public sealed class DiskFailureTests
{
    private static readonly AccountKey Alice = new(Env.Sandbox, "12345678", "1", "oAlice");

    // LiteDB cannot roll back a transaction whose commit failed half-way, and its finalizer retries that rollback
    // on the GC thread: unhandled there, it killed the whole process (the test host, once, in CI). Each round checks
    // what the store did, too: the failed commit threw the disk's error and applied nothing, the store is faulted and
    // refuses the next write at once, and the same files opened again hold exactly what was committed before.
    [Fact]
    public void FailedCommit_OnAThreadThatEnds_AppliesNothingAndFaultsTheStore_TheProcessSurvivesAGarbageCollection_AndAReopenHasTheEarlierCommit()
    {
        for (var round = 0; round < 3; round++)
        {
            var outcome = FailOneCommitOnAThreadThatThenEnds();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            Assert.Null(outcome.Unexpected);
            var failed = Assert.IsType<IOException>(outcome.FailedCommit);
            Assert.Equal("No space left on device", failed.Message);
            Assert.True(outcome.FaultedAfter, $"round {round}: the store is not faulted after the failed commit");
            var later = Assert.IsType<IOException>(outcome.LaterCommit);
            Assert.Contains("restart", later.Message, StringComparison.Ordinal);
            Assert.True(outcome.LaterCommitTook < TimeSpan.FromSeconds(1), $"the later write took {outcome.LaterCommitTook} to fail");

            // The disk has room again: the same data and log, opened anew, recover the commit made before the failure.
            outcome.Log.Broken = false;
            using var reopened = new LiteDbStore(outcome.Data, outcome.Log, NullLogger<LiteDbStore>.Instance);
            var stored = reopened.Load();
            var alice = Assert.Single(stored.Accounts);
            Assert.Equal((Alice, 100L), (alice.Key, alice.Balance));
            Assert.DoesNotContain(reopened.AllOrdersById(), o => o.Kind is OrderKind.Pay or OrderKind.Present);
            Assert.False(reopened.Faulted);
        }
    }

    [Fact]
    public void FailedCommit_FaultsTheStore_AndLaterWritesFailAtOnce()
    {
        var log = new FailingStream();
        using var store = new LiteDbStore(new MemoryStream(), log, NullLogger<LiteDbStore>.Instance);
        store.Commit([Account.Empty(Alice) with { Balance = 100 }], [], [], []);
        log.Broken = true;

        Assert.Throws<IOException>(() => store.Commit([Account.Empty(Alice) with { Balance = 90 }], [], [], []));

        Assert.True(store.Faulted);
        var later = Assert.Throws<IOException>(() => store.Commit([Account.Empty(Alice) with { Balance = 80 }], [], [], []));
        Assert.Contains("restart", later.Message);
    }

    [Fact]
    public void LogThatCannotBeOpened_NamesTheDatabase_AndLeavesTheDataFileFree()
    {
        var dir = Directory.CreateTempSubdirectory("midas-open-").FullName;
        try
        {
            var database = Path.Combine(dir, "midas.db");
            Directory.CreateDirectory(LiteDbFile.LogPathOf(database)); // a directory where the log file should be

            var refused = Assert.Throws<DatabaseOpenException>(() => new LiteDbStore(database, Durability.Process, NullLogger<LiteDbStore>.Instance));

            Assert.Contains(database, refused.Message, StringComparison.Ordinal);
            Directory.Delete(LiteDbFile.LogPathOf(database));
            // The data file was opened exclusively before the log failed: it must have been let go.
            using var store = new LiteDbStore(database, Durability.Process, NullLogger<LiteDbStore>.Instance);
            Assert.True(store.IsEmpty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record CommitOutcome(MemoryStream Data, FailingStream Log, Exception? FailedCommit, bool FaultedAfter, Exception? LaterCommit,
        TimeSpan LaterCommitTook, Exception? Unexpected);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CommitOutcome FailOneCommitOnAThreadThatThenEnds()
    {
        // LiteDB keeps a thread's open transaction in a ThreadLocal: only once that thread ends can the GC find it.
        // Nothing is asserted on that thread (a failed assertion there would end the test host): it only records.
        CommitOutcome? outcome = null;
        var thread = new Thread(() =>
        {
            var data = new MemoryStream();
            var log = new FailingStream();
            try
            {
                var store = new LiteDbStore(data, log, NullLogger<LiteDbStore>.Instance);
                store.Commit([Account.Empty(Alice) with { Balance = 100 }], [], [], []);
                log.Broken = true;
                var failed = Record.Exception(() => store.Commit([Account.Empty(Alice) with { Balance = 90 }], [], [], []));
                var faulted = store.Faulted;
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                var later = Record.Exception(() => store.Commit([Account.Empty(Alice) with { Balance = 80 }], [], [], []));
                var took = stopwatch.Elapsed;
                store.Dispose();
                outcome = new CommitOutcome(data, log, failed, faulted, later, took, null);
            }
            catch (Exception ex)
            {
                outcome = new CommitOutcome(data, log, null, false, null, TimeSpan.Zero, ex);
            }
        });
        thread.Start();
        thread.Join();
        return outcome!;
    }
}
