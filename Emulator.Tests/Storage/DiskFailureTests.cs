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
    // on the GC thread: unhandled there, it killed the whole process (the test host, once, in CI).
    [Fact]
    public void FailedCommit_LeavesNothingForTheFinalizer_TheProcessSurvivesAGarbageCollection()
    {
        for (var round = 0; round < 3; round++)
        {
            FailOneCommitOnAThreadThatThenEnds();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
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
            Directory.CreateDirectory(LiteDbStore.LogPathOf(database)); // a directory where the log file should be

            var refused = Assert.Throws<DatabaseOpenException>(() => new LiteDbStore(database, Durability.Process, NullLogger<LiteDbStore>.Instance));

            Assert.Contains(database, refused.Message, StringComparison.Ordinal);
            Directory.Delete(LiteDbStore.LogPathOf(database));
            // The data file was opened exclusively before the log failed: it must have been let go.
            using var store = new LiteDbStore(database, Durability.Process, NullLogger<LiteDbStore>.Instance);
            Assert.True(store.IsEmpty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailOneCommitOnAThreadThatThenEnds()
    {
        // LiteDB keeps a thread's open transaction in a ThreadLocal: only once that thread ends can the GC find it.
        var thread = new Thread(() =>
        {
            var log = new FailingStream();
            var store = new LiteDbStore(new MemoryStream(), log, NullLogger<LiteDbStore>.Instance);
            store.Commit([Account.Empty(Alice) with { Balance = 100 }], [], [], []);
            log.Broken = true;
            Assert.ThrowsAny<Exception>(() => store.Commit([Account.Empty(Alice) with { Balance = 90 }], [], [], []));
            store.Dispose();
        });
        thread.Start();
        thread.Join();
    }
}
