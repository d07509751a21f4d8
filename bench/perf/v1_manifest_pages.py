#!/usr/bin/env python3
# First pages of v1 manifests, one request at a time, each then paged PAGES pages on (docs/benchmarks.md):
#   python3 bench/perf/v1_manifest_pages.py URL COLLECTION[,COLLECTION...] [COLUMNS] [PAGES]   (default GCS_URL, 8
#   pages; e.g. SOPInstanceUID,GCS_URL 40). A collection asked before with the same columns is a cached result.
# Prints each collection's first page, its later pages and the time to read them all, then the later pages' p50/p95.
import requests, time, sys
u = sys.argv[1]; colls = sys.argv[2].split(","); cols = sys.argv[3] if len(sys.argv) > 3 else "GCS_URL"
pages = int(sys.argv[4]) if len(sys.argv) > 4 else 8
every = []
for c in colls:
    body = {"name": "b", "description": "d", "filters": {"collection_id": [c]}}
    q = "&".join(x + "=True" for x in cols.split(",")) + "&page_size=1000"
    t0 = time.time(); r = requests.post(u + "/v1/cohorts/manifest/preview?" + q, json=body); first = (time.time() - t0) * 1000
    d = r.json(); tok = d.get("next_page") or d.get("query_info", {}).get("next_page"); later = []
    for i in range(pages):
        if not tok: break
        t = time.time(); r = requests.get(u + "/v1/cohorts/manifest/nextPage", params={"next_page": tok}); later.append((time.time() - t) * 1000)
        d = r.json(); tok = d.get("next_page") or d.get("query_info", {}).get("next_page")
    every += later
    print(c, r.status_code, f"first {first:.0f}", f"all {time.time() - t0:.1f} s", " ".join(f"{x:.0f}" for x in later), flush=True)
s = sorted(every)
if s:
    p = lambda q: s[min(len(s) - 1, int(len(s) * q))]
    print(f"later pages: n {len(s)} p50 {p(.5):.0f} ms p95 {p(.95):.0f} ms max {s[-1]:.0f} ms, {sum(s) / 1000:.1f} s in all")
