// Manifest exports, built in the browser from the server's paged manifests (following next_page to the end):
// a series-level CSV, an s5cmd file (one `cp` per series folder, as IDC's portal writes them) and JSON.

import { allRows, request } from './api.js';
import { download } from './format.js';

/** The series-level manifest fields every export is made from. */
export const SERIES_FIELDS = ['collection_id', 'PatientID', 'StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'crdc_series_uuid', 'aws_bucket'];

const PAGE = 10000;

export function previewRows(filters, release, onProgress) {
  return allRows(
    () => request('/api/v1/manifest/preview', {
      method: 'POST',
      body: { filters, release, fields: SERIES_FIELDS, counts: true, group_size: true, page_size: PAGE },
    }),
    (token) => request(`/api/v1/manifest/preview/nextPage?next_page=${encodeURIComponent(token)}&page_size=${PAGE}`),
    onProgress);
}

export function savedRows(cohortId, onProgress) {
  return allRows(
    () => request(`/v2/cohorts/manifest/${encodeURIComponent(cohortId)}`, {
      method: 'POST',
      auth: true,
      body: { fields: SERIES_FIELDS, counts: true, group_size: true, page_size: PAGE },
    }),
    (token) => request(`/v2/cohorts/manifest/nextPage?next_page=${encodeURIComponent(token)}&page_size=${PAGE}`, { auth: true }),
    onProgress);
}

/** `cp s3://<bucket>/<series uuid>/* .` per series: `s5cmd --no-sign-request --endpoint-url https://s3.amazonaws.com run FILE`. */
export function s5cmdLines(rows) {
  const lines = new Set();
  for (const row of rows) {
    if (row.aws_bucket && row.crdc_series_uuid) {
      lines.add(`cp s3://${row.aws_bucket}/${row.crdc_series_uuid}/* .`);
    }
  }
  return [...lines];
}

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(rows) {
  const columns = [...SERIES_FIELDS, 'instance_count', 'group_size'];
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\r\n') + '\r\n';
}

/** Writes the export file; `meta` says where the rows came from (release, filters, cohort). */
export function save(format, rows, meta) {
  const base = meta.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'cohort';
  if (format === 'csv') {
    download(`${base}.csv`, csv(rows), 'text/csv');
  } else if (format === 's5cmd') {
    download(`${base}.s5cmd`, s5cmdLines(rows).join('\n') + '\n', 'text/plain');
  } else {
    download(`${base}.json`, JSON.stringify({ ...meta, series: rows }, null, 2) + '\n', 'application/json');
  }
}
