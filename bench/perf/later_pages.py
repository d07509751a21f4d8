#!/usr/bin/env python3
# Later pages of instance listings paged right after their first page (docs/benchmarks.md):
#   python3 bench/perf/later_pages.py [URL]   (a server on a scale-1 release; default http://127.0.0.1:5900)
import requests, time, sys
u = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5900"
def v2(coll):
    body = {"cohort_def": {"name": "b", "description": "d", "filters": {"collection_id": [coll]}},
            "fields": ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "gcs_url"],
            "counts": True, "group_size": True, "page_size": 1000}
    t = time.time(); r = requests.post(u + "/v2/cohorts/manifest/preview", json=body); first = (time.time() - t) * 1000
    d = r.json(); tok = d.get("next_page"); later = []
    for _ in range(20):
        t = time.time(); r = requests.get(u + "/v2/cohorts/manifest/preview/nextPage", params={"next_page": tok}); later.append((time.time() - t) * 1000)
        d = r.json(); tok = d.get("next_page")
        if r.status_code != 200: print("status", r.status_code)
    return first, later
def v1q(coll):
    body = {"cohort_def": {"name": "b", "description": "d", "filters": {"collection_id": [coll]}},
            "queryFields": {"fields": ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]}}
    t = time.time(); r = requests.post(u + "/v1/cohorts/query/preview?page_size=1000", json=body); first = (time.time() - t) * 1000
    d = r.json(); tok = d.get("next_page"); later = []
    for _ in range(10):
        t = time.time(); r = requests.get(u + "/v1/cohorts/query/nextPage", params={"next_page": tok}); later.append((time.time() - t) * 1000)
        d = r.json(); tok = d.get("next_page")
    return first, later
allv = []
for c in ["ispy2", "lidc_idri", "prostatex", "ea1141", "nsclc_radiomics"]:
    f, l = v2(c); allv += l
    print(f"v2 {c}: first {f:.0f} ms, later {' '.join(f'{x:.0f}' for x in l)}")
for c in ["lung_pet_ct_dx", "ispy1", "tcga_brca"]:
    f, l = v1q(c); allv += l
    print(f"v1q {c}: first {f:.0f} ms, later {' '.join(f'{x:.0f}' for x in l)}")
s = sorted(allv); print(f"later pages: n {len(s)} p50 {s[len(s)//2]:.0f} ms p95 {s[int(len(s)*0.95)]:.0f} ms max {s[-1]:.0f}")
