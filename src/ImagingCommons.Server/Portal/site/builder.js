// The cohort builder: facet lists with counts (POST /api/v1/facets), range inputs, the totals, the filter set as
// JSON, and a paged series table (POST /api/v1/manifest/preview). Every change is debounced; each request carries a
// sequence number and the previous one is aborted, so an answer older than the latest request is never shown.

import { request } from './api.js';
import { bytes, count, el, idFor, number } from './format.js';

/** The attributes offered, in order; `range` ones are ranged v2 attributes (histogram and from/to inputs). */
export const FACETS = [
  { name: 'collection_id', label: 'Collection' },
  { name: 'Modality', label: 'Modality' },
  { name: 'BodyPartExamined', label: 'Body part examined' },
  { name: 'CancerType', label: 'Cancer type' },
  { name: 'tcia_tumorLocation', label: 'Tumour location' },
  { name: 'license_short_name', label: 'Licence' },
  { name: 'gender', label: 'Gender (TCGA clinical)' },
  { name: 'race', label: 'Race (TCGA clinical)' },
  { name: 'age_at_diagnosis', label: 'Age at diagnosis (TCGA clinical)', range: true, integer: true },
];

const DEBOUNCE_MS = 250;
const SEARCH_FROM = 8;
const SERIES_PAGE = 25;
const SERIES_FIELDS = ['collection_id', 'PatientID', 'StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'BodyPartExamined', 'crdc_series_uuid'];

const state = {
  release: '',
  selections: new Map(FACETS.filter((f) => !f.range).map((f) => [f.name, new Set()])),
  ranges: new Map(FACETS.filter((f) => f.range).map((f) => [f.name, { from: '', to: '' }])),
  // Filters this page has no control for (from an opened saved cohort): kept, shown, removable.
  other: {},
};

let context;
let sequence = 0;
let facetsController = null;
let seriesController = null;
let timer = 0;
let lastTotals = '';
const series = { tokens: [], nextToken: '', page: 0 };

/** The v2 filter set the controls describe, keys in a fixed order. */
export function currentFilters() {
  const filters = {};
  for (const facet of FACETS) {
    if (facet.range) {
      const { from, to } = state.ranges.get(facet.name);
      const low = parseBound(from, facet);
      const high = parseBound(to, facet);
      if (low !== null && high !== null) {
        filters[`${facet.name}_ebtwe`] = [low, high];
      } else if (low !== null) {
        filters[`${facet.name}_gte`] = [low];
      } else if (high !== null) {
        filters[`${facet.name}_lte`] = [high];
      }
    } else {
      const values = [...state.selections.get(facet.name)];
      if (values.length > 0) {
        filters[facet.name] = values;
      }
    }
  }
  return { ...filters, ...state.other };
}

function parseBound(text, facet) {
  if (text === '' || text === null || text === undefined) {
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || (facet.integer && !Number.isInteger(value))) {
    return null;
  }
  return value;
}

export function init(ctx) {
  context = ctx;
  const container = document.getElementById('facets');
  for (const facet of FACETS) {
    container.append(facet.range ? rangeFieldset(facet) : valuesFieldset(facet));
  }
  document.getElementById('clear').addEventListener('click', () => {
    load({});
    context.announce('All filters cleared.');
  });
  document.getElementById('copy-json').addEventListener('click', copyJson);
  document.getElementById('series-next').addEventListener('click', () => seriesPage(+1));
  document.getElementById('series-prev').addEventListener('click', () => seriesPage(-1));
  document.getElementById('filters').addEventListener('submit', (event) => event.preventDefault());
}

export function setRelease(release) {
  state.release = release;
  // A release picked (or the page opened) asks at once: only typing and ticking are debounced.
  schedule(0);
}

/** Replaces every control's state with a filter set (an opened saved cohort, or none). */
export function load(filters) {
  for (const set of state.selections.values()) {
    set.clear();
  }
  for (const range of state.ranges.values()) {
    range.from = '';
    range.to = '';
  }
  state.other = {};
  for (const [key, values] of Object.entries(filters || {})) {
    if (state.selections.has(key) && Array.isArray(values)) {
      values.forEach((v) => state.selections.get(key).add(String(v)));
      continue;
    }
    const match = /^(.*)_(ebtwe|gte|lte)$/.exec(key);
    if (match && state.ranges.has(match[1]) && Array.isArray(values)) {
      const range = state.ranges.get(match[1]);
      if (match[2] === 'ebtwe') {
        [range.from, range.to] = values.map(String);
      } else if (match[2] === 'gte') {
        range.from = String(values[0]);
      } else {
        range.to = String(values[0]);
      }
      continue;
    }
    state.other[key] = values;
  }
  for (const facet of FACETS.filter((f) => f.range)) {
    const range = state.ranges.get(facet.name);
    document.getElementById(`${idFor(facet.name)}-from`).value = range.from;
    document.getElementById(`${idFor(facet.name)}-to`).value = range.to;
  }
  renderOtherFilters();
  schedule();
}

/** Adds one collection to the collection filter (from the collections table). */
export function addCollection(id) {
  state.selections.get('collection_id').add(id);
  schedule();
}

function valuesFieldset(facet) {
  const base = idFor(facet.name);
  const search = el('input', {
    id: `${base}-search`, type: 'search', class: 'facet-search', autocomplete: 'off', hidden: true, placeholder: `Search ${facet.label.toLowerCase()}…`,
    'aria-controls': `${base}-list`,
  });
  search.addEventListener('input', () => filterList(facet));
  return el('fieldset', { class: 'facet', id: `${base}-facet`, dataset: { facet: facet.name } },
    el('legend', {}, facet.label),
    el('label', { for: `${base}-search`, class: 'visually-hidden' }, `Search ${facet.label} values`),
    search,
    el('ul', { id: `${base}-list` }, el('li', { class: 'note' }, 'Counting…')),
    el('p', { class: 'more', id: `${base}-more`, hidden: true }),
    el('p', { class: 'unrecorded', id: `${base}-unrecorded`, hidden: true }));
}

function rangeFieldset(facet) {
  const base = idFor(facet.name);
  const input = (which, text) => {
    const field = el('input', {
      id: `${base}-${which}`, type: 'number', inputmode: facet.integer ? 'numeric' : 'decimal',
      step: facet.integer ? '1' : 'any', dataset: { facet: facet.name, bound: which },
      'aria-describedby': `${base}-range-note`,
    });
    field.addEventListener('input', () => {
      state.ranges.get(facet.name)[which] = field.value;
      const invalid = field.value !== '' && parseBound(field.value, facet) === null;
      field.setAttribute('aria-invalid', invalid ? 'true' : 'false');
      document.getElementById(`${base}-range-error`).textContent = invalid ? `${text} must be ${facet.integer ? 'a whole number' : 'a number'}.` : '';
      schedule();
    });
    return [el('label', { for: `${base}-${which}` }, text), field];
  };
  return el('fieldset', { class: 'facet', id: `${base}-facet`, dataset: { facet: facet.name } },
    el('legend', {}, facet.label),
    el('div', { class: 'histogram', id: `${base}-histogram`, 'aria-hidden': 'true' }),
    el('p', { class: 'note', id: `${base}-range-note` }, 'Counting…'),
    el('div', { class: 'range' }, ...input('from', 'From'), ...input('to', 'To')),
    el('p', { class: 'more', id: `${base}-range-error`, role: 'alert' }),
    el('p', { class: 'unrecorded', id: `${base}-unrecorded`, hidden: true }));
}

function filterList(facet) {
  const base = idFor(facet.name);
  const text = document.getElementById(`${base}-search`).value.trim().toLowerCase();
  for (const item of document.getElementById(`${base}-list`).children) {
    item.hidden = text !== '' && !(item.dataset.text || '').includes(text);
  }
}

function schedule(delay = DEBOUNCE_MS) {
  performance.mark('filters-changed');
  setLoading();
  clearTimeout(timer);
  timer = setTimeout(refresh, delay);
}

function setLoading() {
  const filters = currentFilters();
  document.getElementById('filter-json').value = JSON.stringify(filters);
  document.getElementById('totals').dataset.state = 'loading';
  document.getElementById('totals-status').textContent = 'Counting…';
}

async function refresh() {
  const mine = ++sequence;
  facetsController?.abort();
  facetsController = new AbortController();
  const filters = currentFilters();
  const release = state.release;
  const started = performance.now();
  try {
    const { body } = await request('/api/v1/facets', {
      method: 'POST',
      body: { filters, release, facets: FACETS.map((f) => f.name), limit: 1000, bins: 12 },
      signal: facetsController.signal,
    });
    if (mine !== sequence) {
      return;
    }
    render(body, filters);
    // Timing marks for docs/benchmarks.md: the first counts shown, and each request's round trip and rendering.
    performance.measure('facets-update', { start: started, end: performance.now(), detail: { sequence: mine } });
    performance.mark('totals-shown');
    if (performance.getEntriesByName('first-totals').length === 0) {
      performance.mark('first-totals');
    }
  } catch (error) {
    if (error.name === 'AbortError' || mine !== sequence) {
      return;
    }
    document.getElementById('totals').dataset.state = 'error';
    document.getElementById('totals-status').textContent = 'The counts could not be updated.';
    context.error(error);
    return;
  }
  loadSeries(mine, filters, release);
}

function render(answer, filters) {
  const totals = answer.totals;
  const box = document.getElementById('totals');
  for (const key of ['collections', 'patients', 'studies', 'series', 'instances']) {
    const cell = document.getElementById(`total-${key}`);
    cell.textContent = count(totals[key]);
    cell.dataset.value = totals[key];
  }
  const size = document.getElementById('total-bytes');
  size.textContent = bytes(totals.bytes);
  size.dataset.value = totals.bytes;
  document.getElementById('totals-release').textContent = answer.release;
  box.dataset.filters = JSON.stringify(filters);
  box.dataset.release = answer.release;
  box.dataset.state = 'ready';
  document.getElementById('totals-status').textContent = '';
  const sentence = `${count(totals.series)} series of ${count(totals.patients)} patients in ${count(totals.collections)} collections.`;
  if (sentence !== lastTotals) {
    lastTotals = sentence;
    context.announce(sentence);
  }
  for (const facet of answer.facets) {
    const definition = FACETS.find((f) => f.name === facet.attribute);
    if (definition?.range) {
      renderRange(definition, facet);
    } else if (definition) {
      renderValues(definition, facet);
    }
  }
}

function valueKey(value) {
  return value === null ? 'None' : String(value);
}

function renderValues(facet, answer) {
  const base = idFor(facet.name);
  const list = document.getElementById(`${base}-list`);
  const focused = document.activeElement?.id;
  const selected = state.selections.get(facet.name);
  const shown = answer.values.map((v) => ({ key: valueKey(v.value), label: v.value === null ? 'None (no value)' : String(v.value), series: v.series, patients: v.patients }));
  const present = new Set(shown.map((v) => v.key.toLowerCase()));
  for (const key of selected) {
    if (!present.has(key.toLowerCase())) {
      shown.push({ key, label: key === 'None' ? 'None (no value)' : key, series: 0, patients: 0 });
    }
  }
  list.replaceChildren(...shown.map((value) => {
    const id = idFor(facet.name, value.key.toLowerCase());
    const box = el('input', {
      type: 'checkbox', id, checked: [...selected].some((s) => s.toLowerCase() === value.key.toLowerCase()),
      dataset: { facet: facet.name, value: value.key, series: value.series },
    });
    box.addEventListener('change', () => {
      for (const s of [...selected]) {
        if (s.toLowerCase() === value.key.toLowerCase()) {
          selected.delete(s);
        }
      }
      if (box.checked) {
        selected.add(value.key);
      }
      schedule();
    });
    return el('li', { class: value.series === 0 ? 'zero' : undefined, dataset: { text: value.label.toLowerCase() } },
      box,
      el('label', { for: id },
        el('span', { class: 'value' }, value.label),
        el('span', { class: 'counts' }, `${count(value.series)} series · ${count(value.patients)} patients`)));
  }));
  if (shown.length === 0) {
    list.replaceChildren(el('li', { class: 'note' }, 'No values in this cohort.'));
  }
  const search = document.getElementById(`${base}-search`);
  search.hidden = shown.length <= SEARCH_FROM;
  filterList(facet);
  const more = document.getElementById(`${base}-more`);
  more.hidden = !answer.truncated;
  more.textContent = answer.truncated ? `Showing the ${count(answer.values.length)} values with most series of ${count(answer.value_count)}.` : '';
  renderUnrecorded(base, answer);
  const again = focused && document.getElementById(focused);
  if (again && again !== document.activeElement) {
    again.focus();
  }
}

function renderUnrecorded(base, answer) {
  const note = document.getElementById(`${base}-unrecorded`);
  note.hidden = !answer.unrecorded || answer.unrecorded.series === 0;
  if (answer.unrecorded) {
    note.textContent = `Plus ${count(answer.unrecorded.series)} series of ${count(answer.unrecorded.patients)} patients without a TCGA record, which every value lets through.`;
  }
}

function renderRange(facet, answer) {
  const base = idFor(facet.name);
  const histogram = document.getElementById(`${base}-histogram`);
  const note = document.getElementById(`${base}-range-note`);
  const bins = answer.histogram?.bins || [];
  const highest = Math.max(1, ...bins.map((b) => b.series));
  histogram.replaceChildren(...bins.map((b) => {
    const bar = el('span', { title: `${number(b.lower)} to ${number(b.upper)}: ${count(b.series)} series` });
    bar.style.height = `${Math.max(2, Math.round((100 * b.series) / highest))}%`;
    return bar;
  }));
  const missing = answer.missing ? ` ${count(answer.missing.series)} series have no value.` : '';
  note.textContent = answer.histogram
    ? `In this cohort (without this filter): ${number(answer.histogram.min)} to ${number(answer.histogram.max)}.${missing}`
    : `No value in this cohort.${missing}`;
  const from = document.getElementById(`${base}-from`);
  const to = document.getElementById(`${base}-to`);
  if (answer.histogram) {
    from.placeholder = number(answer.histogram.min);
    to.placeholder = number(answer.histogram.max);
  }
  renderUnrecorded(base, answer);
}

function renderOtherFilters() {
  const container = document.getElementById('other-filters');
  const entries = Object.entries(state.other);
  container.replaceChildren(...(entries.length === 0 ? [] : [
    el('h3', {}, 'Other filters of this cohort'),
    ...entries.map(([key, values]) => el('div', { class: 'other-filter' },
      el('span', {}, el('code', {}, key), ` = ${JSON.stringify(values)}`),
      el('button', {
        type: 'button', class: 'secondary', 'aria-label': `Remove filter ${key}`,
        onclick: () => {
          delete state.other[key];
          renderOtherFilters();
          schedule();
        },
      }, 'Remove'))),
  ]));
}

async function copyJson() {
  const text = document.getElementById('filter-json').value;
  const status = document.getElementById('copy-status');
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    const area = document.getElementById('filter-json');
    area.focus();
    area.select();
    status.textContent = 'Selected: press Ctrl+C to copy.';
  }
}

// The series table: pages of a series-level manifest preview, next_page tokens kept to go back.

async function loadSeries(mine, filters, release) {
  series.tokens = [''];
  series.page = 0;
  series.filters = filters;
  series.release = release;
  await showSeriesPage(mine);
}

async function seriesPage(step) {
  if (step > 0 && series.nextToken) {
    series.tokens[series.page + 1] = series.nextToken;
    series.page++;
  } else if (step < 0 && series.page > 0) {
    series.page--;
  } else {
    return;
  }
  await showSeriesPage(sequence);
  document.getElementById(step > 0 ? 'series-next' : 'series-prev').focus();
}

async function showSeriesPage(mine) {
  seriesController?.abort();
  seriesController = new AbortController();
  const signal = seriesController.signal;
  const summary = document.getElementById('series-summary');
  summary.textContent = 'Loading series…';
  const token = series.tokens[series.page];
  try {
    let answer = token
      ? await request(`/api/v1/manifest/preview/nextPage?next_page=${encodeURIComponent(token)}&page_size=${SERIES_PAGE}`, { signal })
      : await request('/api/v1/manifest/preview', {
        method: 'POST',
        signal,
        body: { filters: series.filters, release: series.release, fields: SERIES_FIELDS, counts: true, group_size: true, page_size: SERIES_PAGE },
      });
    // A slow query answers 202 with a token: ask again until its first page is ready.
    for (let tries = 0; answer.status === 202 && tries < 60; tries++) {
      answer = await request(`/api/v1/manifest/preview/nextPage?next_page=${encodeURIComponent(answer.body.next_page)}&page_size=${SERIES_PAGE}`, { signal });
    }
    if (mine !== sequence) {
      return;
    }
    renderSeries(answer.body);
  } catch (error) {
    if (error.name === 'AbortError' || mine !== sequence) {
      return;
    }
    summary.textContent = 'The series could not be listed.';
    context.error(error);
  }
}

function viewerLink(row) {
  const template = context.viewerUrl();
  if (!template) {
    return '';
  }
  const url = template.replace(/\{(collection_id|PatientID|StudyInstanceUID|SeriesInstanceUID|crdc_series_uuid)\}/g,
    (_, name) => encodeURIComponent(row[name] ?? ''));
  return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'View', el('span', { class: 'visually-hidden' }, ` series ${row.SeriesInstanceUID}`));
}

function renderSeries(body) {
  const manifest = body.manifest;
  const rows = manifest ? manifest.manifest_data : [];
  series.nextToken = body.next_page || '';
  const tbody = document.querySelector('#series-table tbody');
  tbody.replaceChildren(...rows.map((row) => el('tr', { dataset: { series: row.SeriesInstanceUID } },
    el('td', {}, row.collection_id),
    el('td', {}, row.PatientID),
    el('td', { class: 'uid' }, row.StudyInstanceUID),
    el('td', { class: 'uid' }, row.SeriesInstanceUID),
    el('td', {}, row.Modality ?? ''),
    el('td', {}, row.BodyPartExamined ?? ''),
    el('td', { class: 'number' }, count(row.instance_count)),
    el('td', { class: 'number' }, bytes(row.group_size ?? 0)),
    el('td', {}, viewerLink(row)))));
  const total = manifest ? manifest.totalFound : 0;
  const first = series.page * SERIES_PAGE;
  document.getElementById('series-summary').textContent = total === 0
    ? 'No series in this cohort.'
    : `Series ${count(first + 1)} to ${count(first + rows.length)} of ${count(total)}, release ${body.release}.`;
  document.getElementById('series-next').disabled = !series.nextToken;
  document.getElementById('series-prev').disabled = series.page === 0;
}
