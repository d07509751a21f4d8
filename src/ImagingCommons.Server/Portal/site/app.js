// The portal's entry point: pages by URL fragment (#builder, #collections, #cohorts), the release picker, sign-in,
// saving the built cohort and exporting the preview. Errors from the API are shown as sentences in an alert region.

import { request, setToken, token } from './api.js';
import * as builder from './builder.js';
import * as cohorts from './cohorts.js';
import * as collections from './collections.js';
import { el } from './format.js';
import { previewRows, save } from './exports.js';

const PAGES = ['builder', 'collections', 'cohorts'];
const settings = { release: '', held: [], viewerUrl: null };

function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A new text node in a cleared region is announced even when the sentence repeats.
  setTimeout(() => { region.textContent = text; }, 50);
}

function showError(error) {
  const message = error && error.message ? error.message : String(error);
  const box = document.getElementById('errors');
  const close = el('button', { type: 'button', class: 'secondary', onclick: () => box.replaceChildren() }, 'Dismiss');
  box.replaceChildren(el('p', {}, el('strong', {}, 'Something went wrong: '), message, close));
}

function clearError() {
  document.getElementById('errors').replaceChildren();
}

const context = {
  announce,
  error: showError,
  viewerUrl: () => settings.viewerUrl,
  openCollection(id) {
    builder.addCollection(id);
    location.hash = '#builder';
    announce(`Collection ${id} added to the cohort.`);
  },
  openCohort(cohort) {
    const release = cohort.filterSet.idc_data_version;
    if (settings.held.includes(release)) {
      document.getElementById('release').value = release;
      setRelease(release);
    } else {
      showError(new Error(`Cohort ${cohort.cohort_id} is pinned to release ${release}, which this server no longer holds; showing it on ${settings.release}.`));
    }
    builder.load(cohort.filterSet.filters);
    document.getElementById('cohort-name').value = cohort.name || '';
    document.getElementById('cohort-description').value = cohort.description || '';
    location.hash = '#builder';
    announce(`Cohort ${cohort.cohort_id} opened on release ${release}.`);
  },
};

function showPage() {
  const name = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'builder';
  for (const page of PAGES) {
    document.getElementById(`page-${page}`).hidden = page !== name;
  }
  for (const link of document.querySelectorAll('nav a[data-page]')) {
    if (link.dataset.page === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  document.title = `${document.getElementById(`${name}-title`).textContent} · ImagingCommons portal`;
  if (name === 'collections') {
    collections.show();
  } else if (name === 'cohorts') {
    cohorts.show();
  }
  return name;
}

function setRelease(release) {
  const note = document.getElementById('release-note');
  note.textContent = release === settings.release ? '(current)' : `(held; the current release is ${settings.release})`;
  builder.setRelease(release);
}

async function refreshAccount() {
  const form = document.getElementById('sign-in');
  const signedIn = document.getElementById('signed-in');
  if (!token()) {
    form.hidden = false;
    signedIn.hidden = true;
    return;
  }
  try {
    const { body } = await request('/v2/users/account_details', { auth: true });
    document.getElementById('email').textContent = body.user_details.email;
    form.hidden = true;
    signedIn.hidden = false;
  } catch (error) {
    setToken('');
    form.hidden = false;
    signedIn.hidden = true;
    showError(error);
  }
}

async function signIn(event) {
  event.preventDefault();
  const input = document.getElementById('token');
  const value = input.value.trim();
  if (!value) {
    showError(new Error('Paste an API key (ick_…) or a development token first.'));
    input.focus();
    return;
  }
  setToken(value);
  input.value = '';
  clearError();
  await refreshAccount();
  if (token()) {
    announce(`Signed in as ${document.getElementById('email').textContent}.`);
    document.getElementById('sign-out').focus();
    if (location.hash === '#cohorts') {
      cohorts.show();
    }
  }
}

async function saveCohort(event) {
  event.preventDefault();
  const status = document.getElementById('save-note');
  if (!token()) {
    showError(new Error('Sign in to save a cohort (paste an API key or a development token at the top of the page).'));
    document.getElementById('token').focus();
    return;
  }
  const body = {
    name: document.getElementById('cohort-name').value.trim(),
    description: document.getElementById('cohort-description').value.trim(),
    filters: builder.currentFilters(),
  };
  try {
    const { body: answer } = await request('/v2/cohorts', { method: 'POST', auth: true, body });
    const saved = answer.cohort_properties;
    clearError();
    status.textContent = `Saved as cohort ${saved.cohort_id} (“${saved.name}”), pinned to release ${saved.filterSet.idc_data_version}.`;
    announce(status.textContent);
  } catch (error) {
    showError(error);
  }
}

async function exportPreview(format, button) {
  const status = document.getElementById('export-status');
  const filters = builder.currentFilters();
  const release = document.getElementById('release').value;
  button.disabled = true;
  status.textContent = 'Exporting…';
  try {
    const rows = await previewRows(filters, release, (done, total) => { status.textContent = `Exporting: ${done} of ${total} series…`; });
    save(format, rows, { name: document.getElementById('cohort-name').value.trim() || `cohort-${release}`, release, filters });
    status.textContent = `Exported ${rows.length} series as ${format}.`;
  } catch (error) {
    status.textContent = 'The export failed.';
    showError(error);
  } finally {
    button.disabled = false;
  }
}

async function start() {
  builder.init(context);
  collections.init(context);
  cohorts.init(context);
  document.getElementById('sign-in').addEventListener('submit', signIn);
  document.getElementById('sign-out').addEventListener('click', () => {
    setToken('');
    refreshAccount();
    announce('Signed out.');
    document.getElementById('token').focus();
    if (location.hash === '#cohorts') {
      cohorts.show();
    }
  });
  document.getElementById('save-form').addEventListener('submit', saveCohort);
  for (const button of document.querySelectorAll('button[data-export]')) {
    button.addEventListener('click', () => exportPreview(button.dataset.export, button));
  }
  window.addEventListener('hashchange', () => {
    const name = showPage();
    document.getElementById(`${name}-title`).focus();
  });

  try {
    const { body } = await request('/api/v1/portal');
    settings.release = body.release;
    settings.held = body.held_releases;
    settings.viewerUrl = body.viewer_url;
  } catch (error) {
    showError(error);
    return;
  }
  const picker = document.getElementById('release');
  picker.replaceChildren(...[...settings.held].reverse().map((release) => el('option', { value: release }, release)));
  picker.value = settings.release;
  picker.addEventListener('change', () => setRelease(picker.value));
  showPage();
  refreshAccount();
  setRelease(settings.release);
}

start();
