#!/usr/bin/env bash
# The soak (docs/benchmarks.md §4): a Release build of the emulator on a temporary LiteDB file, then soak/MidasSoak
# drives it over loopback: 100,000 mixed operations (getbalance, pay, cancelpay, present, admin top-ups) over
# 1,000 users from 32 concurrent workers, with 20% of the WeChat calls faulted (errcode -1, drop, HTTP 502/504
# and delays, before and after the commit). The driver retries like a correct game backend, checks the ledger
# against its own model every 10%, and samples the emulator's RSS there. Half the getbalances, pays, presents and
# reversals (--game-pay-share) go through virtual payment 2.0 (/wxa/game/*, a reversal there being a partial refund)
# on the same players and ledger as the 1.0 calls.
#
#   bash bench/soak.sh [--keep] [driver options: --ops 100000 --users 1000 --workers 32 --fault-rate 0.2
#                       --seed N --checkpoints 10 --rss-growth-slack-mb 16 --memory-verdict-min-ops 50000
#                       --call-timeout-ms 1000 --game-pay-share 50]
#
# Exit code 0 when every invariant held and the RSS stayed within the limit, 1 otherwise.
set -euo pipefail

keep=false driver_args=()
while (($#)); do
  case $1 in
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) (($# >= 2)) || { echo "soak.sh: $1 needs a value" >&2; exit 2; }; driver_args+=("$1" "$2"); shift 2 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in dotnet curl python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool is required" >&2; exit 2; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
tmp=$(mktemp -d /tmp/midas-soak.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  if [[ $keep == true ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

log "publishing the emulator and the soak driver (Release) into $tmp"
dotnet publish "$root/Emulator" -c Release -o "$tmp/emulator" >"$tmp/publish.log" 2>&1 \
  || { cat "$tmp/publish.log" >&2; exit 1; }
dotnet publish "$root/soak/MidasSoak" -c Release -o "$tmp/soak" >>"$tmp/publish.log" 2>&1 \
  || { cat "$tmp/publish.log" >&2; exit 1; }

url=http://127.0.0.1:$(free_port)

# From the publish folder, as the Docker image runs it (appsettings.json is read from the working directory).
# exec, so that $! is the emulator itself and the driver reads its RSS from /proc/$!/status.
(cd "$tmp/emulator" && exec dotnet MidasEmulator.dll --urls "$url" --Midas:Database="$tmp/soak.db") >"$tmp/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  curl -sf "$url/admin/health" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/emulator.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf "$url/admin/health" >/dev/null || { echo "soak.sh: the emulator never became healthy" >&2; exit 1; }
# The RSS figures are only worth something if $pid is the emulator itself, not a shell around it.
grep -qa MidasEmulator.dll "/proc/$pid/cmdline" || { echo "soak.sh: pid $pid is not the emulator" >&2; exit 1; }
log "emulator (pid $pid) healthy at $url; load average $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
dotnet "$tmp/soak/MidasSoak.dll" --base-url "$url" --pid "$pid" "${driver_args[@]}" || status=$?

# A clean stop after the soak: SIGTERM drains the writer and checkpoints LiteDB; it must exit 0.
t0=$(date +%s%N)
kill -TERM "$pid"
stop_status=0; wait "$pid" || stop_status=$?
log "emulator stopped on SIGTERM: exit $stop_status after $((($(date +%s%N) - t0) / 1000000)) ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
pid=
((stop_status == 0)) || status=1
exit "$status"
