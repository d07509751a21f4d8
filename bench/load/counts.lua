-- Cohort preview counts: no fields, counts and group size over the whole filter set.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"cohort_def":{"filters":{"Modality":["CT","MR"],"BodyPartExamined":["CHEST"]}},"fields":[],"counts":true,"group_size":true}'
