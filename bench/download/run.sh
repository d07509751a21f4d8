#!/usr/bin/env bash
# Download benchmark (docs/benchmarks.md): files/s and MB/s of `idc download-from-selection` (Release build) from an
# S3-compatible store on loopback (moto_server), for many small files and a few large ones, with 1 and 8 files at a
# time, and the time a rerun takes when every file is already complete. The files are made and ingested as in
# bench/ingest, uploaded with `idc upload`, and served by `idc serve`.
# Usage: bench/download/run.sh [SMALL_COUNT] [LARGE_COUNT] [FRAMES] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
small=${1:-2000}
large=${2:-4}
frames=${3:-200}
work=${4:-/tmp/ic-bench-download}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 1 300); do python3 -c "import urllib.request; urllib.request.urlopen('$1', timeout=1)" 2>/dev/null && return 0; sleep 0.2; done; return 1; }

dotnet publish -c Release src/ImagingCommons.Cli -o "$work/idc" -v q -nologo >/dev/null
idc="$work/idc/idc.dll"
mkdir -p "$work"
[ -d "$work/small" ] || python3 bench/ingest/make_files.py small "$small" "$work/small"
[ -d "$work/large" ] || python3 bench/ingest/make_files.py large "$large" "$frames" "$work/large"

moto_port=$(free_port)
moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
endpoint="http://127.0.0.1:${moto_port}"
wait_for "$endpoint/"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
python3 - "$endpoint" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for bucket in ("bench-small", "bench-large"):
    s3.create_bucket(Bucket=bucket, ACL="public-read")
PY

for kind in small large; do
    rm -rf "$work/data-$kind"
    dotnet "$idc" ingest --data "$work/data-$kind" --release 1.0 --date 2026-01-01 --from "$work/$kind" --collection "bench_$kind" \
        --base-url "s3://bench-$kind/idc" >/dev/null 2>&1 || true
    dotnet "$idc" upload --data "$work/data-$kind" --release 1.0 --endpoint "$endpoint" --parallel 8 >/dev/null 2>"$work/upload-$kind.err"
done
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

echo "nproc $(nproc); $(uptime)"
for kind in small large; do
    port=$(free_port)
    dotnet "$idc" serve --data "$work/data-$kind" --urls "http://127.0.0.1:${port}" >"$work/serve-$kind.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:${port}/health"
    for parallel in 1 8; do
        for run in fetch rerun; do
            [ "$run" = fetch ] && rm -rf "$work/out-$kind"
            load=$(cut -d' ' -f1-3 /proc/loadavg)
            start=$(date +%s.%N)
            dotnet "$idc" download-from-selection --collection-id "bench_$kind" --download-dir "$work/out-$kind" --server "http://127.0.0.1:${port}" \
                --endpoint "$endpoint" --parallel "$parallel" --quiet 2>"$work/dl.err"
            end=$(date +%s.%N)
            files=$(find "$work/out-$kind" -type f | wc -l)
            bytes=$(du -sb "$work/out-$kind" | cut -f1)
            seconds=$(echo "$end - $start" | bc -l)
            printf '%s, --parallel %d, %s: %d files, %.1f MB, %.2f s, %.0f files/s, %.1f MB/s (load before: %s) | %s\n' \
                "$kind" "$parallel" "$run" "$files" "$(echo "$bytes / 1000000" | bc -l)" "$seconds" "$(echo "$files / $seconds" | bc -l)" \
                "$(echo "$bytes / 1000000 / $seconds" | bc -l)" "$load" "$(tail -1 "$work/dl.err")"
        done
    done
done
