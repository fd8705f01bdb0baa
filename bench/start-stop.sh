#!/usr/bin/env bash
# Start and stop, measured (issue 4): the published emulator's time from process start to a 200 from
# /admin/health, and what SIGTERM does with a call in flight; then the same for the container when
# ../shared/container/docker is there. Prints one line per figure.
#
#   bash bench/start-stop.sh [--starts 5] [--no-container]
set -euo pipefail

starts=5 container=true
while (($#)); do
  case $1 in
    --starts) starts=$2; shift 2 ;;
    --no-container) container=false; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "start-stop.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
tmp=$(mktemp -d /tmp/midas-startstop.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# shellcheck source=bench/lib.sh
source "$bench/lib.sh"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The build the image runs: Release, ReadyToRun, framework-dependent.
dotnet publish "$root/Emulator" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$tmp/app" >"$tmp/publish.log" 2>&1 || { cat "$tmp/publish.log" >&2; exit 1; }

times=()
for ((i = 1; i <= starts; i++)); do
  port=$(free_port)
  t0=$(date +%s%N)
  (cd "$tmp/app" && exec dotnet MidasEmulator.dll --urls "http://127.0.0.1:$port" --Midas:Database="$tmp/start$i.db") \
    >"$tmp/start$i.log" 2>&1 &
  pid=$!
  ms=$(python3 "$bench/gen.py" wait "http://127.0.0.1:$port/admin/health" --t0-ns "$t0" --pid "$pid")
  times+=("$ms")
  kill "$pid"; wait "$pid" || true
done
echo "process start to healthy (ReadyToRun, new database with the seed, $starts starts): ${times[*]} ms; median $(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((starts + 1) / 2))p") ms"

# SIGTERM while a call is held by a 60 s delay fault: the process must still exit 0 within 5 s (3 s for calls in
# flight, then the writer drains and LiteDB checkpoints).
port=$(free_port)
(cd "$tmp/app" && exec dotnet MidasEmulator.dll --urls "http://127.0.0.1:$port" --Midas:Database="$tmp/stop.db") >"$tmp/stop.log" 2>&1 &
pid=$!
python3 "$bench/gen.py" wait "http://127.0.0.1:$port/admin/health" --t0-ns "$(date +%s%N)" --pid "$pid" >/dev/null
curl -sf -X POST "http://127.0.0.1:$port/admin/faults" -H 'Content-Type: application/json' \
  -d '{"endpoint":"getbalance","action":"delay","delay_ms":60000}' >/dev/null
curl -s -m 70 -X POST "http://127.0.0.1:$port/cgi-bin/midas/sandbox/getbalance?access_token=x" -d '{}' >/dev/null &
sleep 0.5
t0=$(now_ms)
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
echo "SIGTERM with a call held by a 60 s delay fault: exit $status after $(($(now_ms) - t0)) ms"
wait || true

[[ $container == true ]] || exit 0
docker=$root/../shared/container/docker
[[ -x $docker ]] || { echo "container: skipped (no ../shared/container/docker)"; exit 0; }
# podman logs "unable to get systemd connection" on these machines (no systemd): harmless, so hidden.
image=midas-startstop:latest name=midas-startstop-$$ volume=midas-startstop-$$
"$docker" build -q -t "$image" "$root" >/dev/null
port=$(free_port)
t0=$(now_ms)
"$docker" run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$volume:/data" "$image" >/dev/null 2>&1
until "$docker" healthcheck run "$name" >/dev/null 2>&1; do sleep 0.05; done 2>/dev/null
echo "container: docker run to a passing HEALTHCHECK (docker healthcheck run): $(($(now_ms) - t0)) ms"
t0=$(now_ms)
"$docker" stop -t 10 "$name" >/dev/null 2>&1
echo "container: docker stop (SIGTERM) took $(($(now_ms) - t0)) ms, exit code $("$docker" inspect "$name" --format '{{.State.ExitCode}}')"
"$docker" rm -f "$name" >/dev/null 2>&1
"$docker" volume rm -f "$volume" >/dev/null
"$docker" rmi -f "$image" >/dev/null
