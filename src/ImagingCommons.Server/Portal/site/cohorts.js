// Saved cohorts (signed in): list, open in the builder, export a manifest from the cohort's pinned release, delete.

import { request, token } from './api.js';
import { el } from './format.js';
import { savedRows, save } from './exports.js';

let context;

export function init(ctx) {
  context = ctx;
}

function status(text) {
  document.getElementById('cohorts-status').textContent = text;
}

export async function show() {
  const tbody = document.querySelector('#cohorts-table tbody');
  if (!token()) {
    tbody.replaceChildren();
    status('Sign in (at the top of the page) to see your saved cohorts.');
    return;
  }
  status('Loading your cohorts…');
  try {
    const { body } = await request('/v2/cohorts', { auth: true });
    render(body.cohorts);
  } catch (error) {
    status('Your cohorts could not be listed.');
    context.error(error);
  }
}

function render(cohorts) {
  const tbody = document.querySelector('#cohorts-table tbody');
  tbody.replaceChildren(...cohorts.map((cohort) => {
    const id = cohort.cohort_id;
    const release = cohort.filterSet.idc_data_version;
    const label = cohort.name || `cohort ${id}`;
    const exportButton = (format, text) => el('button', {
      type: 'button', class: 'secondary', 'aria-label': `Export ${text} manifest of ${label}`, dataset: { export: format },
      onclick: (event) => exportCohort(cohort, format, event.currentTarget),
    }, text);
    return el('tr', { dataset: { cohort: id } },
      el('td', {}, String(id)),
      el('th', { scope: 'row' }, cohort.name || ''),
      el('td', {}, cohort.description || ''),
      el('td', {}, release),
      el('td', {}, el('code', {}, JSON.stringify(cohort.filterSet.filters))),
      el('td', {}, el('div', { class: 'actions' },
        el('button', {
          type: 'button', 'aria-label': `Open ${label} in the cohort builder`,
          onclick: () => context.openCohort(cohort),
        }, 'Open'),
        exportButton('csv', 'CSV'),
        exportButton('s5cmd', 's5cmd'),
        exportButton('json', 'JSON'),
        el('button', {
          type: 'button', class: 'secondary', 'aria-label': `Delete ${label}`,
          onclick: () => remove(cohort),
        }, 'Delete'))));
  }));
  status(cohorts.length === 0 ? 'You have no saved cohorts yet: build one and save it.' : `${cohorts.length} saved cohort${cohorts.length === 1 ? '' : 's'}.`);
}

async function exportCohort(cohort, format, button) {
  button.disabled = true;
  status(`Exporting cohort ${cohort.cohort_id} (release ${cohort.filterSet.idc_data_version})…`);
  try {
    const rows = await savedRows(cohort.cohort_id, (done, total) => status(`Exporting cohort ${cohort.cohort_id}: ${done} of ${total} series…`));
    save(format, rows, {
      name: cohort.name || `cohort-${cohort.cohort_id}`,
      cohort_id: cohort.cohort_id,
      release: cohort.filterSet.idc_data_version,
      filters: cohort.filterSet.filters,
    });
    status(`Exported ${rows.length} series of cohort ${cohort.cohort_id} as ${format}.`);
  } catch (error) {
    status('The export failed.');
    context.error(error);
  } finally {
    button.disabled = false;
  }
}

async function remove(cohort) {
  // eslint-disable-next-line no-alert
  if (!window.confirm(`Delete cohort ${cohort.cohort_id} (${cohort.name || 'no name'})? This cannot be undone.`)) {
    return;
  }
  try {
    const { body } = await request(`/v2/cohorts/${encodeURIComponent(cohort.cohort_id)}`, { method: 'DELETE', auth: true });
    const result = body.cohorts?.[0]?.result || {};
    context.announce(result.notes || result.message || `Cohort ${cohort.cohort_id} deleted.`);
    await show();
    status(result.notes || result.message || `Cohort ${cohort.cohort_id} deleted.`);
  } catch (error) {
    context.error(error);
  }
}
