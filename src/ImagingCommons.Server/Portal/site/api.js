// Calls to this server's own routes. Every failure becomes an ApiError with a sentence a person can read:
// the problem details of our routes (/api/...), the {"code","message"} bodies of IDC's /v1 and /v2, or the network.

const TOKEN_KEY = 'imagingcommons.token';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** The API key or development token of this browser tab (session storage: gone when the tab closes). */
export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(value) {
  try {
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch {
    // Storage refused (private mode): the token lives only as long as this page.
  }
  memoryToken = value || '';
}

let memoryToken = '';

function currentToken() {
  return token() || memoryToken;
}

function readableError(status, body, text) {
  if (body && typeof body === 'object') {
    if (typeof body.detail === 'string' && body.detail) {
      return body.detail;
    }
    if (typeof body.message === 'string' && body.message) {
      return body.message;
    }
    if (body.errors && typeof body.errors === 'object') {
      return Object.values(body.errors).flat().join(' ');
    }
    if (typeof body.title === 'string' && body.title) {
      return body.title;
    }
  }
  if (status === 401) {
    return 'Sign in first: this needs an API key or a development token.';
  }
  return text ? `The server answered ${status}: ${text.slice(0, 200)}` : `The server answered ${status}.`;
}

/**
 * Sends a request and returns its JSON body (and status). A 202 is returned as is (the caller follows its next_page).
 * Options: method, body (an object, sent as JSON), signal, auth (send the token).
 */
export async function request(path, { method = 'GET', body, signal, auth = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (auth) {
    const value = currentToken();
    if (!value) {
      throw new ApiError('Sign in first: this needs an API key or a development token.', 401);
    }
    headers.Authorization = `Bearer ${value}`;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (error && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError('The server could not be reached. Is it still running?', 0);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw new ApiError(readableError(response.status, json, text), response.status);
  }
  if (json === null) {
    throw new ApiError(`The server answered ${response.status} without a JSON body.`, response.status);
  }
  return { status: response.status, body: json };
}

/**
 * Every row of a manifest: the first page from `first()`, then next pages from `next(token)` until next_page is
 * empty; a 202 (the query is still running) is retried with its token. `onProgress(rows, total)` reports each page.
 */
export async function allRows(first, next, onProgress) {
  let answer = await first();
  const rows = [];
  let total = 0;
  for (let guard = 0; guard < 100000; guard++) {
    const manifest = answer.body.manifest;
    if (manifest) {
      rows.push(...manifest.manifest_data);
      total = manifest.totalFound;
      if (onProgress) {
        onProgress(rows.length, total);
      }
    }
    const token = answer.body.next_page;
    if (!token) {
      return rows;
    }
    answer = await next(token);
  }
  throw new ApiError('The manifest did not end; export stopped.', 0);
}
