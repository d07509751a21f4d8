#!/usr/bin/env bash
# Samples a process's memory every second until it exits: VmHWM (peak resident since start), VmRSS, load average.
# Usage: bench/perf/watch-memory.sh PID OUT.tsv
pid=$1; out=$2
printf 'seconds\tvmhwm_kb\tvmrss_kb\tload1\n' > "$out"
start=$(date +%s.%N)
while [ -r "/proc/$pid/status" ]; do
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  load=$(cut -d' ' -f1 /proc/loadavg)
  now=$(date +%s.%N)
  [ -n "$hwm" ] && printf '%.1f\t%s\t%s\t%s\n' "$(echo "$now - $start" | bc)" "$hwm" "$rss" "$load" >> "$out"
  sleep 1
done
