// reachmap web page: one ES module, no build step. Talks to the HTTP API in docs/api.md.
// Tests read window.reachmap ({map, state, lastRequest, lastResult}) and wait on
// document.body.dataset.state ("idle" | "busy" | "done" | "error").

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

const reachmap = { map: null, state, lastRequest: null, lastResult: null };
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

async function api(path, { method = 'GET', body, signal } = {}) {
  const init = { method, signal, headers: { Accept: 'application/json' } };
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

function cell(tag, text, cls) {
  const c = document.createElement(tag);
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

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
  const map = reachmap.map;
  geojsonSource('envelope').setData(envelopeData(result.envelope));
  geojsonSource('capitals').setData({
    type: 'FeatureCollection',
    features: (result.capitals || [])
      .filter((c) => c.status === 'reached')
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
  const geometry = result.envelope && (result.envelope.geometry || result.envelope);
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
  return {
    title: `${system && !range ? system.name : `Range ${what}`} from ${where || 'nowhere'}`,
    on: todayIso(),
    population: el.population.value,
    system: system && !range
      ? { catalog: system.name }
      : { range, basing: system?.basing?.[0] ?? 'ground' },
    sites: { places, deployments },
  };
}

let computeSeq = 0;

async function compute() {
  const req = buildRequest();
  const seq = ++computeSeq;
  reachmap.lastRequest = req;
  setBodyState('busy');
  el.compute.disabled = true;
  setStatus('Computing reach on the WGS84 ellipsoid…', 'busy');
  try {
    const result = await api(`${API}/reach`, { method: 'POST', body: req });
    if (seq !== computeSeq) return;
    reachmap.lastResult = result;
    renderResult(result, req);
    drawResult(result);
    const t = result.totals || {};
    setStatus(`Done: ${fmtInt(t.countries_full)} countries fully and `
      + `${fmtInt(t.countries_partial)} partly in reach; ${fmtInt(t.capitals_reached)} capitals.`,
    'done');
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
  el.totals.replaceChildren(
    ...Object.entries(result.totals || {}).map(([key, value]) => {
      const div = document.createElement('div');
      div.className = 'total';
      const dd = cell('dd', fmtInt(value));
      dd.dataset.key = key;
      dd.dataset.value = String(value);
      div.append(cell('dt', TOTAL_LABELS[key] || key.replaceAll('_', ' ')), dd);
      return div;
    }),
  );
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

function badgeCell(status) {
  const td = document.createElement('td');
  td.dataset.value = status;
  td.append(statusBadge(status));
  return td;
}

function fillTable(sel, rows, toCells) {
  const tbody = document.querySelector(`${sel} tbody`);
  tbody.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      const cells = toCells(r);
      cells[0].setAttribute('scope', 'row');
      tr.append(...cells);
      return tr;
    }),
  );
  const caption = document.querySelector(`${sel} caption`);
  caption.dataset.count = String(rows.length);
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
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setStatus(`Exported ${name} (${fmtInt(blob.size)} bytes).`, 'done');
    setBodyState(before === 'error' ? 'idle' : before);
  } catch (err) {
    showError(err);
  }
}

async function save() {
  const scenario = buildScenario();
  setStatus('Saving…', 'busy');
  try {
    const saved = await api(`${API}/scenarios`, { method: 'POST', body: scenario });
    history.replaceState(null, '', `/?s=${encodeURIComponent(saved.id)}`);
    el.permalink.value = window.location.href;
    setStatus(`Saved: ${window.location.href}`, 'done');
  } catch (err) {
    showError(err);
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
  el.permalink.value = window.location.href;
  if (sc.title) document.title = `${sc.title} — reachmap`;
  await compute();
}

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
el.permalink.addEventListener('focus', () => el.permalink.select());

async function main() {
  setBodyState('busy');
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
