// reachmap web page: ES modules, no build step. Talks to the HTTP API in docs/api.md.
// Tests read window.reachmap ({map, state, lastRequest, lastResult, lastIngest}) and wait on
// document.body.dataset.state ("idle" | "busy" | "done" | "error"); the article reader, on
// #ingest-result's data-state ("busy" | "done" | "error"). With any uncertainty stated, the
// page asks /tiers instead of /reach (tiers.js) and sets document.body.dataset.mode.

import { cell, fillTable, fillTotals } from './dom.js';
import {
  TIER_LAYERS, TIER_SOURCES, initUncertaintyControls, readUncertainty, renderTiers,
  scenarioUncertainty, setMode, setUncertainty, tierMapData, tiersRequest, tiersStatus,
  tiersSummary, wantsTiers,
} from './tiers.js';

const API = '/api/v1';
const NUM = new Intl.NumberFormat('en-US');
const MAX_SITES = 100;
const LATLON = /^\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*$/;

const TOTAL_LABELS = {
  countries_full: 'Countries fully in reach',
  countries_partial: 'Countries partly in reach',
  countries_inside_min_range: 'Countries inside the minimum range',
  capitals_reached: 'Capitals reached',
  capitals_inside_min_range: 'Capitals inside the minimum range',
  capitals_beyond_max_range: 'Capitals beyond the maximum range',
  places_count: 'Places in the gazetteer',
  places_reached: 'Places reached',
  places_population_reached: 'People in the places reached',
  population_reached_estimate: 'Population reached (estimate)',
  world_population: 'World population',
  population_source: 'Population source',
};

const STATUS_TEXT = {
  full: 'entirely within range',
  partial: 'partly within range',
  reached: 'within range',
  'inside-min-range': 'closer than the minimum range',
  'beyond-max-range': 'beyond the maximum range',
};

const $ = (sel) => document.querySelector(sel);
const el = {
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
const state = {
  systems: [],
  deployments: [],
  /** [{kind: "place", place, label, lat?, lon?} | {kind: "latlon", lat, lon, label}
   *   | {kind: "deployment", deployment, label, lat, lon}] */
  sites: [],
};

const reachmap = { map: null, state, lastRequest: null, lastResult: null, lastIngest: null };
window.reachmap = reachmap;

// ---------------------------------------------------------------- small helpers

function setBodyState(s) {
  document.body.dataset.state = s;
  el.results.setAttribute('aria-busy', String(s === 'busy'));
}

function setStatus(text, kind = 'info') {
  el.status.textContent = text;
  el.status.className = kind;
  delete el.status.dataset.field;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail.message || `HTTP ${status}`);
    this.status = detail.status ?? status;
    this.field = detail.field ?? null;
    this.allowed = detail.allowed ?? null;
  }
}

function showError(err) {
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

async function errorFrom(res) {
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

async function api(path, { method = 'GET', body, signal, headers = {} } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await errorFrom(res);
  return res.json();
}

const fmtInt = (n) => (typeof n === 'number' ? NUM.format(n) : String(n));
const fmtKm = (n) =>
  n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmtPct = (x) =>
  `${(100 * x).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
const round4 = (x) => Math.round(x * 1e4) / 1e4 + 0; // + 0 turns -0 into 0

function statusBadge(status) {
  const span = cell('span', status, `badge status-${status}`);
  span.title = STATUS_TEXT[status] || status;
  return span;
}

function systemById(id) {
  return state.systems.find((s) => s.id === id) || null;
}

function findSystem(name) {
  const key = String(name).trim().toLowerCase();
  return (
    state.systems.find((s) =>
      [s.id, s.name, ...(s.aliases || [])].some((n) => String(n).toLowerCase() === key),
    ) || null
  );
}

function latlonSite(lat, lon) {
  return { kind: 'latlon', lat, lon, label: `${lat}, ${lon}` };
}

// ---------------------------------------------------------------- the map

let maplibregl = null;
const EMPTY = { type: 'FeatureCollection', features: [] };

async function initMap() {
  try {
    const m = await import('/static/vendor/maplibre-gl/maplibre-gl.mjs');
    maplibregl = m.default ?? m;
  } catch (err) {
    console.error(err);
    $('#map').textContent = 'The map library is missing (run scripts/build_web.sh); '
      + 'the tables still work.';
    return;
  }
  const style = {
    version: 8,
    projection: { type: 'globe' },
    sources: {
      countries: {
        type: 'geojson',
        data: new URL(`${API}/basemap/countries`, window.location.href).href,
        attribution: 'Natural Earth (public domain); GeoNames (CC BY 4.0)',
      },
      envelope: { type: 'geojson', data: EMPTY },
      ...TIER_SOURCES,
      sites: { type: 'geojson', data: EMPTY },
      capitals: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#aecbe0' } },
      {
        id: 'countries-fill', type: 'fill', source: 'countries',
        paint: { 'fill-color': '#f1ede2' },
      },
      {
        id: 'countries-line', type: 'line', source: 'countries',
        paint: { 'line-color': '#8d877a', 'line-width': 0.6 },
      },
      {
        id: 'envelope-fill', type: 'fill', source: 'envelope',
        filter: ['==', ['get', 'part'], 'area'],
        // No antialiasing: it would outline the antimeridian cut; envelope-line draws the limit.
        paint: { 'fill-color': '#e8590c', 'fill-opacity': 0.28, 'fill-antialias': false },
      },
      {
        id: 'envelope-line', type: 'line', source: 'envelope',
        filter: ['==', ['get', 'part'], 'limit'],
        paint: { 'line-color': '#c92a2a', 'line-width': 2 },
      },
      ...TIER_LAYERS,
      {
        id: 'capitals', type: 'circle', source: 'capitals',
        paint: {
          'circle-radius': 3, 'circle-color': '#7b1e1e',
          'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
        },
      },
      {
        id: 'sites', type: 'circle', source: 'sites',
        paint: {
          'circle-radius': 6, 'circle-color': '#111111',
          'circle-stroke-color': '#ffd43b', 'circle-stroke-width': 2,
        },
      },
    ],
  };
  let map;
  try {
    map = new maplibregl.Map({
      container: 'map',
      style,
      center: [20, 45],
      zoom: 1.3,
      attributionControl: { compact: true },
    });
  } catch (err) {
    console.error(err);
    $('#map').textContent = `The map cannot be drawn here (${err.message}); the tables still work.`;
    return;
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.getCanvas().setAttribute('aria-label', 'Globe; click to add a site at that point');
  map.on('click', (e) => {
    const p = e.lngLat.wrap();
    addSite(latlonSite(round4(p.lat), round4(p.lng)));
  });
  reachmap.map = map;
  await new Promise((resolve) => {
    map.once('load', () => {
      mapLoaded = true;
      resolve();
    });
    setTimeout(resolve, 15_000); // no WebGL, or a stuck load: the tables still work
  });
  drawSites();
  if (pendingResult) drawResult(pendingResult);
}

let mapLoaded = false;
let pendingResult = null;

function geojsonSource(id) {
  return mapLoaded ? reachmap.map.getSource(id) : undefined;
}

function drawSites(resolved) {
  const src = geojsonSource('sites');
  if (!src) return;
  const sites = resolved || state.sites.filter((s) => Number.isFinite(s.lat));
  src.setData({
    type: 'FeatureCollection',
    features: sites.map((s) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      properties: { label: s.label },
    })),
  });
}

function drawResult(result) {
  if (!mapLoaded) {
    pendingResult = result; // drawn once the map has loaded
    return;
  }
  pendingResult = null;
  const tiers = Boolean(result.possible_envelope);
  geojsonSource('envelope').setData(tiers ? EMPTY : envelopeData(result.envelope));
  const tierData = tiers ? tierMapData(result, envelopeData) : {};
  for (const id of Object.keys(TIER_SOURCES)) geojsonSource(id).setData(tierData[id] || EMPTY);
  geojsonSource('capitals').setData({
    type: 'FeatureCollection',
    features: (result.capitals || [])
      .filter((c) => !tiers && c.status === 'reached')
      .map((c) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
        properties: { name: c.name, country: c.country },
      })),
  });
  drawSites((result.sites || []).map((s) => ({ lat: s.lat, lon: s.lon, label: s.label })));
  fitTo(result);
}

/** The envelope's area, and its range limits as lines: the polygon rings without the edges
 * that RFC 7946 adds along the antimeridian and the poles (they are no range limit). */
function envelopeData(envelope) {
  const geometry = envelope && (envelope.geometry || envelope);
  if (!geometry) return EMPTY;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  const artificial = (a, b) => (Math.abs(a[0]) === 180 && Math.abs(b[0]) === 180)
    || (Math.abs(a[1]) === 90 && Math.abs(b[1]) === 90);
  const lines = [];
  for (const ring of polygons.flat()) {
    let line = [];
    for (let i = 1; i < ring.length; i++) {
      if (artificial(ring[i - 1], ring[i])) {
        if (line.length > 1) lines.push(line);
        line = [];
      } else {
        if (!line.length) line.push(ring[i - 1]);
        line.push(ring[i]);
      }
    }
    if (line.length > 1) lines.push(line);
  }
  return {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry, properties: { part: 'area' } },
      { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: lines },
        properties: { part: 'limit' } },
    ],
  };
}

function* positions(geometry) {
  if (!geometry) return;
  const walk = function* (c) {
    if (typeof c[0] === 'number') yield c;
    else for (const x of c) yield* walk(x);
  };
  yield* walk(geometry.coordinates);
}

function fitTo(result) {
  const map = reachmap.map;
  const envelope = result.envelope || result.possible_envelope;
  const geometry = envelope && (envelope.geometry || envelope);
  let w = Infinity, e = -Infinity, s = Infinity, n = -Infinity; // eslint-disable-line one-var
  let w2 = Infinity, e2 = -Infinity; // the same with longitudes shifted to 0..360
  for (const [lon, lat] of positions(geometry)) {
    w = Math.min(w, lon); e = Math.max(e, lon);
    s = Math.min(s, lat); n = Math.max(n, lat);
    const l2 = lon < 0 ? lon + 360 : lon;
    w2 = Math.min(w2, l2); e2 = Math.max(e2, l2);
  }
  const sites = result.sites || [];
  const animate = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const move = (opts) => (animate ? map.flyTo({ ...opts, duration: 900 }) : map.jumpTo(opts));
  if (!Number.isFinite(w)) {
    if (sites.length) move({ center: [sites[0].lon, sites[0].lat], zoom: 4 });
    return;
  }
  if (e2 - w2 < e - w) [w, e] = [w2, e2];
  if (n - s > 120 || e - w > 300) {
    // Nearly the whole globe: look at the sites from afar.
    const lon = sites.length ? sites[0].lon : (w + e) / 2;
    const lat = sites.length ? sites[0].lat : 20;
    move({ center: [lon, Math.max(-60, Math.min(60, lat))], zoom: 1.1 });
    return;
  }
  const cx = (w + e) / 2;
  const cy = (s + n) / 2;
  // Bounds centred on longitude 0 (cameraForBounds wants -180..180), then moved back.
  const camera = map.cameraForBounds([[w - cx, s], [e - cx, n]], { padding: 30 });
  const zoom = camera && Number.isFinite(camera.zoom) ? Math.min(camera.zoom, 7) : 2;
  const lon = ((cx + 540) % 360) - 180;
  move({ center: [lon, cy], zoom: Math.max(zoom, 0.5) });
}

// ---------------------------------------------------------------- catalog controls

function fillSystems(systems) {
  state.systems = systems;
  for (const s of systems) {
    const opt = document.createElement('option');
    opt.value = s.id;
    opt.textContent = `${s.name} (${s.range?.text ?? 'range unknown'})`;
    el.system.append(opt);
  }
}

function fillDeployments(deployments) {
  state.deployments = deployments;
  for (const d of deployments) {
    const system = systemById(d.system);
    const site = d.site || {};
    const opt = document.createElement('option');
    opt.value = d.id;
    opt.textContent = `${system ? system.name : d.system} at ${site.name ?? '?'}`
      + ` (${site.country ?? d.host}), ${d.status}`;
    el.deployment.append(opt);
  }
}

function deploymentSite(id) {
  const d = state.deployments.find((x) => x.id === id);
  const system = d && systemById(d.system);
  const label = d ? `${system ? system.name : d.system} at ${d.site?.name} (${d.site?.country})`
    : id;
  return { kind: 'deployment', deployment: id, label, lat: d?.site?.lat, lon: d?.site?.lon };
}

function onSystemChange() {
  const s = systemById(el.system.value);
  el.range.placeholder = s ? s.range?.text ?? '' : 'e.g. 500-5500 km';
}

// ---------------------------------------------------------------- sites

function siteKey(s) {
  if (s.kind === 'place') return `p:${s.place.toLowerCase()}`;
  if (s.kind === 'deployment') return `d:${s.deployment}`;
  return `l:${s.lat},${s.lon}`;
}

function addSite(site) {
  if (state.sites.some((s) => siteKey(s) === siteKey(site))) {
    setStatus(`${site.label} is already a site.`);
    return;
  }
  if (state.sites.length >= MAX_SITES) {
    setStatus(`At most ${MAX_SITES} sites per computation.`, 'error');
    return;
  }
  state.sites.push(site);
  renderSites();
  setStatus(`Added site ${site.label}.`);
}

function removeSite(index) {
  const [gone] = state.sites.splice(index, 1);
  renderSites();
  setStatus(`Removed site ${gone.label}.`);
}

const KIND_TEXT = { place: 'place', latlon: 'point', deployment: 'deployment' };

function renderSites() {
  el.sites.replaceChildren(
    ...state.sites.map((s, i) => {
      const li = document.createElement('li');
      li.dataset.kind = s.kind;
      if (s.kind === 'deployment') li.title = `Catalog deployment ${s.deployment}`;
      li.append(cell('span', KIND_TEXT[s.kind], 'kind'), ' ', cell('span', s.label, 'label'));
      const b = cell('button', 'Remove', 'remove');
      b.type = 'button';
      b.setAttribute('aria-label', `Remove site ${s.label}`);
      b.addEventListener('click', () => removeSite(i));
      li.append(b);
      return li;
    }),
  );
  el.sitesCount.textContent = String(state.sites.length);
  el.sitesEmpty.hidden = state.sites.length > 0;
  drawSites();
}

// ---------------------------------------------------------------- place search (combobox)

let searchTimer = 0;
let searchAbort = null;
let suggestions = [];
let active = -1;

function closeSuggestions() {
  el.suggestions.hidden = true;
  el.suggestions.replaceChildren();
  el.search.setAttribute('aria-expanded', 'false');
  el.search.removeAttribute('aria-activedescendant');
  suggestions = [];
  active = -1;
}

function renderSuggestions() {
  el.suggestions.replaceChildren(
    ...suggestions.map((sg, i) => {
      const li = document.createElement('li');
      li.id = `place-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.dataset.value = sg.value;
      li.append(cell('span', sg.text, 'name'));
      if (sg.note) li.append(' ', cell('span', sg.note, 'note'));
      // mousedown, not click: the input must not lose focus (and close the list) first.
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        choose(i);
      });
      return li;
    }),
  );
  const open = suggestions.length > 0;
  el.suggestions.hidden = !open;
  el.search.setAttribute('aria-expanded', String(open));
  if (active >= 0) el.search.setAttribute('aria-activedescendant', `place-option-${active}`);
  else el.search.removeAttribute('aria-activedescendant');
}

function choose(i) {
  const sg = suggestions[i];
  if (!sg) return;
  addSite(sg.site);
  el.search.value = '';
  closeSuggestions();
}

async function searchPlaces(q) {
  if (searchAbort) searchAbort.abort();
  searchAbort = new AbortController();
  const found = [];
  const m = LATLON.exec(q);
  if (m) {
    const lat = round4(Number(m[1]));
    const lon = round4(Number(m[2]));
    found.push({ value: `${lat},${lon}`, text: `Point ${lat}, ${lon}`, note: 'latitude, longitude',
      site: latlonSite(lat, lon) });
  } else {
    try {
      const data = await api(`${API}/places?q=${encodeURIComponent(q)}&limit=8`,
        { signal: searchAbort.signal });
      for (const p of data.places || []) {
        const place = `${p.name}, ${p.country}`;
        found.push({
          value: place,
          text: place,
          note: p.population ? `pop. ${fmtInt(p.population)}` : '',
          site: { kind: 'place', place, label: place, lat: p.lat, lon: p.lon },
        });
      }
    } catch (err) {
      if (err.name === 'AbortError') return;
      showError(err);
      return;
    }
  }
  if (el.search.value.trim() !== q) return; // the user typed on meanwhile
  suggestions = found;
  active = -1;
  renderSuggestions();
}

el.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  const q = el.search.value.trim();
  if (!q) {
    closeSuggestions();
    return;
  }
  searchTimer = setTimeout(() => searchPlaces(q), 200);
});

el.search.addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (!suggestions.length) return;
    ev.preventDefault();
    const step = ev.key === 'ArrowDown' ? 1 : -1;
    active = (active + step + suggestions.length) % suggestions.length;
    renderSuggestions();
  } else if (ev.key === 'Enter') {
    ev.preventDefault(); // never submit the form from here
    if (suggestions.length) choose(Math.max(active, 0));
  } else if (ev.key === 'Escape') {
    closeSuggestions();
  }
});

el.search.addEventListener('blur', () => setTimeout(closeSuggestions, 150));

// ---------------------------------------------------------------- requests

function buildRequest() {
  const req = {
    sites: state.sites.map((s) => {
      if (s.kind === 'place') return { place: s.place };
      if (s.kind === 'deployment') return { deployment: s.deployment };
      return { lat: s.lat, lon: s.lon };
    }),
    population: el.population.value,
  };
  if (el.system.value) req.system = el.system.value;
  const range = el.range.value.trim();
  if (range) req.range = range;
  return req;
}

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

let computeSeq = 0;

async function compute() {
  const uncertainty = readUncertainty();
  const tiers = wantsTiers(uncertainty, state.sites, state.deployments);
  const req = tiers ? tiersRequest(buildRequest(), uncertainty) : buildRequest();
  const seq = ++computeSeq;
  reachmap.lastRequest = req;
  setBodyState('busy');
  el.compute.disabled = true;
  setStatus(tiers ? 'Computing certain and possible reach, and the draws…'
    : 'Computing reach on the WGS84 ellipsoid…', 'busy');
  try {
    const result = await api(`${API}/${tiers ? 'tiers' : 'reach'}`, { method: 'POST', body: req });
    if (seq !== computeSeq) return;
    reachmap.lastResult = result;
    setMode(tiers ? 'tiers' : 'reach');
    if (tiers) {
      renderTierResult(result, req);
      setStatus(tiersStatus(result), 'done');
    } else {
      renderResult(result, req);
      const t = result.totals || {};
      setStatus(`Done: ${fmtInt(t.countries_full)} countries fully and `
        + `${fmtInt(t.countries_partial)} partly in reach; `
        + `${fmtInt(t.capitals_reached)} capitals.`, 'done');
    }
    drawResult(result);
    setBodyState('done');
  } catch (err) {
    if (seq !== computeSeq) return;
    console.error(err);
    showError(err);
  } finally {
    if (seq === computeSeq) el.compute.disabled = false;
  }
}

// ---------------------------------------------------------------- results

function renderResult(result, req) {
  const rng = result.range || {};
  const sites = (result.sites || []).map((s) => s.label).join('; ');
  el.summary.textContent = `Range "${rng.text}" (${fmtKm(rng.min_km ?? 0)} to `
    + `${fmtKm(rng.max_km ?? 0)} km) from ${sites}.`;

  // Totals: one <dd data-key data-value> per key of the API's totals, in its order.
  fillTotals(el.totals, result.totals, TOTAL_LABELS, fmtInt);
  const t = result.totals || {};
  if (t.world_population && Number.isFinite(t.population_reached_estimate)) {
    const div = document.createElement('div');
    div.className = 'total share';
    div.append(cell('dt', 'Share of the world population'),
      cell('dd', fmtPct(t.population_reached_estimate / t.world_population)));
    el.totals.append(div);
  }

  fillTable('#countries', result.countries || [], (c) => [
    cell('th', c.name), cell('td', c.iso2 || '—'), badgeCell(c.status),
    cell('td', fmtPct(c.area_share ?? 0), 'num'),
    cell('td', fmtInt(c.population_reached_estimate ?? 0), 'num'),
  ]);
  fillTable('#capitals', result.capitals || [], (c) => {
    const km = cell('td', fmtKm(c.nearest_km), 'num');
    km.dataset.value = String(c.nearest_km);
    return [cell('th', c.name), cell('td', c.country), badgeCell(c.status), km];
  });
  fillTable('#places', result.places || [], (p) => {
    const km = cell('td', fmtKm(p.nearest_km), 'num');
    km.dataset.value = String(p.nearest_km);
    return [cell('th', p.name), cell('td', p.country),
      cell('td', fmtInt(p.population), 'num'), km];
  });

  renderSources(result.system, req);
  const list = el.assumptions.querySelector('ul');
  list.replaceChildren(...(result.assumptions || []).map((a) => cell('li', a)));
  el.assumptions.querySelector('summary').textContent =
    `Assumptions (${(result.assumptions || []).length})`;
  el.credit.textContent = result.data ? `Data: ${result.data}` : '';
}

function renderTierResult(result, req) {
  el.summary.textContent = tiersSummary(result);
  renderTiers(result, el.totals);
  renderSources(result.system, req);
  const list = el.assumptions.querySelector('ul');
  list.replaceChildren(cell('li', result.method));
  el.assumptions.querySelector('summary').textContent = 'Method (1)';
  el.credit.textContent = `Population: ${result.population_source}.`;
}

function badgeCell(status) {
  const td = document.createElement('td');
  td.dataset.value = status;
  td.append(statusBadge(status));
  return td;
}

function sourceList(sources) {
  const ul = document.createElement('ul');
  for (const src of sources || []) {
    const li = document.createElement('li');
    if (typeof src === 'string') {
      li.textContent = src;
    } else {
      li.append(`${src.publisher}, `, cell('cite', src.title), src.date ? ` (${src.date})` : '');
      if (src.url) {
        const a = cell('a', 'link');
        a.href = src.url;
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        a.setAttribute('aria-label', `${src.title} (opens the source)`);
        li.append(', ', a);
      }
    }
    ul.append(li);
  }
  return ul;
}

function renderSources(system, req) {
  el.sources.replaceChildren();
  if (!system) {
    el.sources.append(cell('p', `Explicit range "${req.range}": no catalog record, no sources.`,
      'help'));
  } else {
    const r = system.range || {};
    const intro = document.createElement('p');
    intro.append(cell('strong', system.name), `: ${r.text}`
      + (r.status ? ` (${r.status}${r.meaning ? `, ${r.meaning}` : ''})` : '') + '.');
    if (req.range) intro.append(` Overridden here by "${req.range}".`);
    el.sources.append(intro, sourceList(r.sources));
  }
  for (const site of req.sites || []) {
    const d = site.deployment && state.deployments.find((x) => x.id === site.deployment);
    if (!d) continue;
    const p = document.createElement('p');
    p.append(cell('strong', deploymentSite(d.id).label),
      `: deployment ${d.status}; site ${d.site?.status ?? ''}`
      + (d.site?.uncertainty_km ? `, located to within ${fmtInt(d.site.uncertainty_km)} km` : '')
      + '.');
    el.sources.append(p, sourceList(d.sources));
  }
}

// ---------------------------------------------------------------- export, save, restore

function downloadBlob(blob, name) {
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

function loadToken() {
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

async function restore(id) {
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

// ---------------------------------------------------------------- read an article

const ingestEl = {
  panel: $('#ingest-panel'),
  article: $('#article'),
  source: $('#article-source'),
  button: $('#ingest'),
  result: $('#ingest-result'),
  download: $('#download-review'),
};

const KIND_LABEL = {
  system: 'system', 'system-candidate': 'new system?', range: 'range', country: 'country',
  region: 'region', place: 'place', deployment: 'deployment', quantity: 'quantity',
  date: 'date', treaty: 'treaty', claim: 'claim',
};
const KIND_PLURAL = {
  system: 'systems', 'system-candidate': 'new system names', range: 'ranges',
  country: 'countries', region: 'regions', place: 'places', deployment: 'deployments',
  quantity: 'quantities', date: 'dates', treaty: 'treaties', claim: 'claims',
};
/** Kinds whose span may hold other extractions (a deployment sentence, a claim's region). */
const CONTAINER_KINDS = new Set(['deployment', 'claim']);

let ingestSeq = 0;
let reviewToml = null;
let regionNames = new Map(); // region id -> name, from GET /regions (ids show until loaded)

const COUNTRY_NAMES = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

function countryName(iso2) {
  try {
    const name = COUNTRY_NAMES?.of(iso2);
    return name && name !== iso2 ? `${name} (${iso2})` : String(iso2);
  } catch {
    return String(iso2);
  }
}

function regionName(id) {
  const country = /^country-([a-z]{2})$/.exec(id); // countries are regions "country-<iso2>"
  if (country) return countryName(country[1].toUpperCase()).replace(/ \([A-Z]{2}\)$/, '');
  return regionNames.get(id) ?? id;
}

async function loadRegionNames() {
  if (regionNames.size) return;
  try {
    const data = await api(`${API}/regions`);
    regionNames = new Map((data.regions || []).map((r) => [r.id, r.name]));
  } catch (err) {
    console.warn('region names not loaded; showing ids', err);
  }
}

/** Python offsets count code points; JavaScript strings count UTF-16 units. */
function codePointToUnit(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
  const map = [];
  let u = 0;
  while (u < text.length) {
    map.push(u);
    const c = text.charCodeAt(u);
    const pair = c >= 0xd800 && c <= 0xdbff && u + 1 < text.length
      && (text.charCodeAt(u + 1) & 0xfc00) === 0xdc00;
    u += pair ? 2 : 1;
  }
  map.push(text.length);
  return (i) => (i >= 0 && i < map.length ? map[i] : -1);
}

/** A range's words on one line, for the range input (a text input drops line breaks, which
 * would glue "310\nto" into "310to"); the range parser folds the rest itself. */
function rangeInputText(text) {
  return text.replace(/\s+/g, ' ').trim();
}

function fmtNum(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '';
}

function extractionMeaning(x) {
  const v = x.value || {};
  switch (x.kind) {
    case 'system': {
      const s = systemById(v.id);
      return s ? `${s.name} (catalog: ${s.range?.text ?? 'range unknown'})` : `catalog id ${v.id}`;
    }
    case 'system-candidate':
      return `"${v.name}": a name not in the catalog`;
    case 'range':
      if (v.status !== 'parsed') return `rejected: ${v.reason}`;
      return `${fmtNum(v.min_km)} to ${fmtNum(v.max_km)} km (converted from ${v.unit})`
        + (v.range_context === false ? '; no range word in the sentence' : '');
    case 'country':
      return countryName(v.iso2);
    case 'region':
      return `${regionName(v.id)} (region ${v.id})`;
    case 'place':
      return `${v.name}, ${v.country} (${fmtNum(v.lat)}, ${fmtNum(v.lon)}), `
        + `pop. ${fmtInt(v.population)}`
        + (v.matches > 1 ? `; the largest of ${v.matches} places of that name` : '')
        + (v.spelling === 'alternate' ? '; an alternate spelling' : '');
    case 'deployment': {
      const s = systemById(v.system);
      return `${s ? s.name : v.system} deployed in ${v.host ? countryName(v.host) : '?'}`
        + (v.places?.length ? ` at ${v.places.join(', ')}` : '')
        + (v.system_in_sentence === false ? ` (system "${v.system_text}" from an earlier sentence)`
          : '');
    }
    case 'quantity': {
      const hi = v.high === null || v.high === undefined ? 'open' : fmtNum(v.high);
      return `${fmtNum(v.low)} to ${hi} (${v.basis})`;
    }
    case 'date':
      return v.date;
    case 'treaty':
      return v.id;
    case 'claim':
      return `a claim about ${regionName(v.region)} (region ${v.region})`;
    default:
      return JSON.stringify(v);
  }
}

/** Choose the spans to highlight: all, except one that partly overlaps a span already
 * chosen (a span wholly inside another, such as the system in its deployment sentence, is
 * nested). Single things (system, range, place ...) are chosen before the spans that hold
 * them (deployments, claims), in text order; the result is sorted for markedArticle. */
function chooseMarks(items) {
  const container = (m) => Number(CONTAINER_KINDS.has(m.x.kind));
  const nestedOrder = (a, b) => a.s - b.s || b.e - a.e || container(b) - container(a)
    || a.i - b.i;
  const order = items
    .map((m, i) => Object.assign(m, { i }))
    .filter((m) => m.ok)
    .sort((a, b) => container(a) - container(b) || a.s - b.s || a.i - b.i);
  const chosen = [];
  for (const m of order) {
    const clash = chosen.find((c) => m.s < c.e && c.s < m.e // overlap
      && !(c.s <= m.s && m.e <= c.e) && !(m.s <= c.s && c.e <= m.e)); // and not nested
    if (clash) m.skipped = clash.i;
    else chosen.push(m);
  }
  return chosen.sort(nestedOrder);
}

/** The article as text nodes and (nested) <mark>s: never HTML from the text. */
function markedArticle(text, marks) {
  const root = document.createElement('div');
  root.className = 'article-marked';
  const stack = [{ node: root, e: text.length }];
  let pos = 0;
  const textTo = (node, end) => {
    if (end > pos) node.append(document.createTextNode(text.slice(pos, end)));
    pos = Math.max(pos, end);
  };
  for (const m of marks) { // sorted by start, longest first
    while (stack.length > 1 && stack[stack.length - 1].e <= m.s) {
      const top = stack.pop();
      textTo(top.node, top.e);
    }
    textTo(stack[stack.length - 1].node, m.s);
    const mark = document.createElement('mark');
    mark.dataset.kind = m.x.kind;
    mark.dataset.index = String(m.i);
    mark.dataset.start = String(m.x.start);
    mark.dataset.end = String(m.x.end);
    mark.title = `${KIND_LABEL[m.x.kind] ?? m.x.kind}: ${extractionMeaning(m.x)}`;
    stack[stack.length - 1].node.append(mark);
    stack.push({ node: mark, e: m.e });
  }
  while (stack.length > 1) {
    const top = stack.pop();
    textTo(top.node, top.e);
  }
  textTo(root, text.length);
  return root;
}

function actionButton(text, label, onClick) {
  const b = cell('button', text, 'use');
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function extractionAction(x) {
  const v = x.value || {};
  if (x.kind === 'system' && systemById(v.id)) {
    const s = systemById(v.id);
    return actionButton('Use', `Use ${s.name} as the system`, () => {
      el.system.value = s.id;
      onSystemChange();
      setStatus(`System set to ${s.name}.`);
    });
  }
  if (x.kind === 'range' && v.status === 'parsed') {
    const text = rangeInputText(x.text);
    return actionButton('Use', `Use the range ${text}`, () => {
      el.range.value = text;
      setStatus(`Range set to "${text}".`);
    });
  }
  if (x.kind === 'place' && v.name && v.country) {
    const place = `${v.name}, ${v.country}`;
    return actionButton('Add site', `Add ${place} as a site`, () => addSite({
      kind: 'place', place, label: place, lat: v.lat, lon: v.lon,
    }));
  }
  return null;
}

function extractionsTable(items) {
  const table = document.createElement('table');
  table.id = 'extractions';
  table.innerHTML = '<caption>What the article states</caption><thead><tr>'
    + '<th scope="col" class="num">#</th><th scope="col">Kind</th><th scope="col">Text</th>'
    + '<th scope="col">Meaning</th><th scope="col" class="num">Characters</th>'
    + '<th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>';
  table.querySelector('caption').dataset.count = String(items.length);
  const tbody = document.createElement('tbody');
  items.forEach((m, i) => {
    const { x } = m;
    const tr = document.createElement('tr');
    tr.id = `extraction-${i}`;
    tr.dataset.kind = x.kind;
    tr.dataset.start = String(x.start);
    tr.dataset.end = String(x.end);
    const kind = document.createElement('td');
    kind.dataset.value = x.kind;
    kind.append(cell('span', KIND_LABEL[x.kind] ?? x.kind, 'kind-badge'));
    kind.firstChild.dataset.kind = x.kind;
    const text = cell('th', x.text, 'quote');
    text.setAttribute('scope', 'row');
    const meaning = cell('td', extractionMeaning(x));
    if (!m.ok) {
      meaning.append(cell('span', ' (offsets do not match the text: not highlighted)', 'note'));
    } else if (m.skipped !== undefined) {
      meaning.append(cell('span', ` (not highlighted: overlaps #${m.skipped + 1})`, 'note'));
    }
    const where = cell('td', `${x.start}–${x.end}`, 'num');
    const action = document.createElement('td');
    const b = extractionAction(x);
    if (b) action.append(b);
    tr.append(cell('td', String(i + 1), 'num'), kind, text, meaning, where, action);
    tbody.append(tr);
  });
  table.append(tbody);
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', 'Extractions');
  wrap.tabIndex = 0;
  wrap.append(table);
  return wrap;
}

function checksSection(checks) {
  const section = document.createElement('section');
  section.id = 'ingest-checks';
  section.setAttribute('aria-label', 'Claims checked');
  section.append(cell('h3', `Claims checked (${checks.length})`));
  if (!checks.length) {
    section.append(cell('p', 'The article makes no claim of the form "can cover all of '
      + '<region>".', 'help'));
    return section;
  }
  const ul = document.createElement('ul');
  for (const c of checks) {
    const li = document.createElement('li');
    li.dataset.region = c.region;
    const head = document.createElement('p');
    head.append(cell('q', c.claim), ` (${regionName(c.region)}): `);
    if (c.not_run) {
      li.dataset.verdict = 'not-run';
      head.append(cell('span', 'not run', 'badge verdict-not-run'), ` ${c.not_run}`);
    } else {
      li.dataset.verdict = c.verdict;
      head.append(cell('span', c.verdict,
        `badge verdict-${String(c.verdict).replace(/\s+/g, '-')}`));
    }
    li.append(head);
    const facts = [];
    if (c.system) facts.push(`system ${c.system}`);
    if (c.range) facts.push(`range ${c.range}`);
    if (c.sites?.length) facts.push(`sites ${c.sites.join('; ')}`);
    if (c.catalog_deployments?.length) {
      facts.push(`catalog deployments ${c.catalog_deployments.join(', ')}`);
    }
    if (facts.length) li.append(cell('p', facts.join(' · '), 'help'));
    if (c.summary) {
      // "<claim> (...): verdict; shares\n  - exception\n  - exception"
      const [first, ...rest] = String(c.summary).split('\n');
      li.append(cell('p', first, 'summary'));
      const bullets = rest.map((l) => l.replace(/^\s*-\s*/, '')).filter(Boolean);
      if (bullets.length) {
        const ex = document.createElement('ul');
        ex.className = 'exceptions';
        ex.append(...bullets.map((b) => cell('li', b)));
        li.append(ex);
      }
    }
    ul.append(li);
  }
  section.append(ul);
  return section;
}

function renderIngest(text, data) {
  const res = ingestEl.result;
  reviewToml = data.nothing_found ? null : data.review_toml;
  ingestEl.download.hidden = reviewToml === null;
  if (data.nothing_found) {
    res.replaceChildren(cell('p', 'Nothing to extract: the article names no system, range, '
      + 'place, deployment, quantity, date, treaty or claim that reachmap reads.', 'nothing'));
    return;
  }
  const unit = codePointToUnit(text);
  const items = (data.extractions || []).map((x) => {
    const s = unit(x.start);
    const e = unit(x.end);
    return { x, s, e, ok: s >= 0 && e >= s && text.slice(s, e) === x.text };
  });
  const marks = chooseMarks(items);
  const counts = {};
  for (const { x } of items) counts[x.kind] = (counts[x.kind] || 0) + 1;
  const summary = cell('p', `Found ${items.length}: `
    + Object.entries(counts)
      .map(([k, n]) => `${n} ${(n === 1 ? KIND_LABEL[k] : KIND_PLURAL[k]) ?? k}`).join(', ')
    + '. Proposals read by rules: confirm them in the review file.', 'ingest-summary');
  res.replaceChildren(summary, markedArticle(text, marks), extractionsTable(items),
    checksSection(data.checks || []));
}

async function ingest() {
  const text = ingestEl.article.value;
  const res = ingestEl.result;
  if (!text.trim()) {
    setStatus('Paste an article first.');
    ingestEl.article.focus();
    return;
  }
  const seq = ++ingestSeq;
  const before = document.body.dataset.state;
  res.dataset.state = 'busy';
  res.setAttribute('aria-busy', 'true');
  ingestEl.button.disabled = true;
  setStatus('Reading the article…', 'busy');
  try {
    const body = { text, on: null, source: ingestEl.source.value.trim() || 'article' };
    const [data] = await Promise.all([
      api(`${API}/ingest`, { method: 'POST', body }),
      loadRegionNames(),
    ]);
    if (seq !== ingestSeq) return;
    reachmap.lastIngest = data;
    renderIngest(text, data);
    const n = (data.extractions || []).length;
    const c = (data.checks || []).length;
    setStatus(data.nothing_found ? 'Nothing to extract from the article.'
      : `Read the article: ${n} extractions, ${c} claim${c === 1 ? '' : 's'} checked.`, 'done');
    if (before === 'error') setBodyState('idle');
    res.dataset.state = 'done';
  } catch (err) {
    if (seq !== ingestSeq) return;
    console.error(err);
    showError(err);
    res.replaceChildren(); // not the previous article's result under this one's error
    reviewToml = null;
    ingestEl.download.hidden = true;
    res.dataset.state = 'error';
  } finally {
    if (seq === ingestSeq) {
      ingestEl.button.disabled = false;
      res.setAttribute('aria-busy', 'false');
    }
  }
}

ingestEl.button.addEventListener('click', ingest);
ingestEl.article.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    ingest();
  }
});
ingestEl.download.addEventListener('click', () => {
  if (reviewToml === null) return;
  downloadBlob(new Blob([reviewToml], { type: 'application/toml' }), 'article.review.toml');
  setStatus('Downloaded article.review.toml: set confirmed = true on what the article '
    + 'really states.', 'done');
});
ingestEl.result.addEventListener('click', (ev) => {
  const mark = ev.target.closest('mark[data-index]');
  if (!mark) return;
  const row = document.getElementById(`extraction-${mark.dataset.index}`);
  if (!row) return;
  row.scrollIntoView({ block: 'nearest' });
  row.classList.remove('flash');
  void row.offsetWidth; // restart the animation
  row.classList.add('flash');
});

// ---------------------------------------------------------------- wiring

el.system.addEventListener('change', onSystemChange);
el.addDeployment.addEventListener('click', () => {
  if (!el.deployment.value) {
    setStatus('Choose a deployment first.');
    return;
  }
  addSite(deploymentSite(el.deployment.value));
  el.deployment.value = '';
});
el.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  compute();
});
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

async function main() {
  setBodyState('busy');
  setMode('reach');
  initUncertaintyControls();
  loadToken();
  renderSites();
  const mapReady = initMap();
  try {
    const [systems, deployments] = await Promise.all([
      api(`${API}/catalog/systems`),
      api(`${API}/catalog/deployments`),
    ]);
    fillSystems(systems.systems || []);
    fillDeployments(deployments.deployments || []);
  } catch (err) {
    showError(err);
    document.body.dataset.ready = 'true';
    return;
  }
  onSystemChange();
  setStatus('Choose a system or a range, add sites, then compute.');
  setBodyState('idle');
  document.body.dataset.ready = 'true';
  const id = new URLSearchParams(window.location.search).get('s');
  if (id) {
    await mapReady; // draw the restored result on a loaded map
    await restore(id);
  }
}

main();
