// The collections page: /v2/collections joined with the licences of each collection's series (one series-level
// manifest of collection_id and license_short_name), searchable.

import { allRows, request } from './api.js';
import { count, el } from './format.js';

let context;
let loaded = null;
let items = [];

export function init(ctx) {
  context = ctx;
  document.getElementById('collection-search').addEventListener('input', render);
}

export function show() {
  if (!loaded) {
    loaded = load().catch((error) => {
      loaded = null;
      document.getElementById('collections-summary').textContent = 'The collections could not be loaded.';
      context.error(error);
    });
  }
  return loaded;
}

async function load() {
  document.getElementById('collections-summary').textContent = 'Loading collections…';
  const [collections, licences] = await Promise.all([
    request('/v2/collections'),
    allRows(
      () => request('/api/v1/manifest/preview', {
        method: 'POST',
        body: { filters: {}, fields: ['collection_id', 'license_short_name'], page_size: 10000 },
      }),
      (token) => request(`/api/v1/manifest/preview/nextPage?next_page=${encodeURIComponent(token)}&page_size=10000`)),
  ]);
  const byCollection = new Map();
  for (const row of licences) {
    if (!byCollection.has(row.collection_id)) {
      byCollection.set(row.collection_id, []);
    }
    if (row.license_short_name) {
      byCollection.get(row.collection_id).push(row.license_short_name);
    }
  }
  items = collections.body.collections.map((c) => ({
    ...c,
    licences: byCollection.get(c.collection_id) || [],
    text: [c.collection_id, c.cancer_type, c.location, c.image_types, c.species, ...(byCollection.get(c.collection_id) || [])].join(' ').toLowerCase(),
  }));
  render();
}

function doiLinks(text) {
  const dois = (text || '').split(/\s+/).filter(Boolean);
  return dois.map((doi, i) => [i > 0 ? ' ' : '', el('a', { href: `https://doi.org/${doi}`, rel: 'noopener noreferrer' }, doi)]);
}

function render() {
  const query = document.getElementById('collection-search').value.trim().toLowerCase();
  const words = query.split(/\s+/).filter(Boolean);
  const shown = items.filter((item) => words.every((w) => item.text.includes(w)));
  const tbody = document.querySelector('#collections-table tbody');
  tbody.replaceChildren(...shown.map((c) => el('tr', { dataset: { collection: c.collection_id } },
    el('th', { scope: 'row' }, c.collection_id),
    el('td', {}, c.cancer_type || ''),
    el('td', {}, c.location || ''),
    el('td', {}, c.image_types || ''),
    el('td', { class: 'number' }, c.subject_count === null || c.subject_count === undefined ? '' : count(c.subject_count)),
    el('td', {}, c.licences.join(', ')),
    el('td', {}, doiLinks(c.source_doi)),
    el('td', {}, el('button', {
      type: 'button', class: 'secondary', 'aria-label': `Build cohort from ${c.collection_id}`,
      onclick: () => context.openCollection(c.collection_id),
    }, 'Build cohort')))));
  document.getElementById('collections-summary').textContent = words.length === 0
    ? `${count(items.length)} collections.`
    : `${count(shown.length)} of ${count(items.length)} collections match “${query}”.`;
}
