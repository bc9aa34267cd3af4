// Saved scenarios and downloads: the GeoJSON, KML and CSV exports, the write token, saving
// a permalink (POST /scenarios) and restoring the scenario a permalink names (?s=<id>).

import { $, API, ApiError, api, el, errorFrom, fmtInt, setBodyState, setStatus, showError,
  state } from './core.js';
import { LATLON, buildRequest, deploymentSite, findSystem, latlonSite, onSystemChange,
  renderSites, systemById } from './controls.js';
import { scenarioUncertainty, setUncertainty } from './tiers.js';

function todayIso() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function buildScenario() {
  const system = systemById(el.system.value);
  const range = el.range.value.trim();
  const places = [];
  const deployments = [];
  for (const s of state.sites) {
    if (s.kind === 'place') places.push(s.place);
    else if (s.kind === 'deployment') deployments.push(s.deployment);
    else places.push(`${s.lat},${s.lon}`);
  }
  const what = range || (system ? system.name : 'no range');
  const where = state.sites.slice(0, 3).map((s) => s.label).join('; ')
    + (state.sites.length > 3 ? ` and ${state.sites.length - 3} more` : '');
  const scenario = {
    title: `${system && !range ? system.name : `Range ${what}`} from ${where || 'nowhere'}`,
    on: todayIso(),
    population: el.population.value,
    system: system && !range
      ? { catalog: system.name }
      : { range, basing: system?.basing?.[0] ?? 'ground' },
    sites: { places, deployments },
  };
  // Only when some uncertainty control is set: a plain scenario keeps its id.
  const uncertainty = scenarioUncertainty();
  if (uncertainty) scenario.uncertainty = uncertainty;
  return scenario;
}

export function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function exportFile(format) {
  const req = buildRequest();
  const before = document.body.dataset.state;
  setBodyState('busy');
  setStatus(`Exporting ${format.toUpperCase()}…`, 'busy');
  try {
    const res = await fetch(`${API}/export/${format}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(req),
    });
    if (!res.ok) throw await errorFrom(res);
    const blob = await res.blob();
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const name = m ? decodeURIComponent(m[1]) : `reachmap-reach.${format}`;
    downloadBlob(blob, name);
    setStatus(`Exported ${name} (${fmtInt(blob.size)} bytes).`, 'done');
    setBodyState(before === 'error' ? 'idle' : before);
  } catch (err) {
    showError(err);
  }
}

// The optional write token lives in sessionStorage (this tab only, gone when it closes):
// never in localStorage, never in the URL.
const TOKEN_KEY = 'reachmap.writeToken';

export function loadToken() {
  try {
    el.token.value = sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    /* storage disabled: the field still works for this page */
  }
}

function storeToken() {
  const token = el.token.value.trim();
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled */
  }
  return token;
}

async function save() {
  const scenario = buildScenario();
  const token = storeToken();
  const before = document.body.dataset.state;
  setBodyState('busy');
  setStatus('Saving…', 'busy');
  try {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const saved = await api(`${API}/scenarios`, { method: 'POST', body: scenario, headers });
    history.replaceState(null, '', `/?s=${encodeURIComponent(saved.id)}`);
    el.permalink.value = window.location.href;
    setStatus(`Saved: ${window.location.href}`, 'done');
    setBodyState(before === 'error' || before === 'busy' ? 'idle' : before);
  } catch (err) {
    showError(err);
    if (err instanceof ApiError && err.status === 401) {
      el.token.focus();
      el.token.select();
    }
  }
}

/** Restore the saved scenario ``id`` into the controls, then ``compute()`` it. */
export async function restore(id, compute) {
  setBodyState('busy');
  setStatus('Loading the saved scenario…', 'busy');
  let doc;
  try {
    doc = await api(`${API}/scenarios/${encodeURIComponent(id)}`);
  } catch (err) {
    showError(err);
    return;
  }
  const sc = doc.scenario || {};
  const system = sc.system || {};
  if (system.catalog) {
    const s = findSystem(system.catalog);
    el.system.value = s ? s.id : '';
    el.range.value = '';
    if (!s) setStatus(`The saved system "${system.catalog}" is not in the catalog.`, 'error');
  } else {
    el.system.value = '';
    el.range.value = system.range || '';
  }
  onSystemChange();
  const pop = sc.population || 'places';
  if (![...el.population.options].some((o) => o.value === pop)) {
    el.population.append(new Option(pop, pop));
  }
  el.population.value = pop;
  state.sites = [];
  for (const p of sc.sites?.places || []) {
    const m = LATLON.exec(p);
    state.sites.push(m ? latlonSite(Number(m[1]), Number(m[2]))
      : { kind: 'place', place: p, label: p });
  }
  for (const d of sc.sites?.deployments || []) state.sites.push(deploymentSite(d));
  renderSites();
  const polygons = setUncertainty(sc.uncertainty ?? null);
  el.permalink.value = window.location.href;
  if (sc.title) document.title = `${sc.title} — reachmap`;
  await compute();
  if (polygons && document.body.dataset.state === 'done') {
    setStatus(`${el.status.textContent} The saved scenario also places ${polygons} site`
      + `${polygons === 1 ? '' : 's'} somewhere in an area, which this page does not show `
      + '(see its report).', 'done');
  }
}

/** Wire the export, save, token and permalink controls (once). */
export function initPermalink() {
  for (const fmt of ['geojson', 'kml', 'csv']) {
    $(`#export-${fmt}`).addEventListener('click', () => exportFile(fmt));
  }
  el.save.addEventListener('click', save);
  el.token.addEventListener('change', storeToken);
  el.token.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault(); // Enter here saves, not computes
    save();
  });
  el.permalink.addEventListener('focus', () => el.permalink.select());
}
