#!/usr/bin/env bash
# The repeatable benchmark (docs/benchmarks.md §1): a Release build of the emulator on a temporary LiteDB
# file, 1,000 players set up over the admin API, then wrk over loopback with pre-signed requests
# (bench/gen.py writes them, bench/load.lua sends them), and the ledger checked afterwards.
#
#   bash bench/run.sh [--runs 3] [--duration 10s] [--connections 64] [--threads 2] [--warmup 3s] [--keep]
#
# Each run starts fresh servers on new databases:
#   1. Process durability: warm-up, then health (the ceiling), getbalance and its 2.0 twin
#      game-getbalance (/wxa/game/getbalance), pay with fresh bill_nos and its 2.0 twin game-pay
#      (/wxa/game/pay, same players, same sandbox ledger), pay replays of already-paid bill_nos (90012
#      "bill_no repeated" is the correct reply), and the mix (80% getbalance, 15% fresh pay, 5%
#      cancelpay of distinct pays); then the ledger check.
#   2. Full durability: warm-up, pay with fresh bill_nos; then the ledger check.
#   3. The WireMock.Net stub (bench/WireMockStub): the same fresh-pay load against one fixed mapping.
# bench/report.py prints the medians and the targets. Exit code 1 if a ledger check found a violation.
set -euo pipefail

given_args=$*
runs=3 duration=10s connections=64 threads=2 warmup=3s keep=false
rate_cap=40000 # request files hold enough fresh pays for this many requests per second
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $duration =~ ^[0-9]+s$ && $warmup =~ ^[0-9]+s$ ]] || { echo "run.sh: --duration and --warmup take seconds, e.g. 10s" >&2; exit 2; }
for tool in dotnet wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required (apt-get install wrk python3 curl)" >&2; exit 2; }
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
tmp=$(mktemp -d /tmp/midas-bench.XXXXXX)
results=$tmp/results.txt
: >"$results"
pids=()

stop_pid() { # SIGTERM (the emulator finishes its queue and checkpoints), SIGKILL after 15 s
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [[ $keep == true ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/lib.sh
source "$bench/lib.sh"

python3 "$bench/gen.py" selftest >/dev/null
log "publishing the emulator and the WireMock.Net stub (Release) into $tmp"
dotnet publish "$root/Emulator" -c Release -o "$tmp/emulator" >"$tmp/publish.log" 2>&1 \
  || { cat "$tmp/publish.log" >&2; exit 1; }
dotnet publish "$bench/WireMockStub" -c Release -o "$tmp/stub" >>"$tmp/publish.log" 2>&1 \
  || { cat "$tmp/publish.log" >&2; exit 1; }
wiremock_version=$(sed -n 's/.*"WireMock.Net\/\([0-9.]*\)".*/\1/p' "$tmp/stub/WireMockStub.deps.json" | head -n 1)

# start_emulator NAME DURABILITY: a new database; sets url, pid; records the start-to-healthy time.
start_emulator() {
  local name=$1 durability=$2 port t0 ms
  port=$(free_port)
  url=http://127.0.0.1:$port
  t0=$(date +%s%N)
  # From the publish folder, as the Docker image runs it: appsettings.json (log levels) is read from the working directory.
  (cd "$tmp/emulator" && exec dotnet MidasEmulator.dll --urls "$url" --Midas:Database="$tmp/$name.db" \
    --Midas:Durability="$durability") >"$tmp/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  ms=$(python3 "$bench/gen.py" wait "$url/admin/health" --t0-ns "$t0" --pid "$pid") \
    || { cat "$tmp/$name.log" >&2; exit 1; }
  echo "run=$run meta=start server=$durability ms=$ms" >>"$results"
  log "$name: $durability durability, healthy after $ms ms at $url"
}

# record_rss DURABILITY PHASE: the server's peak RSS so far (VmHWM).
record_rss() {
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
  echo "run=$run meta=$2 server=$1 kb=$hwm" >>"$results"
}

# stop_emulator NAME DURABILITY: records the peak RSS of the server's whole life and stops it.
stop_emulator() {
  record_rss "$2" rss
  stop_pid "$pid"
  log "$1: stopped; peak RSS $((hwm / 1024)) MB"
}

# load CASE FILES DURATION [record]: one wrk run; with "record" its BENCH line goes to the results.
load() {
  local case=$1 files=$2 dur=$3 record=${4:-} out line
  out=$(wrk -t"$threads" -c"$connections" -d"$dur" -s "$bench/load.lua" "$url" -- "$files" "$token" 2>&1) \
    || { echo "$out" >&2; exit 1; }
  line=$(grep '^BENCH ' <<<"$out") || { echo "$out" >&2; exit 1; }
  if [[ $record == record ]]; then
    echo "run=$run case=$case ${line#BENCH }" >>"$results"
    log "$case: ${line#BENCH }"
  fi
  # successful pays seen by the clients (1.0 and 2.0; of those, the 2.0 ones apart), for the ledger check
  acked=$((acked + $(sed -n 's/.*[=,]pay_ok:\([0-9]*\).*/\1/p' <<<"$line" | grep . || echo 0)))
  acked_game=$((acked_game + $(sed -n 's/.*[=,]game_pay_ok:\([0-9]*\).*/\1/p' <<<"$line" | grep . || echo 0)))
}

# prepare NAME CASES: players, token and set-up pays over the API, then the request files.
prepare() {
  local name=$1 cases=$2 secs=${duration%s}
  mkdir -p "$tmp/$name"
  python3 "$bench/gen.py" prepare --base "$url" --out "$tmp/$name" --tag "$name" --cases "$cases" \
    --threads "$threads" --fresh-lines $((rate_cap * secs)) --mix-lines $((rate_cap * secs)) 2>&1 | sed 's/^/    /' >&2
  token=$(cat "$tmp/$name/token")
  acked=0 acked_game=0
}

ledger_check() {
  local name=$1 out status=0
  out=$(python3 "$bench/gen.py" check --state "$tmp/$name/state.json" --acked-pays "$acked" \
    --acked-game-pays "$acked_game") || status=$?
  echo "$out" | sed 's/^/    /' >&2
  echo "run=$run meta=ledger server=$name ok=$([[ $status == 0 ]] && echo 1 || echo 0) $(head -n 1 <<<"$out")" >>"$results"
}

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
echo "meta=loadavg before=${loadavg// /,}" >>"$results"
log "load average before the runs: $loadavg (the numbers mean most on an idle machine)"
for ((run = 1; run <= runs; run++)); do
  # 1. Process durability: the ceiling, the four Midas cases and the two 2.0 ones on one server.
  name=run$run-process
  start_emulator "$name" Process
  prepare "$name" getbalance,pay,replay,mix,game-getbalance,game-pay
  load warmup-health "$tmp/$name/health" "$warmup"
  load warmup-mix "$tmp/$name/warm" "$warmup"
  acked=0 acked_game=0 # the warm-up file wraps around; its pays are in the ledger but not counted as acknowledged
  load health "$tmp/$name/health" "$duration" record
  load getbalance "$tmp/$name/getbalance" "$duration" record
  load game-getbalance "$tmp/$name/game-getbalance" "$duration" record
  load pay "$tmp/$name/pay" "$duration" record
  load game-pay "$tmp/$name/game-pay" "$duration" record # right after pay: report.py compares the two
  load replay "$tmp/$name/replay" "$duration" record
  load mix "$tmp/$name/mix" "$duration" record
  record_rss Process rss_load
  ledger_check "$name"
  stop_emulator "$name" Process

  # 2. Full durability: fresh pays only.
  name=run$run-full
  start_emulator "$name" Full
  prepare "$name" pay
  load warmup-health "$tmp/$name/health" "$warmup"
  load warmup-mix "$tmp/$name/warm" "$warmup"
  acked=0 acked_game=0
  load pay-full "$tmp/$name/pay" "$duration" record
  record_rss Full rss_load
  ledger_check "$name"
  stop_emulator "$name" Full

  # 3. WireMock.Net's fixed stub, with the fresh-pay requests of the Process server (it checks nothing).
  port=$(free_port)
  url=http://127.0.0.1:$port
  (cd "$tmp/stub" && exec dotnet WireMockStub.dll "$port") >"$tmp/run$run-stub.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  python3 "$bench/gen.py" wait "$url/cgi-bin/midas/sandbox/pay" --post --t0-ns "$(date +%s%N)" --pid "$pid" >/dev/null \
    || { cat "$tmp/run$run-stub.log" >&2; exit 1; }
  token=$(cat "$tmp/run$run-process/token")
  load warmup-stub "$tmp/run$run-process/pay" "$warmup"
  load stub "$tmp/run$run-process/pay" "$duration" record
  stop_pid "$pid"
  rm -f "$tmp"/run"$run"-*/{pay,game-pay,mix,warm}.* # the big request files; the next run writes its own
done

python3 "$bench/report.py" "$results" --runs "$runs" --duration "$duration" --connections "$connections" \
  --threads "$threads" --wiremock "${wiremock_version:-?}" --command "bash bench/run.sh${given_args:+ $given_args}"
