using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MidasEmulator.Logging;

namespace MidasEmulator.Tests.Logging;

/// <summary>The batched console logger: the standard formats, every line in order, stderr by level, a bounded queue.</summary>
public sealed class BatchedConsoleLoggerTests : IDisposable
{
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
    }

    private BatchedConsoleLoggerProvider Provider(Action<ConsoleLoggerOptions> configure, TimeSpan? flushInterval = null)
    {
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).AddJsonConsole())
            .Configure<ConsoleLoggerOptions>(o =>
            {
                o.FormatterName = ConsoleFormatterNames.Simple;
                configure(o);
            })
            .BuildServiceProvider();
        return new BatchedConsoleLoggerProvider(services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(),
            services.GetServices<ConsoleFormatter>(), _stdout, _stderr, flushInterval ?? TimeSpan.FromHours(1));
    }

    private static string[] Lines(MemoryStream stream) =>
        Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Lines_ComeOutInOrder_AndFromTheThresholdOnToStderr()
    {
        using var provider = Provider(o => o.LogToStandardErrorThreshold = LogLevel.Warning);
        var logger = provider.CreateLogger("MidasEmulator.Calls");

        logger.LogInformation("one");
        logger.LogInformation("two");
        logger.LogWarning("three");
        Assert.Empty(Lines(_stdout)); // nothing before a flush: that is the batching
        provider.Flush();

        Assert.Collection(Lines(_stdout), l => Assert.EndsWith("one", l), l => Assert.EndsWith("two", l));
        Assert.Contains("MidasEmulator.Calls", Lines(_stdout)[0], StringComparison.Ordinal);
        Assert.EndsWith("three", Assert.Single(Lines(_stderr)));
    }

    [Fact]
    public void JsonFormatter_WritesOneJsonObjectPerLine()
    {
        using var provider = Provider(o => o.FormatterName = ConsoleFormatterNames.Json);

        provider.CreateLogger("MidasEmulator.Calls").LogInformation("pay {BillNo}", "B-1");
        provider.Flush();

        using var entry = JsonDocument.Parse(Assert.Single(Lines(_stdout)));
        Assert.Equal("MidasEmulator.Calls", entry.RootElement.GetProperty("Category").GetString());
        Assert.Equal("B-1", entry.RootElement.GetProperty("State").GetProperty("BillNo").GetString());
    }

    [Fact]
    public void TheTimer_FlushesWithoutBeingAsked_AndDisposeWritesTheRest()
    {
        using (var provider = Provider(_ => { }, TimeSpan.FromMilliseconds(20)))
        {
            var logger = provider.CreateLogger("test");
            logger.LogInformation("early");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Lines(_stdout).Length == 0 && waited.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(5);
            }
            Assert.Single(Lines(_stdout));
            logger.LogInformation("last");
        }

        Assert.EndsWith("last", Lines(_stdout)[^1]);
    }

    [Fact]
    public void AFullQueue_DropsLinesAndSaysHowMany()
    {
        using var provider = Provider(_ => { });
        var logger = provider.CreateLogger("test");

        for (var i = 0; i < BatchedConsoleLoggerProvider.MaxQueuedLines + 5; i++)
        {
            logger.LogInformation("line {Number}", i);
        }
        provider.Flush();

        Assert.Equal(BatchedConsoleLoggerProvider.MaxQueuedLines, Lines(_stdout).Length);
        Assert.Contains("5 log lines dropped", Assert.Single(Lines(_stderr)), StringComparison.Ordinal);
    }
}
