-- First 1000-row page of a series-level manifest for a series-level filter set (same query: materialised once).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"cohort_def":{"filters":{"Modality":["CT"]}},"fields":["collection_id","SeriesInstanceUID","crdc_series_uuid","aws_bucket"],"counts":true,"group_size":true,"page_size":1000}'
