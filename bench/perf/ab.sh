#!/usr/bin/env bash
# A warm-start A/B of this checkout against another commit, one server at a time:
#   bench/perf/ab.sh DATA BEFORE [--rounds N] [--per-kind K] [--out DIR]
# Where bench/perf/run.sh measures first starts (both servers up at once, each building its caches during the rounds),
# this one isolates a change's effect on queries: a first start of this checkout builds the caches of DATA's newest
# release (series table, facet index, SOPInstanceUID and gcs_url orders) in a data directory of its own, which is then
# copied for the other server; each round starts each server afresh on its copy (the order alternating by round), waits
# until its caches are loaded, runs the bench's mix and whole manifests against it, records its peak memory (VmHWM)
# and stops it. Results: OUT/after.jsonl, OUT/before.jsonl, OUT/peaks.txt, OUT/summary.md. Run again into the same
# OUT (after a change, or against another commit), it reuses the caches built there.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

data=${1:?usage: bench/perf/ab.sh DATA BEFORE [--rounds N] [--per-kind K] [--out DIR]}
before=${2:?usage: bench/perf/ab.sh DATA BEFORE [--rounds N] [--per-kind K] [--out DIR]}
shift 2
rounds=6
perkind=10
out="/tmp/ic-ab-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --per-kind) perkind=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done
data=$(cd "$data" && pwd)
mkdir -p "$out"
port=5830
base="http://127.0.0.1:$port"

server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  if [ -d "$out/before-src" ]; then git -C "$repo" worktree remove --force "$out/before-src" || true; fi
}
trap cleanup EXIT

build() { # build SRC BIN
  dotnet build "$1/src/ImagingCommons.Cli" -c Release -v q -nologo >/dev/null
  rm -rf "$2" && cp -r "$1/src/ImagingCommons.Cli/bin/Release/net10.0" "$2"
}
build "$repo" "$out/after-bin"
git -C "$repo" worktree add --force "$out/before-src" "$before" >/dev/null 2>&1
build "$out/before-src" "$out/before-bin"
dotnet build "$repo/bench/ImagingCommons.LoadBenchmarks" -c Release -v q -nologo >/dev/null
bench="dotnet $repo/bench/ImagingCommons.LoadBenchmarks/bin/Release/net10.0/ImagingCommons.LoadBenchmarks.dll"

start() { # start LABEL LOG: a server of LABEL on its data directory, ready once its caches are loaded
  dotnet "$out/$1-bin/idc.dll" serve --data "$out/data-$1" --urls "$base" >"$2" 2>&1 &
  server=$!
  until curl -sf "$base/health" >/dev/null 2>&1; do sleep 0.2; done
  # The orders are built (or loaded) after the series table, and the facet index beside them.
  until grep -q "SOPInstanceUID order of release\|could not be built" "$2"; do sleep 1; done
  for _ in $(seq 1 600); do grep -q "Facet index of release" "$2" && break; sleep 1; done
}

stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

# A run into an OUT that holds the caches already (OUT/caches-built) reuses them.
if [ ! -f "$out/caches-built" ]; then
  rm -rf "$out/data-after"
  mkdir -p "$out/data-after"
  cp "$data/releases.json" "$out/data-after/" && ln -s "$data/releases" "$out/data-after/releases"
  echo "first start of this checkout on $data: building its caches (load $(cut -d' ' -f1 /proc/loadavg))"
  start after "$out/after-first.log"
  # The gcs_url order follows the SOPInstanceUID order's log line; it is done when no build's work folder is left.
  while ls -d "$out/data-after/cache/series/".work-* >/dev/null 2>&1; do sleep 2; done
  stop
  touch "$out/caches-built"
fi
rm -rf "$out/data-before" "$out"/after.jsonl "$out"/before.jsonl
cp -a "$out/data-after" "$out/data-before"
rm -f "$out/data-before"/accounts.db*

: >"$out/peaks.txt"
for round in $(seq 0 $((rounds - 1))); do
  order=(after before)
  if [ $((round % 2)) = 1 ]; then order=(before after); fi
  for label in "${order[@]}"; do
    start "$label" "$out/$label-$round.log"
    sleep 5
    load=$(cut -d' ' -f1 /proc/loadavg)
    $bench run --url "$base" --pid "$server" --label "$label" --round "$round" --per-kind "$perkind" \
      --sections mix,whole --out "$out/$label.jsonl" >>"$out/bench.log" 2>&1
    printf 'round %s %s: peak resident memory (VmHWM) %.2f GiB; load %s at its start, %s at its end\n' "$round" "$label" \
      "$(echo "$(awk '/^VmHWM/ {print $2}' "/proc/$server/status") / 1048576" | bc -l)" "$load" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/peaks.txt"
    stop
  done
done

{
  echo "# Warm-start A/B $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores: this checkout (after) against $before (before)"
  echo
  $bench summarize "$out/after.jsonl" "$out/before.jsonl"
  echo
  cat "$out/peaks.txt"
} >"$out/summary.md"
echo "summary: $out/summary.md"
