#!/usr/bin/env python3
# First pages of v1 manifests over any filters, one request at a time, each then paged PAGES pages on (docs/benchmarks.md):
#   python3 bench/perf/v1_filter_pages.py URL COLUMNS PAGES FILTERS...   (e.g. SOPInstanceUID,GCS_URL 15 '{"Modality":["MR"]}')
# A first page answered 202 is asked again until it is there (its time is the first answer's). Prints each listing's
# total, first page, the time to read it all, and each later page in ms.
import json, requests, sys, time
u = sys.argv[1]; cols = sys.argv[2]; pages = int(sys.argv[3])
q = "&".join(x + "=True" for x in cols.split(",")) + "&page_size=1000"
for f in sys.argv[4:]:
    body = {"name": "b", "description": "d", "filters": json.loads(f)}
    t0 = time.time(); r = requests.post(u + "/v1/cohorts/manifest/preview?" + q, json=body); first = (time.time() - t0) * 1000
    while r.status_code == 202:
        time.sleep(0.5); r = requests.post(u + "/v1/cohorts/manifest/preview?" + q, json=body)
    d = r.json(); tok = d.get("next_page"); total = d.get("manifest", {}).get("totalFound"); later = []
    for i in range(pages):
        if not tok: break
        t = time.time(); r = requests.get(u + "/v1/cohorts/manifest/nextPage", params={"next_page": tok}); later.append((time.time() - t) * 1000)
        tok = r.json().get("next_page")
    print(f, r.status_code, total, f"first {first:.0f}", f"all {time.time() - t0:.1f} s", " ".join(f"{x:.0f}" for x in later), flush=True)
