#!/usr/bin/env python3
"""First pages of instance listings, each cold, one request at a time on an otherwise idle server.

Usage: python3 bench/perf/first_pages.py URL KIND COLLECTION[,COLLECTION...] [N]
KIND: v2 (instance manifest, the bench's fields, counts and group_size), v1q (v1 instance-level query), v1g (v1
manifest of GCS_URL), v1sg (v1 manifest of SOPInstanceUID and GCS_URL). Each collection is asked N times (default 5)
with page sizes 1000, 999, ... so that every request is a listing the server has not seen, 2 s apart so that the
window read ahead after each has ended; prints the median per collection. Traffic goes only to the given URL.
"""
import statistics
import sys
import time

import requests

FIELDS = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "gcs_url"]
QUERY_FIELDS = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]


def ask(base, kind, collection, page_size):
    filters = {"collection_id": [collection]}
    if kind == "v2":
        return requests.post(f"{base}/v2/cohorts/manifest/preview", timeout=600, json={
            "cohort_def": {"name": "b", "description": "b", "filters": filters},
            "fields": FIELDS, "counts": True, "group_size": True, "page_size": page_size})
    if kind == "v1q":
        return requests.post(f"{base}/v1/cohorts/query/preview?page_size={page_size}", timeout=600, json={
            "cohort_def": {"name": "b", "description": "b", "filters": filters}, "queryFields": {"fields": QUERY_FIELDS}})
    columns = {"v1g": "GCS_URL=True", "v1sg": "SOPInstanceUID=True&GCS_URL=True"}[kind]
    return requests.post(f"{base}/v1/cohorts/manifest/preview?{columns}&page_size={page_size}", timeout=600,
                         json={"name": "b", "description": "b", "filters": filters})


def main():
    base, kind, collections = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    results = []
    for collection in collections:
        samples = []
        for k in range(n):
            time.sleep(2)
            start = time.perf_counter()
            response = ask(base, kind, collection, 1000 - k)
            samples.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
        results.append(f"{collection}: {statistics.median(samples):.0f} ms")
    print(kind, "; ".join(results))


if __name__ == "__main__":
    main()
