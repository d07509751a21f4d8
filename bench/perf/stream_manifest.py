#!/usr/bin/env python3
# A v2 instance manifest of one collection streamed whole, one request at a time (docs/benchmarks.md):
#   python3 bench/perf/stream_manifest.py URL COLLECTION [PAGE_SIZE] [NEXT_PAGE_SIZE]   (default page size 10000; the
#   preview route serves at most 1000 rows a first page; NEXT_PAGE_SIZE, such as 10000, is asked of every next page,
#   as the run.sh stream does)
import requests, time, sys
u=sys.argv[1]; coll=sys.argv[2]; size=int(sys.argv[3]) if len(sys.argv)>3 else 10000
nexts={"page_size":int(sys.argv[4])} if len(sys.argv)>4 else {}
body={"cohort_def":{"name":"b","description":"d","filters":{"collection_id":[coll]}},
 "fields":["collection_id","PatientID","StudyInstanceUID","SeriesInstanceUID","SOPInstanceUID","gcs_url"],"page_size":size}
t0=time.time(); r=requests.post(u+"/v2/cohorts/manifest/preview",json=body); d=r.json(); n=len(d["manifest"]["manifest_data"]); lat=[]
tok=d.get("next_page"); waits=0
while tok:
    t=time.time(); r=requests.get(u+"/v2/cohorts/manifest/preview/nextPage",params={"next_page":tok, **nexts}); lat.append((time.time()-t)*1000)
    d=r.json()
    if r.status_code==202: waits+=1; tok=d.get("next_page"); continue
    n+=len(d["manifest"]["manifest_data"]); tok=d.get("next_page")
s=sorted(lat); print(f"{coll}: {n} rows in {time.time()-t0:.1f} s, {len(lat)} later pages p50 {s[len(s)//2]:.0f} ms p95 {s[int(len(s)*.95)]:.0f} ms max {s[-1]:.0f}, 202s {waits}")
