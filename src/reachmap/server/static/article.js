// The "Read an article" panel: sends the pasted text to POST /ingest, shows the answer
// (extractions.js) and downloads the review file; #ingest-result's data-state is
// "busy" | "done" | "error".

import { $, API, api, reachmap, setBodyState, setStatus, showError } from './core.js';
import { loadRegionNames, renderIngest } from './extractions.js';
import { downloadBlob } from './permalink.js';

const ingestEl = {
  panel: $('#ingest-panel'),
  article: $('#article'),
  source: $('#article-source'),
  button: $('#ingest'),
  result: $('#ingest-result'),
  download: $('#download-review'),
};

let ingestSeq = 0;
let reviewToml = null;

function showIngest(text, data) {
  reviewToml = data.nothing_found ? null : data.review_toml;
  ingestEl.download.hidden = reviewToml === null;
  renderIngest(ingestEl.result, text, data);
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
    showIngest(text, data);
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

/** Wire the panel's buttons, Ctrl+Enter in the text and the highlights (once). */
export function initArticle() {
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
}
