#!/usr/bin/env python3
# First pages of v1 manifests, one request at a time, each then paged 8 pages on (docs/benchmarks.md):
#   python3 bench/perf/v1_manifest_pages.py URL COLLECTION[,COLLECTION...] [COLUMNS]   (default GCS_URL; e.g.
#   SOPInstanceUID,GCS_URL). A collection asked before with the same columns is a cached result.
import requests, time, sys
u=sys.argv[1]; colls=sys.argv[2].split(","); cols=sys.argv[3] if len(sys.argv)>3 else "GCS_URL"
for c in colls:
    body={"name":"b","description":"d","filters":{"collection_id":[c]}}
    q="&".join(x+"=True" for x in cols.split(","))+"&page_size=1000"
    t=time.time(); r=requests.post(u+"/v1/cohorts/manifest/preview?"+q,json=body); first=(time.time()-t)*1000
    d=r.json(); tok=d.get("next_page") or d.get("query_info",{}).get("next_page"); later=[]
    for i in range(8):
        if not tok: break
        t=time.time(); r=requests.get(u+"/v1/cohorts/manifest/nextPage",params={"next_page":tok}); later.append((time.time()-t)*1000)
        d=r.json(); tok=d.get("next_page") or d.get("query_info",{}).get("next_page")
    print(c, r.status_code, f"first {first:.0f}", " ".join(f"{x:.0f}" for x in later))
