#!/usr/bin/env bash
# The scale benchmark (docs/benchmarks.md §6, issue 16): does the emulator stay flat as the ledger grows?
# A Release build on a temporary LiteDB file, P players set up over the admin API, then, in one run:
#   1. pay with fresh bill_nos on the fresh ledger (the reference figure);
#   2. wrk sends fresh pays until the ledger holds N orders (all within the 48 h window);
#   3. pay with fresh bill_nos again, same process, at N orders (after a sync, as before step 8);
#   4. SIGTERM and a restart on the same file: time to healthy, RSS a few seconds later;
#   5. after a 3 s warm-up, a load of fresh pays (default 60 s) after the restart, in windows as long as step 1's:
#      req/s of the first window and of the whole load, and RSS after it;
#   6. GET /admin/invariants over the whole ledger: its time, and RSS after it;
#   7. the database's bytes per order;
#   8. pay with fresh bill_nos on a second, new database: the fresh figure again, since a shared machine drifts.
#
#   bash bench/scale.sh [--orders 1000000] [--players 5000] [--duration 15s] [--load 60s] [--connections 64] [--threads 2]
#                       [--random-bills] [--keep]
# --random-bills gives every fresh pay a UUID-like bill_no instead of a numbered one (docs/benchmarks.md §6).
#
# Needs the .NET 10 SDK, wrk, python3 and curl; sends load only to 127.0.0.1. Prints its figures plainly at the end.
set -euo pipefail

given_args=$*
orders=1000000 players=5000 duration=15s load_time=60s connections=64 threads=2 keep=false random_bills= bill_kind=numbered
rate_cap=16000 # request files hold enough fresh pays for this many requests per second
while (($#)); do
  case $1 in
    --orders) orders=$2; shift 2 ;;
    --players) players=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --load) load_time=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    --random-bills) random_bills=--random-bills bill_kind=random; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $duration =~ ^[0-9]+s$ && $load_time =~ ^[0-9]+s$ ]] || { echo "scale.sh: --duration and --load take seconds, e.g. 15s" >&2; exit 2; }
[[ $orders =~ ^[1-9][0-9]*$ && $players =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --orders and --players take whole numbers" >&2; exit 2; }
for tool in dotnet wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "scale.sh: $tool is required (apt-get install wrk python3 curl)" >&2; exit 2; }
done

bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
tmp=$(mktemp -d /tmp/midas-scale.XXXXXX)
pid=
# shellcheck source=bench/lib.sh
source "$bench/lib.sh"

stop_server() { # SIGTERM (the emulator drains its queue and checkpoints); SIGKILL after 30 s
  local i
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || { pid=; return 0; }
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
cleanup() {
  stop_server
  if [[ $keep == true ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "publishing the emulator (Release) into $tmp"
dotnet publish "$root/Emulator" -c Release -o "$tmp/emulator" >"$tmp/publish.log" 2>&1 || { cat "$tmp/publish.log" >&2; exit 1; }
db=$tmp/scale.db
port=$(free_port)
url=http://127.0.0.1:$port

# start_server: on $db; sets pid and start_ms (process start to the first 200 from /admin/health).
start_server() {
  local t0
  t0=$(date +%s%N)
  (cd "$tmp/emulator" && exec dotnet MidasEmulator.dll --urls "$url" --Midas:Database="$db") >>"$tmp/server.log" 2>&1 &
  pid=$!
  start_ms=$(python3 "$bench/gen.py" wait "$url/admin/health" --t0-ns "$t0" --pid "$pid" --timeout 300) \
    || { tail -n 30 "$tmp/server.log" >&2; exit 1; }
}
rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status"; }
hwm_mb() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status"; }
# last_order_id: the ledger's highest order id (ids are dense from 1), by a search over after_id pages of one order.
last_order_id() {
  python3 - "$url" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
def has_after(n):
    with urllib.request.urlopen(f"{base}/admin/orders?after_id={n}&limit=1") as r:
        return len(json.load(r)) > 0
lo, hi = 0, 1
while has_after(hi):
    lo, hi = hi, hi * 2
while hi - lo > 1:  # has_after(lo) or lo == 0; not has_after(hi)
    mid = (lo + hi) // 2
    lo, hi = (mid, hi) if has_after(mid) else (lo, mid)
print(hi if has_after(lo) else lo)
EOF
}
# wrk_pays FILE DURATION: one wrk run of pre-signed requests; sets rps, p99 (ms) and bench_line (wrk's BENCH line).
wrk_pays() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$2" -s "$bench/load.lua" "$url" -- "$1" "$token" 2>&1) || { echo "$out" >&2; exit 1; }
  bench_line=$(grep '^BENCH ' <<<"$out") || { echo "$out" >&2; exit 1; }
  rps=$(python3 -c 'import re, sys; f = dict(re.findall(r"(\w+)=(\S+)", sys.argv[1])); print(round(int(f["requests"]) * 1e6 / int(f["duration_us"])))' "$bench_line")
  p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$bench_line" | awk '{ printf "%.1f", $1 / 1000 }')
}
# slice NAME FIRST COUNT: lines FIRST .. FIRST+COUNT-1 of every thread's share of the big pay file.
slice() {
  local i
  for ((i = 1; i <= threads; i++)); do
    sed -n "$2,$(($2 + $3 - 1))p;$(($2 + $3 - 1))q" "$tmp/req/pay.$i" >"$tmp/req/$1.$i"
  done
}

start_server
log "fresh database: healthy after $start_ms ms"
secs=${duration%s} load_secs=${load_time%s}
per_thread_measure=$((rate_cap * secs / threads + 1))
# The load after the restart runs as windows as long as one pay measurement, so its first window compares with the
# other figures like for like and the later ones show what a longer load costs (the ledger and the kernel's
# writeback of what it wrote both grow during it).
windows=$(((load_secs + secs - 1) / secs))
per_thread_load=$((per_thread_measure * windows))
per_thread_build=$((orders / threads + 1))
total=$(((per_thread_measure * 2 + per_thread_load + per_thread_build + per_thread_measure / 5) * threads))
mkdir -p "$tmp/req"
log "setting up $players players and signing $total fresh pays"
python3 "$bench/gen.py" prepare --base "$url" --out "$tmp/req" --tag scale --cases pay --users "$players" $random_bills \
  --threads "$threads" --fresh-lines "$total" --warm-lines 2000 2>&1 | sed 's/^/    /' >&2
token=$(cat "$tmp/req/token")
slice fresh 1 "$per_thread_measure"
slice atn $((per_thread_measure + 1)) "$per_thread_measure"
for ((w = 1; w <= windows; w++)); do
  slice "after$w" $((per_thread_measure * (1 + w) + 1)) "$per_thread_measure"
done
slice build $((per_thread_measure * 2 + per_thread_load + 1)) "$per_thread_build"
# Three seconds of fresh pays warm the restarted process up (JIT tiers, the commit path) before its load is measured,
# as the warm-up file did for the fresh process: the two figures then compare like with like.
slice rewarm $((per_thread_measure * 2 + per_thread_load + per_thread_build + 1)) $((per_thread_measure / 5))
rm -f "$tmp"/req/pay.*

wrk_pays "$tmp/req/warm" 3s
wrk_pays "$tmp/req/fresh" "$duration"; fresh_rps=$rps fresh_p99=$p99 fresh_line=$bench_line
fresh_rss=$(rss_mb)
log "pay on the fresh ledger: $fresh_rps req/s, p99 $fresh_p99 ms, RSS $fresh_rss MB"

log "building the ledger to $orders orders with fresh pays"
t0=$(date +%s)
wrk -t"$threads" -c"$connections" -d3600s -s "$bench/load.lua" "$url" -- "$tmp/req/build" "$token" >"$tmp/build.out" 2>&1 &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 2
  if curl -sf "$url/admin/orders?after_id=$((orders - 1))&limit=1" | grep -q '"id"'; then
    kill -INT "$wrk_pid"
    break
  fi
done
wait "$wrk_pid" || true
build_s=$(($(date +%s) - t0))
ledger=$(last_order_id)
log "ledger holds $ledger orders after $build_s s ($(grep -o 'wraps=[0-9]*' "$tmp/build.out" || echo 'wraps=?'))"

# As before the second fresh figure: the build's dirty pages are flushed first, so the kernel writing them back
# does not slow the measurement at N.
t_sync=$(date +%s%N); sync; log "flushed the build's writes in $((($(date +%s%N) - t_sync) / 1000000)) ms"
wrk_pays "$tmp/req/atn" "$duration"; atn_rps=$rps atn_p99=$p99 atn_line=$bench_line
atn_rss=$(rss_mb)
log "pay at $ledger orders, same process: $atn_rps req/s, p99 $atn_p99 ms, RSS $atn_rss MB"

stop_server
start_server
restart_ms=$start_ms
sleep 3
restart_rss=$(rss_mb) restart_hwm=$(hwm_mb)
ledger=$(last_order_id)
log "restart on $ledger orders: healthy after $restart_ms ms; RSS 3 s later $restart_rss MB (peak $restart_hwm MB)"

wrk_pays "$tmp/req/rewarm" 3s
after_requests=0 after_us=0 after_p99=0 after_windows= after_line=
for ((w = 1; w <= windows; w++)); do
  window_secs=$((w < windows ? secs : load_secs - secs * (windows - 1)))
  wrk_pays "$tmp/req/after$w" "${window_secs}s"
  after_windows+="${after_windows:+ / }$rps"
  after_line+="${after_line:+ | }$bench_line"
  after_requests=$((after_requests + $(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$bench_line")))
  after_us=$((after_us + $(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$bench_line")))
  after_p99=$(python3 -c 'import sys; print(max(float(a) for a in sys.argv[1:]))' "$after_p99" "$p99")
  [[ $w == 1 ]] && first_rps=$rps first_p99=$p99
done
after_rps=$((after_requests * 1000000 / after_us))
after_rss=$(rss_mb) after_hwm=$(hwm_mb)
log "$load_time of pays after the restart: $after_rps req/s (windows of $duration: $after_windows), highest p99 $after_p99 ms; RSS $after_rss MB (peak $after_hwm MB)"

ledger=$(last_order_id)
invariants=$(curl -s -o "$tmp/invariants.json" -w '%{time_total}' "$url/admin/invariants")
invariants_ok=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print("ok" if r.get("ok") else "VIOLATIONS: " + json.dumps(r)[:400])' "$tmp/invariants.json")
invariants_rss=$(rss_mb)
log "GET /admin/invariants over $ledger orders: $invariants s, $invariants_ok; RSS after it $invariants_rss MB"

stop_server
bytes=$(stat -c %s "$db")
log_file="${db%.db}-log.db"
[[ -f $log_file ]] && bytes=$((bytes + $(stat -c %s "$log_file")))

# A second fresh figure at the end, on a new database: a shared machine drifts over a run this long, and the
# ratio is taken against the mean of the two. The large file's dirty pages are flushed first, so the kernel writing
# them back does not slow the fresh measurement (it cost the second figure a quarter once).
sync
db=$tmp/fresh2.db
start_server
mkdir -p "$tmp/req2"
python3 "$bench/gen.py" prepare --base "$url" --out "$tmp/req2" --tag fresh2 --cases pay --users "$players" $random_bills \
  --threads "$threads" --fresh-lines $((rate_cap * secs)) --warm-lines 2000 2>&1 | sed 's/^/    /' >&2
token=$(cat "$tmp/req2/token")
wrk_pays "$tmp/req2/warm" 3s
wrk_pays "$tmp/req2/pay" "$duration"; fresh2_rps=$rps fresh2_p99=$p99
log "pay on a second fresh ledger: $fresh2_rps req/s, p99 $fresh2_p99 ms"
stop_server
fresh_mean=$(((fresh_rps + fresh2_rps) / 2))

ratio() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / int(sys.argv[2]):.2f}")' "$1" "$2"; }
cat <<EOF

scale benchmark: bash bench/scale.sh${given_args:+ $given_args}
  $(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
  ledger: $ledger orders, $players players, $bill_kind bill_nos, built in $build_s s; $((bytes / 1024 / 1024)) MB on disk, $((bytes / ledger)) bytes per order
  pay, fresh ledger:                  $fresh_rps req/s, p99 $fresh_p99 ms (RSS $fresh_rss MB); at the end, on a new one: $fresh2_rps req/s, p99 $fresh2_p99 ms
  pay, at N orders (same process):    $atn_rps req/s, p99 $atn_p99 ms ($(ratio "$atn_rps" "$fresh_mean") x the fresh mean; RSS $atn_rss MB)
  restart to healthy:                 $restart_ms ms
  RSS after the restart:              $restart_rss MB (peak during start $restart_hwm MB)
  pay, first $duration after the restart: $first_rps req/s, p99 $first_p99 ms ($(ratio "$first_rps" "$fresh_mean") x the fresh mean)
  pay, $load_time after the restart:      $after_rps req/s, highest p99 $after_p99 ms ($(ratio "$after_rps" "$fresh_mean") x the fresh mean); by window: $after_windows
  RSS after that load:                $after_rss MB (peak $after_hwm MB)
  GET /admin/invariants:              $invariants s ($invariants_ok); RSS after it $invariants_rss MB
  wrk lines: fresh [$fresh_line] at-N [$atn_line] after-restart [$after_line]
EOF
