#!/usr/bin/env bash
# Crash safety, many times over (issue "Nothing lost, nothing double-charged"). Runs the crash-safety test,
# Emulator.Tests/Process/CrashSafetyTests.cs, with more kills than CI's 4: it publishes the Release build, starts it
# on a file database, sends signed pays, presents, cancels, retries and top-ups from 24 connections (pays and
# presents half through Midas 1.0, half through virtual payment 2.0 on the same players, plus 2.0 partial refunds of
# pays from either: several per pay, some over what is left, some reusing a refund's bill_no), kills it with
# SIGKILL at a random moment 0.5-2.5 s into the load, restarts it on the same file and audits the ledger and the
# accounts over the admin API after every restart. Prints one line per kill and per restart, then the totals.
# Exit 0 when every audit passed.
#
#   bash bench/crash.sh [--kills 20]
set -euo pipefail

kills=20
while (($#)); do
  case $1 in
    --kills) kills=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $kills =~ ^[1-9][0-9]*$ ]] || { echo "crash.sh: --kills takes a whole number from 1" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/midas-crash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MIDAS_CRASH_CYCLES=$kills

echo "building the tests; the test publishes the emulator (Release) itself" >&2
dotnet build "$root/Emulator.Tests" -c Debug >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }

echo "running $kills kill -9 cycles" >&2
status=0
# The detailed console logger shows the test's own output (ITestOutputHelper), which holds the figures.
dotnet test "$root/Emulator.Tests" -c Debug --no-build --filter "FullyQualifiedName~CrashSafetyTests" \
  --logger "console;verbosity=detailed" >"$tmp/test.log" 2>&1 || status=$?

sed -n 's/^ \(published\|cycle\|restart\|final audit\|crash safety\|VIOLATION\)/\1/p' "$tmp/test.log"
if ((status != 0)); then
  echo "the crash-safety test failed (exit $status); its log:" >&2
  sed -n '/Failed MidasEmulator/,/Standard Output/p' "$tmp/test.log" >&2
  exit 1
fi
