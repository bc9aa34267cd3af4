// Shared by the page's modules: the API client and its errors, the status line, the page
// state, and window.reachmap ({map, state, lastRequest, lastResult, lastIngest}) for tests,
// which wait on document.body.dataset.state ("idle" | "busy" | "done" | "error").

export const API = '/api/v1';
const NUM = new Intl.NumberFormat('en-US');

export const $ = (sel) => document.querySelector(sel);
export const el = {
  form: $('#scenario-form'),
  system: $('#system'),
  range: $('#range'),
  search: $('#place-search'),
  suggestions: $('#place-suggestions'),
  deployment: $('#deployment'),
  addDeployment: $('#add-deployment'),
  sites: $('#sites'),
  sitesCount: $('#sites-count'),
  sitesEmpty: $('#sites-empty'),
  population: $('#population'),
  compute: $('#compute'),
  save: $('#save'),
  token: $('#token'),
  permalink: $('#permalink'),
  status: $('#status'),
  results: $('#results'),
  summary: $('#summary'),
  totals: $('#totals'),
  sources: $('#sources'),
  assumptions: $('#assumptions'),
  credit: $('#data-credit'),
};

/** What the controls say; the page is rebuilt from it. */
export const state = {
  systems: [],
  deployments: [],
  /** [{kind: "place", place, label, lat?, lon?} | {kind: "latlon", lat, lon, label}
   *   | {kind: "deployment", deployment, label, lat, lon}] */
  sites: [],
};

export const reachmap = { map: null, state, lastRequest: null, lastResult: null, lastIngest: null };
window.reachmap = reachmap;

// ---------------------------------------------------------------- small helpers

export function setBodyState(s) {
  document.body.dataset.state = s;
  el.results.setAttribute('aria-busy', String(s === 'busy'));
}

export function setStatus(text, kind = 'info') {
  el.status.textContent = text;
  el.status.className = kind;
  delete el.status.dataset.field;
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail.message || `HTTP ${status}`);
    this.status = detail.status ?? status;
    this.field = detail.field ?? null;
    this.allowed = detail.allowed ?? null;
  }
}

export function showError(err) {
  el.status.replaceChildren();
  el.status.className = 'error';
  const strong = document.createElement('strong');
  strong.textContent = err instanceof ApiError ? `Error ${err.status}` : 'Error';
  el.status.append(strong);
  if (err instanceof ApiError && err.field) {
    el.status.dataset.field = err.field;
    const code = document.createElement('code');
    code.className = 'field';
    code.textContent = err.field;
    el.status.append(' in ', code);
  } else {
    delete el.status.dataset.field;
  }
  el.status.append(`: ${err.message}`);
  if (err instanceof ApiError && err.allowed && !err.message.includes(err.allowed)) {
    el.status.append(` Allowed: ${err.allowed}`);
  }
  setBodyState('error');
}

export async function errorFrom(res) {
  let detail = { message: `${res.status} ${res.statusText}` };
  try {
    const body = await res.json();
    if (body && body.error) detail = body.error;
    else if (body && body.detail) detail = { message: JSON.stringify(body.detail) };
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(res.status, detail);
}

export async function api(path, { method = 'GET', body, signal, headers = {} } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await errorFrom(res);
  return res.json();
}

export const fmtInt = (n) => (typeof n === 'number' ? NUM.format(n) : String(n));
export const round4 = (x) => Math.round(x * 1e4) / 1e4 + 0; // + 0 turns -0 into 0
