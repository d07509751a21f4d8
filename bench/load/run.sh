#!/usr/bin/env bash
# Load test of the running server on loopback with wrk (Debian package `wrk`).
# Usage: bench/load/run.sh [scale] [seconds]
# Generates (once) a release at the given scale into bench/load/data-<scale>, serves it from a Release build,
# and reports requests/s and latency percentiles per route. Traffic goes only to 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-0.01}
seconds=${2:-10}
port=5077
data="bench/load/data-${scale}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

dotnet build -c Release src/ImagingCommons.Cli -v q -nologo >/dev/null
idc="dotnet src/ImagingCommons.Cli/bin/Release/net10.0/idc.dll"
if [ ! -d "$data/releases" ]; then
  $idc generate --data "$data" --scale "$scale" --seed 1
fi

$idc serve --data "$data" --urls "http://127.0.0.1:${port}" --query-deadline-ms 60000 >/tmp/ic-load-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:${port}/health" >/dev/null && break; sleep 0.2; done

run() {
  local name=$1; shift
  local out
  out=$(wrk --latency -t2 -c32 -d"${seconds}s" "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99"
}

echo "| route | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
base="http://127.0.0.1:${port}"
run "GET /v2/versions" "$base/v2/versions"
run "GET /v2/collections" "$base/v2/collections"
run "GET /v2/collections (gzip)" -H "Accept-Encoding: gzip" "$base/v2/collections"
run "GET /v2/filters" "$base/v2/filters"
run "GET /v1/about" "$base/v1/about"
run "POST /v2/cohorts/manifest/preview (series, CT, first page)" -s bench/load/manifest.lua "$base/v2/cohorts/manifest/preview"
run "POST /v2/cohorts/manifest/preview (counts only)" -s bench/load/counts.lua "$base/v2/cohorts/manifest/preview"
