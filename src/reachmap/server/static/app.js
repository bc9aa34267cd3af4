// reachmap web page, the entry module (ES modules, no build step; the HTTP API is in
// docs/api.md): wires the modules and computes, asking /tiers instead of /reach when any
// uncertainty is stated (tiers.js; it sets document.body.dataset.mode).

import { initArticle } from './article.js';
import { API, api, el, fmtInt, reachmap, setBodyState, setStatus, showError,
  state } from './core.js';
import { addSite, buildRequest, fillDeployments, fillSystems, initControls, latlonSite,
  onSystemChange, renderSites } from './controls.js';
import { drawResult, initMap } from './map.js';
import { initPermalink, loadToken, restore } from './permalink.js';
import { renderResult, renderTierResult } from './tables.js';
import { initUncertaintyControls, readUncertainty, setMode, tiersRequest, tiersStatus,
  wantsTiers } from './tiers.js';

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

async function main() {
  setBodyState('busy');
  setMode('reach');
  initUncertaintyControls();
  loadToken();
  renderSites();
  const mapReady = initMap((lat, lon) => addSite(latlonSite(lat, lon)));
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
    await restore(id, compute);
  }
}

initControls();
initArticle();
el.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  compute();
});
initPermalink();

main();
