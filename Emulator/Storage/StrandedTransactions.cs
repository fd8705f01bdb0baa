using System.Collections;
using System.Reflection;
using LiteDB;

namespace MidasEmulator.Storage;

/// <summary>
/// Works around a LiteDB 5.0.21 hazard. A commit that fails half-way through writing its pages (a full disk) leaves
/// a transaction that can neither roll back nor dispose: its first page already moved to the read cache, so both
/// end in "discarded page must be writable". The transaction's finalizer repeats that dispose on the GC thread,
/// where the exception kills the process, minutes later and anywhere. The store is faulted by then and a restart
/// recovers from the log, so the right thing is to let the stranded transaction go without its finalizer.
/// </summary>
internal static class StrandedTransactions
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>Suppresses the finalizer of every transaction the database still holds.</summary>
    /// <exception cref="InvalidOperationException">LiteDB's internals changed: the workaround needs revisiting.</exception>
    public static void Release(LiteDatabase db)
    {
        var engine = Field(db, "_engine");
        var monitor = Field(engine, "_monitor");
        var transactions = Field(monitor, "_transactions") as IDictionary
            ?? throw new InvalidOperationException("LiteDB's TransactionMonitor._transactions is not a dictionary");
        lock (transactions)
        {
            foreach (var transaction in transactions.Values)
            {
#pragma warning disable CA1816 // deliberately someone else's object: LiteDB's, whose own finalizer is the hazard
                GC.SuppressFinalize(transaction!);
#pragma warning restore CA1816
            }
        }
    }

    private static object Field(object owner, string name) =>
        owner.GetType().GetField(name, Instance)?.GetValue(owner)
        ?? throw new InvalidOperationException($"LiteDB internals changed: {owner.GetType().Name}.{name} not found");
}
