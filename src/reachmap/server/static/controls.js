// The scenario controls: the system picker and the range, the reported deployments, the
// sites list and the place search (a combobox), and the /reach request they make.

import { cell } from './dom.js';
import { API, api, el, fmtInt, round4, setStatus, showError, state } from './core.js';
import { drawSites } from './map.js';

const MAX_SITES = 100;
export const LATLON = /^\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*$/;

export function systemById(id) {
  return state.systems.find((s) => s.id === id) || null;
}

export function findSystem(name) {
  const key = String(name).trim().toLowerCase();
  return (
    state.systems.find((s) =>
      [s.id, s.name, ...(s.aliases || [])].some((n) => String(n).toLowerCase() === key),
    ) || null
  );
}

export function latlonSite(lat, lon) {
  return { kind: 'latlon', lat, lon, label: `${lat}, ${lon}` };
}

// ---------------------------------------------------------------- catalog controls

export function fillSystems(systems) {
  state.systems = systems;
  for (const s of systems) {
    const opt = document.createElement('option');
    opt.value = s.id;
    opt.textContent = `${s.name} (${s.range?.text ?? 'range unknown'})`;
    el.system.append(opt);
  }
}

export function fillDeployments(deployments) {
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

export function deploymentSite(id) {
  const d = state.deployments.find((x) => x.id === id);
  const system = d && systemById(d.system);
  const label = d ? `${system ? system.name : d.system} at ${d.site?.name} (${d.site?.country})`
    : id;
  return { kind: 'deployment', deployment: id, label, lat: d?.site?.lat, lon: d?.site?.lon };
}

export function onSystemChange() {
  const s = systemById(el.system.value);
  el.range.placeholder = s ? s.range?.text ?? '' : 'e.g. 500-5500 km';
}

// ---------------------------------------------------------------- sites

function siteKey(s) {
  if (s.kind === 'place') return `p:${s.place.toLowerCase()}`;
  if (s.kind === 'deployment') return `d:${s.deployment}`;
  return `l:${s.lat},${s.lon}`;
}

export function addSite(site) {
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

export function renderSites() {
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

/** Wire the place search, the system picker and the deployment button (once). */
export function initControls() {
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
  el.system.addEventListener('change', onSystemChange);
  el.addDeployment.addEventListener('click', () => {
    if (!el.deployment.value) {
      setStatus('Choose a deployment first.');
      return;
    }
    addSite(deploymentSite(el.deployment.value));
    el.deployment.value = '';
  });
}

// ---------------------------------------------------------------- requests

export function buildRequest() {
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
