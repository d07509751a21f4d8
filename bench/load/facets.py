#!/usr/bin/env python3
"""Facet-count latencies of the running server on loopback (python3, standard library only).

Usage: bench/load/facets.py http://127.0.0.1:5077 [rounds]
Sends POST /api/v1/facets for a spread of filter sets (none, one value, several attributes, wildcards, TCGA
attributes, numeric ranges), with the 6 facets of the target and with the portal's 9, each set `rounds` times
(default 20) after one warm-up call, and reports p50/p95 per kind and over all. Traffic goes only to the given URL.
"""
import json
import os
import statistics
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5077"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 20

SIX = ["collection_id", "Modality", "BodyPartExamined", "CancerType", "race", "age_at_diagnosis"]
PORTAL = ["collection_id", "Modality", "BodyPartExamined", "CancerType", "tcia_tumorLocation", "license_short_name",
          "gender", "race", "age_at_diagnosis"]

FILTER_SETS = [
    ("no filter", {}),
    ("one modality", {"Modality": ["CT"]}),
    ("two collections, two modalities", {"collection_id": ["nlst", "tcga_luad"], "Modality": ["CT", "MR"]}),
    ("body part wildcard", {"BodyPartExamined": ["%CHEST%"]}),
    ("TCGA race and age range", {"race": ["WHITE"], "age_at_diagnosis_ebtwe": [40, 70]}),
    ("modality, body part, cancer type, licence", {"Modality": ["MR"], "BodyPartExamined": ["BREAST", "None"],
                                                   "CancerType": ["Breast Cancer"], "license_short_name": ["CC BY 4.0"]}),
    ("slice thickness range", {"SliceThickness_lte": [2.5], "Modality": ["CT"]}),
    ("one collection", {"collection_id": ["tcga_brca"]}),
]


def post(body):
    request = urllib.request.Request(f"{BASE}/api/v1/facets", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        payload = response.read()
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(payload)


def quantiles(samples):
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples) * 1000, p95 * 1000


def main():
    load_before = os.getloadavg()
    print(f"server {BASE}, {ROUNDS} rounds per filter set, load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    print()
    print("| filter set | facets | series in cohort | p50 | p95 |")
    print("|---|---|---|---|---|")
    overall = {"6": [], "9": []}
    for name, filters in FILTER_SETS:
        for label, facets in (("6", SIX), ("9", PORTAL)):
            body = {"filters": filters, "facets": facets}
            _, answer = post(body)
            samples = [post(body)[0] for _ in range(ROUNDS)]
            overall[label].extend(samples)
            p50, p95 = quantiles(samples)
            print(f"| {name} | {label} | {answer['totals']['series']:,} | {p50:.1f} ms | {p95:.1f} ms |")
    for label, samples in overall.items():
        p50, p95 = quantiles(samples)
        print(f"| **all filter sets** | {label} | | **{p50:.1f} ms** | {p95:.1f} ms |")
    load_after = os.getloadavg()
    print()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
