#!/usr/bin/env bash
# Ingest benchmark (docs/benchmarks.md): files/s and peak memory of `idc ingest` (Release build) for many small
# files and for a few large multi-frame ones. Usage: bench/ingest/run.sh [SMALL_COUNT] [LARGE_COUNT] [FRAMES] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
small=${1:-100000}
large=${2:-4}
frames=${3:-800}
work=${4:-/tmp/ic-bench-ingest}

dotnet build -c Release src/ImagingCommons.Cli -v q -nologo >/dev/null
idc=$(ls src/ImagingCommons.Cli/bin/Release/net10.0/idc.dll)
mkdir -p "$work"
[ -d "$work/small" ] || python3 bench/ingest/make_files.py small "$small" "$work/small"
[ -d "$work/large" ] || python3 bench/ingest/make_files.py large "$large" "$frames" "$work/large"

run() {
    local name=$1 from=$2 count
    count=$(find "$from" -type f | wc -l)
    rm -rf "$work/data-$name"
    # Cold-ish: drop what the page cache can (needs root; ignored otherwise).
    sync; echo 3 2>/dev/null > /proc/sys/vm/drop_caches || true
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss-$name" dotnet "$idc" ingest --data "$work/data-$name" --release 1.0 --date 2026-01-01 \
        --from "$from" --collection bench --base-url s3://bench/idc > "$work/out-$name" 2> "$work/err-$name"
    end=$(date +%s.%N)
    local seconds rss bytes
    seconds=$(echo "$end - $start" | bc -l)
    rss=$(cat "$work/rss-$name")
    bytes=$(du -sb "$from" | cut -f1)
    printf '%s: %d files, %.1f MB, %.1f s, %.0f files/s, %.0f MB/s, peak RSS %.0f MB (load before: %s)\n' \
        "$name" "$count" "$(echo "$bytes / 1000000" | bc -l)" "$seconds" "$(echo "$count / $seconds" | bc -l)" \
        "$(echo "$bytes / 1000000 / $seconds" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$load"
    tail -1 "$work/out-$name" >/dev/null
}

echo "nproc $(nproc); $(uptime)"
load=$(cut -d' ' -f1-3 /proc/loadavg); run small "$work/small"
load=$(cut -d' ' -f1-3 /proc/loadavg); run large "$work/large"
