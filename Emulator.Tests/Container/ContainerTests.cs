using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MidasEmulator.Tests.Support;

namespace MidasEmulator.Tests.Container;

/// <summary>
/// The Dockerfile, built and run for real: healthy by its own HEALTHCHECK, a signed pay from the host through the
/// published port, a non-root process, exit 0 within 5 s on SIGTERM, and the pay still there in a new container on
/// the same volume. The engine is `docker` from the PATH when a Docker engine answers it (a laptop, a CI runner with
/// Docker), else ../shared/container/docker beside the repository (podman behind a docker-like script). Skipped when
/// there is neither, unless MIDAS_REQUIRE_CONTAINER_TEST=1 (.ci/run sets it when the shared script is there): then it fails.
/// </summary>
// Slow: builds the Dockerfile and runs two containers.
[Trait("Category", "Slow")]
// With the load tests, one at a time: the image build takes both cores, and the other process tests time their stops.
[Collection(nameof(LoadTests))]
public sealed class ContainerTests
{
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(60);

    /// <summary>Set to 1 where the container test must run rather than skip (our CI, by .ci/run).</summary>
    public const string RequiredVariable = "MIDAS_REQUIRE_CONTAINER_TEST";

    [SkippableFact]
    public async Task Image_BuildsRunsHealthyAsNonRoot_TakesA10PayAndA20RefundFromTheHost_StopsWithin5s_AndKeepsThemOnTheVolume()
    {
        var docker = Docker.Find(out var missing);
        var required = Environment.GetEnvironmentVariable(RequiredVariable) == "1";
        Skip.If(docker is null && !required, missing);
        Assert.True(docker is not null, $"{RequiredVariable}=1, so the container test must run, but it has no container engine: {missing}");

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
                var backend = new MidasGameClient(http, clock: TimeProvider.System);
                WireAssert.Ok(await backend.PayAsync(MidasDefaults.DocPlayer, "DOCKER-1", 40));
                // 2.0 on the same ledger: a refund of half the 1.0 pay.
                var game = new MidasGamePayClient(http, clock: TimeProvider.System);
                WireAssert.Ok(await game.RefundAsync(MidasDefaults.DocPlayer, "DOCKER-1-R", "DOCKER-1", 20));
                // The dashboard's files travel inside the published assembly (docs/reference.md §6).
                Assert.Contains("<title>MidasEmulator dashboard</title>", await http.GetStringAsync("/ui"), StringComparison.Ordinal);
                Assert.Contains("import", await http.GetStringAsync("/ui/app.js"), StringComparison.Ordinal);
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
            Assert.Single(await admin.AsAdmin().OrdersAsync("bill_no=DOCKER-1&kind=pay"));
            Assert.Single(await admin.AsAdmin().OrdersAsync("bill_no=DOCKER-1-R&kind=refund"));
            Assert.Equal(1000 - 40 + 20, (await admin.AsAdmin().AccountAsync(MidasDefaults.DocPlayer.Openid)).Balance);
        }
        finally
        {
            await docker.TryRunAsync("rm", "-f", first, second);
            await docker.TryRunAsync("volume", "rm", "-f", volume);
            await docker.TryRunAsync("rmi", "-f", image);
        }
    }

    /// <summary>A docker command line, run from the repository root: a real Docker engine's client, or the shared podman script.</summary>
    private sealed class Docker(string command, string repositoryRoot, bool podman)
    {
        public string RepositoryRoot => repositoryRoot;

        /// <summary>`docker` from the PATH if `docker info` succeeds (a client with no engine behind it fails that), else the shared script.</summary>
        public static Docker? Find(out string missing)
        {
            var root = PublishedEmulator.RepositoryRoot();
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "docker")).FirstOrDefault(File.Exists);
            var engine = onPath is null ? "no docker on the PATH" : EngineAnswers(onPath, root);
            // Behind DOCKER_HOST may be podman's API service (../shared/container/docker-api, which .ci/run starts for the
            // Testcontainers tests): it never runs HEALTHCHECKs on its own, so use the podman script, which runs them.
            if (engine.Length == 0 && IsPodmanService(onPath!, root))
            {
                engine = $"{onPath} talks to podman's API service";
            }
            if (engine.Length == 0)
            {
                missing = "";
                return new Docker(onPath!, root, podman: false);
            }
            var script = Path.Combine(Path.GetDirectoryName(root)!, "shared", "container", "docker");
            missing = !File.Exists(script)
                ? $"{engine}, and no ../shared/container/docker beside the repository"
                : !File.Exists("/usr/bin/podman") ? $"{engine}, and podman is not installed for ../shared/container/docker (../shared/container/standin-images.sh installs it)" : "";
            return missing.Length == 0 ? new Docker(script, root, podman: true) : null;
        }

        private static bool IsPodmanService(string docker, string root)
        {
            var version = new Docker(docker, root, podman: false).ExecAsync(TimeSpan.FromSeconds(20), "version", "--format",
                "{{range .Server.Components}}{{.Name}};{{end}}").GetAwaiter().GetResult();
            return version.Output.Contains("Podman", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>"" when `docker info` succeeds within 20 s; otherwise why not.</summary>
        private static string EngineAnswers(string docker, string root)
        {
            var info = new Docker(docker, root, podman: false).ExecAsync(TimeSpan.FromSeconds(20), "info").GetAwaiter().GetResult();
            return info.ExitCode == 0 ? "" : $"{docker} info exited {info.ExitCode} (no Docker engine answers it)";
        }

        public async Task<string> RunAsync(TimeSpan timeout, params string[] args)
        {
            var (exitCode, output, errors) = await ExecAsync(timeout, args);
            Assert.True(exitCode == 0, $"docker {string.Join(' ', args)} exited {exitCode}: {errors}{output}");
            return output;
        }

        public async Task TryRunAsync(params string[] args) => await ExecAsync(TimeSpan.FromSeconds(60), args);

        /// <summary>
        /// Waits for the image's own HEALTHCHECK to pass: podman here has no systemd timer to run it, so it is run by
        /// hand; Docker runs it itself, so its reported health is read.
        /// </summary>
        public async Task WaitHealthyAsync(string container, TimeSpan within)
        {
            var stopwatch = Stopwatch.StartNew();
            var last = "";
            while (stopwatch.Elapsed < within)
            {
                var (exitCode, output, errors) = podman
                    ? await ExecAsync(TimeSpan.FromSeconds(30), "healthcheck", "run", container)
                    : await ExecAsync(TimeSpan.FromSeconds(30), "inspect", container, "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}no defined healthcheck{{end}}");
                if (exitCode == 0 && (podman || output.Trim() == "healthy"))
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
            var start = new ProcessStartInfo(command, args)
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
