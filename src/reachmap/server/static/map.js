// The map: MapLibre (vendor/, loaded on demand) with the countries, the reach envelope, the
// tier layers of tiers.js, the capitals reached and the sites; drawing a result and fitting to it.

import { $, API, reachmap, round4, state } from './core.js';
import { TIER_LAYERS, TIER_SOURCES, tierMapData } from './tiers.js';

let maplibregl = null;
const EMPTY = { type: 'FeatureCollection', features: [] };

/** Start the map; ``onPick(lat, lon)`` gets a click on the globe (rounded to 4 decimals). */
export async function initMap(onPick) {
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
    onPick(round4(p.lat), round4(p.lng));
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

export function drawSites(resolved) {
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

export function drawResult(result) {
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
export function envelopeData(envelope) {
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
