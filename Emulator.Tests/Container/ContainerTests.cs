using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Container;

/// <summary>
/// The Dockerfile, built and run for real (podman behind ../shared/container/docker): healthy by its own
/// HEALTHCHECK, a signed pay from the host through the published port, a non-root process, exit 0 within 5 s on
/// SIGTERM, and the pay still there in a new container on the same volume. Skipped only outside CI when no
/// container engine is at hand.
/// </summary>
// Slow: builds the Dockerfile and runs two containers.
[Trait("Category", "Slow")]
// With the load tests, one at a time: the image build takes both cores, and the other process tests time their stops.
[Collection(nameof(LoadTests))]
public sealed class ContainerTests
{
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Image_BuildsRunsHealthyAsNonRoot_TakesAPayFromTheHost_StopsWithin5s_AndKeepsItOnTheVolume()
    {
        var docker = Docker.Find(out var missing);
        Skip.If(docker is null && Environment.GetEnvironmentVariable("CI") != "true", missing);
        Assert.True(docker is not null, $"CI must run the container test: {missing}");

        var id = Guid.NewGuid().ToString("N")[..10];
        var (image, volume, first, second) = ($"midas-emulator-test:{id}", $"midas-test-{id}", $"midas-test-{id}-1", $"midas-test-{id}-2");
        try
        {
            await docker.RunAsync(TimeSpan.FromMinutes(10), "build", "-t", image, docker.RepositoryRoot);
            await docker.RunAsync(TimeSpan.FromSeconds(30), "volume", "create", volume);

            var port = EmulatorProcess.FreePort();
            await docker.RunAsync(TimeSpan.FromSeconds(60), "run", "-d", "--name", first, "-p", $"127.0.0.1:{port}:8080", "-v", $"{volume}:/data", image);
            await docker.WaitHealthyAsync(first, HealthyWithin);

            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
            {
                var backend = new GameBackend(http, TimeProvider.System);
                WireAssert.Ok(await backend.PayAsync(EmulatorApp.DocUser, "DOCKER-1", 40));
            }

            var status = await docker.RunAsync(TimeSpan.FromSeconds(30), "exec", first, "cat", "/proc/1/status");
            var uid = status.Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.NotEqual("0", uid);

            var stopwatch = Stopwatch.StartNew();
            await docker.RunAsync(TimeSpan.FromSeconds(30), "stop", "-t", "10", first);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"docker stop took {stopwatch.Elapsed}");
            Assert.Equal("0", (await docker.RunAsync(TimeSpan.FromSeconds(30), "inspect", first, "--format", "{{.State.ExitCode}}")).Trim());

            var againPort = EmulatorProcess.FreePort();
            await docker.RunAsync(TimeSpan.FromSeconds(60), "run", "-d", "--name", second, "-p", $"127.0.0.1:{againPort}:8080", "-v", $"{volume}:/data", image);
            await docker.WaitHealthyAsync(second, HealthyWithin);
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{againPort}") };
            Assert.Single(await admin.OrdersAsync("bill_no=DOCKER-1&kind=pay"));
            Assert.Equal(1000 - 40, (await admin.AccountAsync(EmulatorApp.DocUser.Openid)).Number("balance"));
        }
        finally
        {
            await docker.TryRunAsync("rm", "-f", first, second);
            await docker.TryRunAsync("volume", "rm", "-f", volume);
            await docker.TryRunAsync("rmi", "-f", image);
        }
    }

    /// <summary>The shared `docker` script (podman underneath), run from the repository root.</summary>
    private sealed class Docker(string script, string repositoryRoot)
    {
        public string RepositoryRoot => repositoryRoot;

        public static Docker? Find(out string missing)
        {
            var root = PublishedEmulator.RepositoryRoot();
            var script = Path.Combine(Path.GetDirectoryName(root)!, "shared", "container", "docker");
            missing = !File.Exists(script)
                ? "no ../shared/container/docker beside the repository"
                : !File.Exists("/usr/bin/podman") ? "podman is not installed (../shared/container/standin-images.sh installs it)" : "";
            return missing.Length == 0 ? new Docker(script, root) : null;
        }

        public async Task<string> RunAsync(TimeSpan timeout, params string[] args)
        {
            var (exitCode, output, errors) = await ExecAsync(timeout, args);
            Assert.True(exitCode == 0, $"docker {string.Join(' ', args)} exited {exitCode}: {errors}{output}");
            return output;
        }

        public async Task TryRunAsync(params string[] args) => await ExecAsync(TimeSpan.FromSeconds(60), args);

        /// <summary>Runs the image's own HEALTHCHECK (podman here has no systemd timer to run it) until it passes.</summary>
        public async Task WaitHealthyAsync(string container, TimeSpan within)
        {
            var stopwatch = Stopwatch.StartNew();
            var last = "";
            while (stopwatch.Elapsed < within)
            {
                var (exitCode, output, errors) = await ExecAsync(TimeSpan.FromSeconds(30), "healthcheck", "run", container);
                if (exitCode == 0)
                {
                    return;
                }
                last = $"exit {exitCode}: {output}{errors}";
                Assert.DoesNotContain("no defined healthcheck", last, StringComparison.Ordinal);
                await Task.Delay(250);
            }
            var logs = await ExecAsync(TimeSpan.FromSeconds(30), "logs", container);
            Assert.Fail($"{container} never passed its HEALTHCHECK ({last}); logs: {logs.Output}{logs.Errors}");
        }

        private async Task<(int ExitCode, string Output, string Errors)> ExecAsync(TimeSpan timeout, params string[] args)
        {
            var start = new ProcessStartInfo(script, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = repositoryRoot,
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, await output, $"timed out after {timeout}; {await errors}");
            }
            return (process.ExitCode, await output, await errors);
        }
    }
}
