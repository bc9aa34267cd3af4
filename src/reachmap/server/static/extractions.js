// How the article reader's answer (POST /ingest) is shown: the article with its extractions
// highlighted, the table of what it states (with Use / Add site buttons), the claims checked.

import { cell } from './dom.js';
import { API, api, el, fmtInt, setStatus } from './core.js';
import { addSite, onSystemChange, systemById } from './controls.js';

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

export async function loadRegionNames() {
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

/** Show ``data``, the /ingest answer for ``text``, in ``res``. */
export function renderIngest(res, text, data) {
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
