// Reach under uncertainty (POST /api/v1/tiers): the "Uncertainty" controls and request, the
// tier tables, and the map's "certain" and "possible" layers. Tests read
// document.body.dataset.mode ("reach" | "tiers") and the data-value of the table cells.

import { cell, fillTable, fillTotals } from './dom.js';

const NUM = new Intl.NumberFormat('en-US');

const $ = (sel) => document.querySelector(sel);
const ui = {
  radius: $('#site-uncertainty'),
  maxRange: $('#max-range'),
  maxRangeMode: $('#max-range-mode'),
  draws: $('#draws'),
  seed: $('#seed'),
  section: $('#tiers'),
  reachTables: $('#reach-tables'),
  legend: document.querySelectorAll('.legend .tiers-only'),
  reachLegend: document.querySelectorAll('.legend .reach-only'),
};

export const TIER_TEXT = {
  certain: 'reached from every point of the site areas with every admissible range',
  possible: 'reached from some points of the site areas or with some admissible ranges',
  unreachable: 'reached from none',
};

export const TIER_TOTAL_LABELS = {
  places_certain: 'Places certainly reached',
  places_possible: 'Places possibly reached (incl. certain)',
  population_certain: 'People certainly reached',
  population_possible: 'People possibly reached (incl. certain)',
  population_mean: 'People reached, mean of the draws',
  population_p05: 'People reached, 5th percentile',
  population_p95: 'People reached, 95th percentile',
};

// ---------------------------------------------------------------- controls and request

/** The uncertainty controls as API fields (only those set). The most likely maximum goes
 * only with an interval (the API refuses it alone); without one its input is disabled. */
export function readUncertainty() {
  const out = {};
  const radius = ui.radius.value.trim();
  if (radius !== '') out.site_uncertainty_km = Number(radius);
  const maxRange = ui.maxRange.value.trim();
  if (maxRange) {
    out.max_range = maxRange;
    const mode = ui.maxRangeMode.value.trim();
    if (mode) out.max_range_mode = mode;
  }
  const draws = ui.draws.value.trim();
  if (draws !== '') out.draws = Number(draws);
  const seed = ui.seed.value.trim();
  if (seed !== '') out.seed = Number(seed);
  return out;
}

/** Enable the most likely maximum only while there is an interval to put it in. */
export function syncUncertaintyControls() {
  ui.maxRangeMode.disabled = ui.maxRange.value.trim() === '';
}

/** Wire the uncertainty controls (once, when the page starts). */
export function initUncertaintyControls() {
  ui.maxRange.addEventListener('input', syncUncertaintyControls);
  syncUncertaintyControls();
}

// Draws and seed as the /tiers API takes them when absent (and as the inputs start).
const DEFAULT_DRAWS = 200;
const DEFAULT_SEED = 0;

/** A number input's value: its number, ``fallback`` when empty, the text when not a number
 * (the server then names the field). */
function numberOr(input, fallback) {
  const text = input.value.trim();
  if (text === '') return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** The scenario's ``uncertainty`` table from the controls, or null when none is set (a
 * plain scenario keeps its id): a site radius, a maximum-range interval (with its most
 * likely value), or draws or seed other than the defaults. Draws and seed are always
 * written out, since a scenario's own defaults (0 draws) differ from the page's. */
export function scenarioUncertainty() {
  const radius = ui.radius.value.trim();
  const maxRange = ui.maxRange.value.trim();
  const mode = maxRange ? ui.maxRangeMode.value.trim() : '';
  const draws = numberOr(ui.draws, DEFAULT_DRAWS);
  const seed = numberOr(ui.seed, DEFAULT_SEED);
  if (!radius && !maxRange && draws === DEFAULT_DRAWS && seed === DEFAULT_SEED) return null;
  const out = {};
  if (radius) out.site_km = numberOr(ui.radius, null);
  if (maxRange) out.max_range = maxRange;
  if (mode) out.max_range_mode = mode;
  out.draws = draws;
  out.seed = seed;
  return out;
}

/** Set the controls from a saved scenario's ``uncertainty`` (null: the page's defaults,
 * radius and interval empty). Returns the number of polygon sites, which the page cannot
 * show. */
export function setUncertainty(u) {
  const text = (v) => (v === null || v === undefined ? '' : String(v));
  ui.radius.value = text(u?.site_km);
  ui.maxRange.value = text(u?.max_range);
  ui.maxRangeMode.value = text(u?.max_range_mode);
  ui.draws.value = u ? text(u.draws ?? 0) : String(DEFAULT_DRAWS);
  ui.seed.value = u ? text(u.seed ?? 0) : String(DEFAULT_SEED);
  syncUncertaintyControls();
  return (u?.polygons || []).length;
}

/** Whether any uncertainty is stated: a radius > 0, a maximum-range interval, or (with no
 * radius given) a catalog deployment whose site is located only to within some km. */
export function wantsTiers(fields, sites, deployments) {
  if (fields.max_range) return true;
  if (fields.site_uncertainty_km !== undefined) return fields.site_uncertainty_km !== 0;
  return sites.some((s) => {
    if (s.kind !== 'deployment') return false;
    const d = deployments.find((x) => x.id === s.deployment);
    return Boolean(d && d.site && d.site.uncertainty_km > 0);
  });
}

/** The /tiers body: the /reach body plus the uncertainty fields. */
export function tiersRequest(reachRequest, fields) {
  return { ...reachRequest, ...fields };
}

// ---------------------------------------------------------------- map

const FILL = '#e8590c';
const LINE = '#c92a2a';

/** Sources and layers for the map style, drawn above the reach envelope. */
export const TIER_SOURCES = {
  possible: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
  certain: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
  'tier-points': { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
};

export const TIER_LAYERS = [
  {
    id: 'possible-fill', type: 'fill', source: 'possible',
    filter: ['==', ['get', 'part'], 'area'],
    paint: { 'fill-color': FILL, 'fill-opacity': 0.12, 'fill-antialias': false },
  },
  {
    id: 'possible-line', type: 'line', source: 'possible',
    filter: ['==', ['get', 'part'], 'limit'],
    paint: { 'line-color': LINE, 'line-width': 1.5, 'line-dasharray': [3, 2] },
  },
  {
    id: 'certain-fill', type: 'fill', source: 'certain',
    filter: ['==', ['get', 'part'], 'area'],
    paint: { 'fill-color': FILL, 'fill-opacity': 0.32, 'fill-antialias': false },
  },
  {
    id: 'certain-line', type: 'line', source: 'certain',
    filter: ['==', ['get', 'part'], 'limit'],
    paint: { 'line-color': LINE, 'line-width': 2 },
  },
  {
    id: 'tier-points', type: 'circle', source: 'tier-points',
    paint: {
      'circle-radius': ['case', ['get', 'capital'], 4.5, 3.5],
      'circle-color': ['get', 'colour'],
      'circle-stroke-color': ['case', ['get', 'capital'], '#111111', '#ffffff'],
      'circle-stroke-width': ['case', ['get', 'capital'], 1.5, 0.8],
    },
  },
];

// Probability colours (light to dark; the number is always shown next to the colour).
const STOPS = [
  [0, [255, 255, 178]],
  [0.25, [254, 204, 92]],
  [0.5, [253, 141, 60]],
  [0.75, [240, 59, 32]],
  [1, [189, 0, 38]],
];

/** The colour of a probability; of a tier when there is no probability (no draws). */
export function probabilityColour(p, tier) {
  if (p === null || p === undefined || !Number.isFinite(p)) {
    return tier === 'certain' ? '#bd0026' : tier === 'possible' ? '#adb5bd' : '#f1f3f5';
  }
  const x = Math.min(Math.max(p, 0), 1);
  let i = 1;
  while (i < STOPS.length - 1 && x > STOPS[i][0]) i++;
  const [a, ca] = STOPS[i - 1];
  const [b, cb] = STOPS[i];
  const t = b > a ? (x - a) / (b - a) : 0;
  const rgb = ca.map((v, k) => Math.round(v + t * (cb[k] - v)));
  return `rgb(${rgb.join(', ')})`;
}

/** Data for the tier sources; ``envelopeData`` splits an envelope into area and limit. */
export function tierMapData(result, envelopeData) {
  const point = (p, capital) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    properties: {
      name: p.name, tier: p.tier, probability: p.probability ?? null, capital,
      colour: probabilityColour(p.probability, p.tier),
    },
  });
  const capitals = (result.capitals || []).filter((c) => c.tier !== 'unreachable');
  return {
    certain: envelopeData(result.certain_envelope),
    possible: envelopeData(result.possible_envelope),
    'tier-points': {
      type: 'FeatureCollection',
      features: [...(result.places || []).map((p) => point(p, false)),
        ...capitals.map((c) => point(c, true))],
    },
  };
}

/** Show the tier parts of the page (mode "tiers") or the reach parts (mode "reach"). */
export function setMode(mode) {
  document.body.dataset.mode = mode;
  const tiers = mode === 'tiers';
  ui.section.hidden = !tiers;
  ui.reachTables.hidden = tiers;
  for (const li of ui.legend) li.hidden = !tiers;
  for (const li of ui.reachLegend) li.hidden = tiers;
}

// ---------------------------------------------------------------- tables

const fmtInt = (n) => (typeof n === 'number' ? NUM.format(Math.round(n)) : '—');
const fmtKm = (n) =>
  n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmtProb = (p) => (p === null || p === undefined ? '—' : `${fmtKm(100 * p)}%`);

function tierCell(tier) {
  const td = document.createElement('td');
  td.dataset.value = tier;
  const span = cell('span', tier, `badge tier-${tier}`);
  span.title = TIER_TEXT[tier] || tier;
  td.append(span);
  return td;
}

function numCell(value, text) {
  const td = cell('td', text, 'num');
  td.dataset.value = value === null || value === undefined ? '' : String(value);
  return td;
}

function probCell(p, tier) {
  const td = numCell(p, fmtProb(p));
  const sw = cell('span', '', 'prob-swatch');
  sw.setAttribute('aria-hidden', 'true');
  sw.style.background = probabilityColour(p, tier);
  td.prepend(sw);
  return td;
}

const TIER_ORDER = { certain: 0, possible: 1, unreachable: 2 };

/** Fill the tier tables and the totals (one <dd data-key data-value> per API total). */
export function renderTiers(result, totalsEl) {
  fillTotals(totalsEl, result.totals, TIER_TOTAL_LABELS, fmtInt);
  const countries = [...(result.countries || [])].sort(
    (a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier]
      || b.possible_population - a.possible_population || a.name.localeCompare(b.name),
  );
  fillTable('#tier-countries', countries, (c) => [
    cell('th', c.name), cell('td', c.iso2 || '—'), tierCell(c.tier),
    numCell(c.certain_population, fmtInt(c.certain_population)),
    numCell(c.possible_population, fmtInt(c.possible_population)),
    probCell(c.probability_reached, c.tier),
    numCell(c.probability_full, fmtProb(c.probability_full)),
  ]);
  const capitals = [...(result.capitals || [])].sort((a, b) => a.min_km - b.min_km);
  fillTable('#tier-capitals', capitals, (c) => [
    cell('th', c.name), cell('td', c.country), tierCell(c.tier), probCell(c.probability, c.tier),
    numCell(c.min_km, fmtKm(c.min_km)), numCell(c.max_km, fmtKm(c.max_km)),
  ]);
  fillTable('#tier-places', result.places || [], (p) => [
    cell('th', p.name), cell('td', p.country), numCell(p.population, fmtInt(p.population)),
    tierCell(p.tier), probCell(p.probability, p.tier),
  ]);
  const draws = result.draws || 0;
  $('#tiers-draws').textContent = draws > 0
    ? `${NUM.format(draws)} draws, seed ${result.seed}.`
    : 'No draws (0): tiers only, no probabilities.';
}

/** One sentence on the result, for the summary line. */
export function tiersSummary(result) {
  const r = result.range || {};
  const sites = (result.sites || []).map((s) => s.label).join('; ');
  const [lo, hi] = r.max_km || [0, 0];
  const [mlo, mhi] = r.min_km || [0, 0];
  const span = (a, b) => (a === b ? `${fmtKm(a)} km` : `${fmtKm(a)} to ${fmtKm(b)} km`);
  const min = mhi > 0 ? `, minimum ${span(mlo, mhi)}` : '';
  return `Range "${r.text}" (maximum ${span(lo, hi)}${min}) from ${sites}.`;
}

/** The status line once done. */
export function tiersStatus(result) {
  const n = (tier) => (result.countries || []).filter((c) => c.tier === tier).length;
  const caps = (tier) => (result.capitals || []).filter((c) => c.tier === tier).length;
  return `Done: ${n('certain')} countries with people certainly in reach and ${n('possible')} `
    + `more possibly; ${caps('certain')} capitals certainly, ${caps('possible')} possibly.`;
}
