#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md, one command:
#   bench/perf/run.sh DATA [--before COMMIT] [--rounds N] [--per-kind K] [--out DIR] [--no-naive] [--no-largest]
# DATA is a data directory holding releases (e.g. one made by `idc generate --scale 1 --seed 1`); it is only read:
# each server gets a data directory of its own under OUT with a copy of releases.json and a link to DATA/releases,
# so its caches (series tables, keys, accounts) go there, and its first start is a first start on the release.
#
# It builds this checkout (Release) and, with --before, the given commit in a temporary worktree; starts each server
# with a memory watch (VmHWM, VmRSS and the load average every second, from its first instant); times the start-up to
# fast answers (the log's "ready" lines and the first counts answered under 150 ms); then runs the same load on each
# server in alternating rounds (after, before; before, after; ...), each round with cold listings of its own (the query
# mix of bench/ImagingCommons.LoadBenchmarks/Mix.cs: counts, first, later and deep pages, whole manifests) and wrk on
# the metadata routes; then the issue's largest first pages once per server; then the naive baseline (the same SQL on
# the instance Parquet, no series tables or caches) with the servers idle. Results: OUT/*.jsonl, OUT/summary.md.
# Traffic goes only to 127.0.0.1; every process it starts is stopped by its id when it ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

data=${1:?usage: bench/perf/run.sh DATA [--before COMMIT] [--rounds N] [--per-kind K] [--out DIR]}
shift
before=""
rounds=2
perkind=10
out="/tmp/ic-bench-$(date +%Y%m%d-%H%M%S)"
naive=1
largest=1
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --per-kind) perkind=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-naive) naive=0; shift ;;
    --no-largest) largest=0; shift ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done
data=$(cd "$data" && pwd)
mkdir -p "$out"
release=$(ls "$data/releases" | sort -V | tail -1)
echo "data $data (release $release), results in $out"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$before" ] && [ -d "$out/before-src" ]; then git -C "$repo" worktree remove --force "$out/before-src" || true; fi
}
trap cleanup EXIT

build() { # build SRC BIN
  dotnet build "$1/src/ImagingCommons.Cli" -c Release -v q -nologo >/dev/null
  rm -rf "$2" && cp -r "$1/src/ImagingCommons.Cli/bin/Release/net10.0" "$2"
}

labels=(after)
build "$repo" "$out/after-bin"
dotnet build "$repo/bench/ImagingCommons.LoadBenchmarks" -c Release -v q -nologo >/dev/null
bench="dotnet $repo/bench/ImagingCommons.LoadBenchmarks/bin/Release/net10.0/ImagingCommons.LoadBenchmarks.dll"
if [ -n "$before" ]; then
  git -C "$repo" worktree add --force "$out/before-src" "$before" >/dev/null 2>&1
  build "$out/before-src" "$out/before-bin"
  labels=(after before)
fi

declare -A port pid
n=0
for label in "${labels[@]}"; do
  port[$label]=$((5810 + n)); n=$((n + 1))
  dir="$out/data-$label"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$data/releases.json" "$dir/" && ln -s "$data/releases" "$dir/releases"
done

# Start-up, one server at a time (each builds its series table with the machine to itself).
for label in "${labels[@]}"; do
  started=$(date +%s.%N)
  dotnet "$out/$label-bin/idc.dll" serve --data "$out/data-$label" --urls "http://127.0.0.1:${port[$label]}" >"$out/$label-server.log" 2>&1 &
  pid[$label]=$!
  pids+=("${pid[$label]}")
  bench/perf/watch-memory.sh "${pid[$label]}" "$out/$label-memory.tsv" &
  pids+=("$!")
  base="http://127.0.0.1:${port[$label]}"
  until curl -sf "$base/health" >/dev/null 2>&1; do sleep 0.2; done
  listening=$(echo "$(date +%s.%N) - $started" | bc)
  # Fast answers: once the log says the series table is ready (or could not be built), the docs' counts query answered
  # under 150 ms (asked once a second, each ask a new query). Asking before would only queue instance-table scans.
  until grep -q "Series table of release\|series table of release" "$out/$label-server.log"; do sleep 1; done
  i=0
  while true; do
    i=$((i + 1))
    body="{\"cohort_def\":{\"name\":\"s\",\"description\":\"s\",\"filters\":{\"Modality\":[\"CT\"],\"BodyPartExamined\":[\"startup-$i\",\"None\"]}},\"fields\":[],\"counts\":true,\"group_size\":true}"
    t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' -d "$body" "$base/v2/cohorts/manifest/preview")
    if [ "$(echo "$t < 0.150" | bc)" = 1 ]; then break; fi
    sleep 1
  done
  fast=$(echo "$(date +%s.%N) - $started" | bc)
  # The facet index follows the series table; wait for it too, so that the rounds meet a server at rest.
  # (A server that has no facet route, such as one built before them, has none to wait for.)
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/portal")" = 200 ]; then
    for _ in $(seq 1 300); do grep -q "Facet index of release" "$out/$label-server.log" && break; sleep 1; done
  fi
  ready=$(grep -o "Series table of release [^ ]* ready after [0-9.]* s" "$out/$label-server.log" | head -1 || true)
  facets=$(grep -o "Facet index of release [^ ]* ready after [0-9.]* s" "$out/$label-server.log" | head -1 || true)
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/${pid[$label]}/status")
  printf '%s: listening after %.1f s; counts under 150 ms after %.1f s; %s; %s; peak so far %.2f GiB; load %s\n' \
    "$label" "$listening" "$fast" "$ready" "$facets" "$(echo "$hwm / 1048576" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/startup.txt"
done

wrk_round() { # wrk_round LABEL ROUND
  local base="http://127.0.0.1:${port[$1]}"
  for route in /v2/versions /v2/collections /v2/filters /v1/about; do
    local result rps p50 p99
    result=$(wrk --latency -t2 -c32 -d5s "$base$route")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
    p50=$(awk '$1=="50%" {print $2}' <<<"$result")
    p99=$(awk '$1=="99%" {print $2}' <<<"$result")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$1" "$route" "$rps" "$p50" "$p99" "$(cut -d' ' -f1 /proc/loadavg)" >>"$out/wrk.md"
  done
}

echo "| round | server | route | requests/s | p50 | p99 | load 1 min |" >"$out/wrk.md"
echo "|---|---|---|---|---|---|---|" >>"$out/wrk.md"
for round in $(seq 0 $((rounds - 1))); do
  order=("${labels[@]}")
  if [ $((round % 2)) = 1 ] && [ ${#labels[@]} = 2 ]; then order=(before after); fi
  for label in "${order[@]}"; do
    echo "round $round: $label (load $(cut -d' ' -f1 /proc/loadavg))"
    if command -v wrk >/dev/null; then wrk_round "$label" "$round"; fi
    $bench run --url "http://127.0.0.1:${port[$label]}" --pid "${pid[$label]}" --label "$label" --round "$round" --per-kind "$perkind" \
      --sections mix,whole --out "$out/$label.jsonl"
  done
done

if [ "$largest" = 1 ]; then
  for label in "${labels[@]}"; do
    echo "largest first pages: $label (load $(cut -d' ' -f1 /proc/loadavg))"
    $bench run --url "http://127.0.0.1:${port[$label]}" --pid "${pid[$label]}" --label "$label" --round 0 --sections largest --out "$out/$label-largest.jsonl"
  done
fi

if [ "$naive" = 1 ]; then
  echo "naive baseline (load $(cut -d' ' -f1 /proc/loadavg))"
  $bench naive --data "$data" --release "$release" --round 0 --per-kind 3 --whole $([ "$largest" = 1 ] && echo --largest) --temp "$out/naive-tmp" --out "$out/naive.jsonl"
fi

for label in "${labels[@]}"; do
  printf '%s: peak resident memory (VmHWM) over the whole run %.2f GiB\n' "$label" \
    "$(echo "$(awk '/^VmHWM/ {print $2}' "/proc/${pid[$label]}/status") / 1048576" | bc -l)" | tee -a "$out/startup.txt"
done

{
  echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores"
  echo
  cat "$out/startup.txt"
  echo
  $bench summarize "$out"/*.jsonl
  echo
  cat "$out/wrk.md"
} >"$out/summary.md"
echo "summary: $out/summary.md"
