// The result tables and their text: the summary, totals, countries, capitals and places of
// /reach, the tier result's frame (tables in tiers.js), the sources and the assumptions.

import { cell, fillTable, fillTotals } from './dom.js';
import { el, fmtInt, state } from './core.js';
import { deploymentSite } from './controls.js';
import { renderTiers, tiersSummary } from './tiers.js';

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

const fmtKm = (n) =>
  n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fmtPct = (x) =>
  `${(100 * x).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;

function statusBadge(status) {
  const span = cell('span', status, `badge status-${status}`);
  span.title = STATUS_TEXT[status] || status;
  return span;
}

export function renderResult(result, req) {
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

export function renderTierResult(result, req) {
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
