#!/usr/bin/env bash
# How long MidasEmulator.Testing's in-process emulator takes to start: sequential starts on the default (300-player)
# and small seeds, then eight at once, as eight parallel test classes start them. Release build.
#   bash bench/inprocess-start.sh [ROUNDS]      # default 20
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
cd "$(dirname "$0")/.."
dotnet build bench/InProcessStart -c Release -v quiet -nologo >/dev/null
dotnet bench/InProcessStart/bin/Release/net10.0/InProcessStart.dll "${1:-20}"
