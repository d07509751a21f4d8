#!/usr/bin/env python3
# Listings ordered by SOPInstanceUID first (docs/benchmarks.md, "Listings ordered by SOPInstanceUID first"):
#   python3 bench/perf/uid_pages.py [URL] [PAGES] [PAGE_SIZE]   (a server on a scale-1 release; default http://127.0.0.1:5900, 40, 1000)
# Each listing is opened cold and paged PAGES pages of 1000 rows, one request at a time, timed client-side; a 202 is
# followed with its token until the page comes (its time counts).
import requests, time, sys
u = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5900"
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 40
PAGE = int(sys.argv[3]) if len(sys.argv) > 3 else 1000

def token(d):
    return d.get("next_page") or d.get("query_info", {}).get("next_page")

def call(first_call, next_call):
    t = time.time(); r = first_call()
    while r.status_code == 202:
        tok = token(r.json()); r = next_call(tok)
    return r, (time.time() - t) * 1000

def stream(first_call, next_call, n):
    r, first = call(first_call, next_call)
    d = r.json(); total = d.get("totalFound") or d.get("query_info", {}).get("totalFound") or d.get("query_results", {}).get("totalFound")
    tok = token(d); later = []
    for _ in range(n):
        if not tok: break
        r, ms = call(lambda: next_call(tok), next_call); later.append(ms)
        if r.status_code != 200: print("status", r.status_code, r.text[:200])
        tok = token(r.json())
    return first, later, total

def v2(filters, fields):
    body = {"cohort_def": {"name": "b", "description": "d", "filters": filters}, "fields": fields, "page_size": PAGE}
    return stream(lambda: requests.post(u + "/v2/cohorts/manifest/preview", json=body),
                  lambda tok: requests.get(u + "/v2/cohorts/manifest/preview/nextPage", params={"next_page": tok}), pages)

def v1q(filters, fields):
    body = {"cohort_def": {"name": "b", "description": "d", "filters": filters}, "queryFields": {"fields": fields}}
    return stream(lambda: requests.post(u + "/v1/cohorts/query/preview?page_size=" + str(PAGE), json=body),
                  lambda tok: requests.get(u + "/v1/cohorts/query/nextPage", params={"next_page": tok}), pages)

def pct(s, p): return sorted(s)[min(len(s) - 1, int(len(s) * p))]
firsts, every = [], []
for name, f in [
    ("v2 CT SOPInstanceUID,gcs_url", lambda: v2({"Modality": ["CT"]}, ["SOPInstanceUID", "gcs_url"])),
    ("v2 all SOPInstanceUID,aws_url,instance_size", lambda: v2({}, ["SOPInstanceUID", "aws_url", "instance_size"])),
    ("v2 nlst SOPInstanceUID,crdc_instance_uuid", lambda: v2({"collection_id": ["nlst"]}, ["SOPInstanceUID", "crdc_instance_uuid"])),
    ("v2 MR SOPInstanceUID,SeriesInstanceUID", lambda: v2({"Modality": ["MR"]}, ["SOPInstanceUID", "SeriesInstanceUID"])),
    ("v1 query PT SOPInstanceUID,SeriesInstanceUID", lambda: v1q({"Modality": ["PT"]}, ["SOPInstanceUID", "SeriesInstanceUID"])),
]:
    first, later, total = f()
    firsts.append(first); every.extend(later)
    print(f"{name} ({total} rows): first {first:.0f} ms, later p50 {pct(later, 0.5):.0f} p95 {pct(later, 0.95):.0f} max {max(later):.0f} ms", flush=True)
print(f"first pages: {' '.join(f'{x:.0f}' for x in firsts)} ms; later pages ({len(every)}): p50 {pct(every, 0.5):.0f} p95 {pct(every, 0.95):.0f} ms")
