#!/usr/bin/env python3
"""Cold-query latencies of the running server on loopback (python3 with requests).

Usage: bench/load/queries.py http://127.0.0.1:5077
Each query below runs once cold (first time the server sees it: the result is computed and materialised), then
its next pages are read at several depths. Reports p50/p95 per kind. Traffic goes only to the given loopback URL.
"""
import statistics
import sys
import time

import requests

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5077"
MODALITIES = ["CT", "MR", "PT", "SEG", "SR", "SM", "MG", "CR", "DX", "US"]
BODY_PARTS = ["CHEST", "BREAST", "PROSTATE", "LUNG", "ABDOMEN", "PELVIS", "KIDNEY", "LIVER", "BRAIN", "HEAD"]


def post(body):
    start = time.perf_counter()
    response = requests.post(f"{BASE}/v2/cohorts/manifest/preview", json=body, timeout=600)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, response.json()


def report(name, samples):
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    print(f"| {name} | {len(samples)} | {statistics.median(samples) * 1000:.0f} ms | {p95 * 1000:.0f} ms |")


def main():
    counts, first_pages, later_pages, whole = [], [], [], []
    for i, modality in enumerate(MODALITIES):
        body_part = BODY_PARTS[i]
        # Cohort preview counts for a series-level filter set.
        elapsed, _ = post({"cohort_def": {"filters": {"Modality": [modality], "BodyPartExamined": [body_part, "None"]}},
                           "fields": [], "counts": True, "group_size": True})
        counts.append(elapsed)
        # First 1000-row page of a series manifest.
        elapsed, page = post({"cohort_def": {"filters": {"Modality": [modality]}},
                              "fields": ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "crdc_series_uuid", "aws_bucket"],
                              "counts": True, "group_size": True, "page_size": 1000})
        first_pages.append(elapsed)
        token = page["next_page"]
        depth = 0
        while token and depth < 20:
            start = time.perf_counter()
            response = requests.get(f"{BASE}/v2/cohorts/manifest/preview/nextPage", params={"next_page": token, "page_size": 1000}, timeout=600)
            later_pages.append(time.perf_counter() - start)
            token = response.json()["next_page"]
            depth += 1

    # The whole series manifest of the release, streamed page by page (10,000 rows a page).
    start = time.perf_counter()
    rows = 0
    _, page = post({"cohort_def": {"filters": {}}, "fields": ["SeriesInstanceUID", "crdc_series_uuid", "aws_bucket"], "page_size": 10000})
    rows += page["manifest"]["rowsReturned"]
    token = page["next_page"]
    while token:
        response = requests.get(f"{BASE}/v2/cohorts/manifest/preview/nextPage", params={"next_page": token, "page_size": 10000}, timeout=600)
        body = response.json()
        rows += body["manifest"]["rowsReturned"]
        token = body["next_page"]
    whole.append(time.perf_counter() - start)

    print("| query (cold) | runs | p50 | p95 |")
    print("|---|---|---|---|")
    report("preview counts, series-level filters", counts)
    report("first 1000-row page of a series manifest", first_pages)
    report("later 1000-row pages (depth 1-20)", later_pages)
    print(f"| whole series manifest ({rows} rows, 10,000 a page) | 1 | {whole[0]:.1f} s | |")


if __name__ == "__main__":
    main()
