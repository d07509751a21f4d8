#!/usr/bin/env python3
# Later pages of listings paged right after their first page, as a client streaming them does (docs/benchmarks.md):
#   python3 bench/perf/later_pages.py [URL] [PAGES]   (a server on a scale-1 release; default http://127.0.0.1:5900, 60)
# Each listing is opened cold (a collection no earlier listing of the run read) and paged PAGES pages of 1000 rows
# (fewer for the v1 kinds), one request at a time; the first pages and every later page are timed client-side.
import requests, time, sys
u = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5900"
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 60

def stream(first_call, next_call, n):
    t = time.time(); r = first_call(); first = (time.time() - t) * 1000
    d = r.json(); tok = d.get("next_page") or d.get("query_info", {}).get("next_page"); later = []
    for _ in range(n):
        if not tok: break
        t = time.time(); r = next_call(tok); later.append((time.time() - t) * 1000)
        if r.status_code != 200: print("status", r.status_code, r.text[:200])
        d = r.json(); tok = d.get("next_page") or d.get("query_info", {}).get("next_page")
    return first, later

def cohort(coll):
    return {"name": "b", "description": "d", "filters": {"collection_id": [coll]}}

def v2(coll):
    body = {"cohort_def": cohort(coll),
            "fields": ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "gcs_url"],
            "counts": True, "group_size": True, "page_size": 1000}
    return stream(lambda: requests.post(u + "/v2/cohorts/manifest/preview", json=body),
                  lambda tok: requests.get(u + "/v2/cohorts/manifest/preview/nextPage", params={"next_page": tok}), pages)

def v1q(coll):
    body = {"cohort_def": cohort(coll),
            "queryFields": {"fields": ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]}}
    return stream(lambda: requests.post(u + "/v1/cohorts/query/preview?page_size=1000", json=body),
                  lambda tok: requests.get(u + "/v1/cohorts/query/nextPage", params={"next_page": tok}), pages // 2)

def v1m(coll):
    # v1 manifests take the cohort definition itself and their columns as query parameters (spec §6.6.1).
    return stream(lambda: requests.post(u + "/v1/cohorts/manifest/preview?GCS_URL=True&page_size=1000", json=cohort(coll)),
                  lambda tok: requests.get(u + "/v1/cohorts/manifest/nextPage", params={"next_page": tok}), pages // 2)

def dicom():
    return stream(lambda: requests.get(u + "/v1/dicomMetadata", params={"page_size": 1000}),
                  lambda tok: requests.get(u + "/v1/dicomMetadata/nextPage", params={"next_page": tok}), pages // 2)

kinds = {}
def run(kind, name, f):
    first, later = f()
    kinds.setdefault(kind, []).extend(later)
    print(f"{kind} {name}: first {first:.0f} ms, later {' '.join(f'{x:.0f}' for x in later)}", flush=True)

for c in ["ispy2", "lidc_idri", "prostatex", "ea1141", "nsclc_radiomics"]:
    run("v2 instance manifest", c, lambda: v2(c))
for c in ["lung_pet_ct_dx", "ispy1", "tcga_brca"]:
    run("v1 instance query", c, lambda: v1q(c))
for c in ["cptac_ccrcc", "tcga_kirc"]:
    run("v1 manifest GCS_URL", c, lambda: v1m(c))
run("dicomMetadata", "all", dicom)

def pct(s, p): return s[min(len(s) - 1, int(len(s) * p))]
every = []
for kind, values in kinds.items():
    s = sorted(values); every += values
    print(f"{kind}: n {len(s)} p50 {pct(s, 0.5):.0f} ms p95 {pct(s, 0.95):.0f} ms max {s[-1]:.0f} ms" if s else f"{kind}: no later pages")
s = sorted(every)
print(f"later pages: n {len(s)} p50 {pct(s, 0.5):.0f} ms p95 {pct(s, 0.95):.0f} ms max {s[-1]:.0f} ms")
