// The cluster page: masters, chunk servers, re-replication and a timeline of leaders, from /api/cluster polled every
// half second while the page is shown (so a killed leader is seen replaced within about two seconds) and every five
// seconds otherwise (so the header's health and the timeline stay current).
import { api, formatBytes, formatTime, h, openDialog, toast, currentPage } from './shell.js';

const FastMs = 500;
const SlowMs = 5000;
const TimelineMs = 5 * 60 * 1000;
const KeepMs = 15 * 60 * 1000;
const StorageKey = 'dfs.cluster.history';

const el = id => document.getElementById(id);
let last = null;
let timer = 0;
let polling = false;

/** Samples { t, leader, term, under, inflight } and leader changes { t, from, to, term }, kept across reloads of the tab. */
const history = (() => {
  try {
    const saved = JSON.parse(sessionStorage.getItem(StorageKey) ?? 'null');
    if (saved && Array.isArray(saved.samples) && Array.isArray(saved.events)) return saved;
  } catch {
    // A damaged record starts a new history.
  }
  return { samples: [], events: [] };
})();
let peakUnder = 0;

export function showCluster() {
  if (last) render(last);
  pollNow();
}

export function startClusterPolling() {
  document.addEventListener('visibilitychange', () => { if (!document.hidden) pollNow(); });
  pollNow();
}

function pollNow() {
  clearTimeout(timer);
  if (!polling) poll();
}

async function poll() {
  polling = true;
  const controller = new AbortController();
  const abort = setTimeout(() => controller.abort(), 4000);
  try {
    const view = await api('GET', '/api/cluster', { signal: controller.signal });
    record(view);
    last = view;
    setHealth(view);
    if (currentPage() === 'cluster') render(view);
  } catch (e) {
    const message = e.name === 'AbortError' ? 'The gateway did not answer /api/cluster within 4 s.' : e.message;
    setHealth(null, message);
    if (currentPage() === 'cluster') el('cluster-updated').textContent = message;
  } finally {
    clearTimeout(abort);
    polling = false;
    const fast = currentPage() === 'cluster' && !document.hidden;
    timer = setTimeout(poll, fast ? FastMs : SlowMs);
  }
}

function record(view) {
  const now = Date.now();
  const term = Math.max(0, ...view.masters.map(m => m.term ?? 0));
  const previous = history.samples.at(-1);
  if (!previous || previous.leader !== view.leader) {
    history.events.push({ t: now, from: previous ? previous.leader : undefined, to: view.leader, term });
  }
  history.samples.push({ t: now, leader: view.leader, term, under: view.underReplicatedChunks, inflight: view.replicationsInFlight });
  const cutoff = now - KeepMs;
  while (history.samples.length > 1 && history.samples[0].t < cutoff) history.samples.shift();
  while (history.events.length > 1 && history.events[0].t < cutoff) history.events.shift();
  try {
    sessionStorage.setItem(StorageKey, JSON.stringify(history));
  } catch {
    // Storage full or refused: the history lives in memory only.
  }
}

function setHealth(view, error) {
  const health = el('health');
  if (!view) {
    health.dataset.state = 'bad';
    el('health-text').textContent = error;
    return;
  }
  const masters = view.masters.filter(m => m.healthy).length;
  const servers = view.chunkServers.filter(c => c.alive).length;
  health.dataset.state = !view.leader ? 'bad' : masters < view.masters.length || servers < view.chunkServers.length ? 'warn' : 'ok';
  el('health-text').textContent = view.leader
    ? `Leader ${view.leader} · ${masters}/${view.masters.length} masters · ${servers}/${view.chunkServers.length} chunk servers`
    : `No leader · ${masters}/${view.masters.length} masters answer`;
}

// ---- rendering

const palette = ['#4f46e5', '#0891b2', '#c026d3', '#ea580c', '#16a34a', '#ca8a04', '#dc2626'];
function colorOf(id) {
  if (!id) return null;
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return palette[hash % palette.length];
}

function render(view) {
  const leader = view.masters.find(m => m.id === view.leader);
  el('leader').textContent = view.leader ?? 'none';
  el('leader').dataset.leader = view.leader ?? '';
  el('leader').className = view.leader ? '' : 'bad-text';
  el('term').textContent = leader?.term ?? Math.max(0, ...view.masters.map(m => m.term ?? 0));
  el('replication').textContent = `×${view.replicationFactor}`;
  el('under').textContent = view.underReplicatedChunks;
  el('under').className = view.underReplicatedChunks > 0 ? 'warn-text' : '';
  el('inflight').textContent = view.replicationsInFlight;
  const alive = view.chunkServers.filter(c => c.alive && c.capacityBytes !== null);
  const used = alive.reduce((s, c) => s + (c.usedBytes ?? 0), 0);
  const capacity = alive.reduce((s, c) => s + (c.capacityBytes ?? 0), 0);
  el('space').textContent = capacity > 0 ? `${formatBytes(used)} of ${formatBytes(capacity)}` : '—';
  el('cluster-updated').textContent = `Updated ${formatTime(Date.now())}`;

  el('masters').replaceChildren(...view.masters.map(m => h('tr', { 'data-master': m.id, 'data-role': m.healthy ? (m.role ?? '') : 'unreachable' },
    h('th', { scope: 'row' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), m.id),
    h('td', {}, h('span', { class: `badge role ${m.healthy ? (m.role ?? '').toLowerCase() : 'down'}` }, m.healthy ? m.role ?? '?' : 'unreachable')),
    h('td', { class: 'num' }, m.term ?? '—'),
    h('td', { class: 'num' }, m.commitIndex ?? '—'),
    h('td', {}, h('span', { class: `state ${m.healthy ? 'ok' : 'bad'}` }, m.healthy ? 'healthy' : 'not answering')),
    h('td', { class: 'mono small' }, m.address),
    h('td', { class: 'num' }, m.pid ?? '—'))));
  for (const swatch of el('masters').querySelectorAll('.swatch')) {
    swatch.style.background = colorOf(swatch.parentElement.parentElement.dataset.master);
  }

  el('servers').replaceChildren(...view.chunkServers.map(serverRow));
  renderTimeline();
  renderReplication(view);
}

function serverRow(c) {
  const state = !c.alive ? ['bad', 'dead'] : c.draining ? ['warn', 'draining'] : ['ok', 'alive'];
  const known = c.capacityBytes !== null && c.capacityBytes > 0;
  const fraction = known ? Math.min(1, (c.usedBytes ?? 0) / c.capacityBytes) : 0;
  const fill = h('span', { class: `fill ${fraction > 0.9 ? 'bad' : fraction > 0.75 ? 'warn' : ''}` });
  fill.style.width = `${(fraction * 100).toFixed(1)}%`;
  const bar = h('div', {
    class: 'bar', role: 'meter', 'aria-label': `Space used on ${c.id}`, 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': (fraction * 100).toFixed(0), 'aria-valuetext': known ? `${formatBytes(c.usedBytes)} used, ${formatBytes(c.freeBytes)} free` : 'unknown',
  }, fill);
  const drainButton = c.draining
    ? h('button', { type: 'button', class: 'btn small', 'aria-label': `Stop draining ${c.id}`, onclick: () => drain(c, false) }, 'Undrain')
    : h('button', { type: 'button', class: 'btn small', 'aria-label': `Drain ${c.id}`, onclick: () => drain(c, true), disabled: !c.alive }, 'Drain');
  return h('tr', { 'data-server': c.id, 'data-state': state[1] },
    h('th', { scope: 'row' }, c.id),
    h('td', {}, h('span', { class: `state ${state[0]}` }, state[1])),
    h('td', { class: 'space-col' }, bar, h('span', { class: 'muted small' }, known ? `${formatBytes(c.usedBytes)} used · ${formatBytes(c.freeBytes)} free of ${formatBytes(c.capacityBytes)}` : 'not reported')),
    h('td', { class: 'num' }, c.chunkCount ?? '—'),
    h('td', { class: 'num' }, c.load ?? '—'),
    h('td', { class: 'mono small' }, c.address),
    h('td', {}, drainButton));
}

function drain(server, start) {
  const run = async () => {
    await api(start ? 'POST' : 'DELETE', `/api/cluster/chunkservers/${encodeURIComponent(server.id)}/drain`);
    toast(start ? `Draining ${server.id}: its replicas are being copied elsewhere.` : `${server.id} takes new chunks again.`, 'ok');
    pollNow();
  };
  if (!start) {
    run().catch(e => toast(e.message));
    return;
  }
  openDialog({
    title: `Drain ${server.id}?`,
    body: h('p', {}, `${server.id} gets no new chunks and every replica it holds is copied to other servers. It can be undrained later.`),
    actions: [{ label: 'Drain', kind: 'danger', run }],
  });
}

function renderTimeline() {
  const now = Date.now();
  const start = now - TimelineMs;
  const timeline = el('timeline');
  const parts = [];
  const samples = history.samples.filter(s => s.t >= start - SlowMs * 2);
  for (let i = 0; i < samples.length; i++) {
    const from = Math.max(start, samples[i].t);
    const to = i + 1 < samples.length ? samples[i + 1].t : now;
    if (to <= start) continue;
    const leaderId = samples[i].leader;
    const span = h('span', { class: `segment ${leaderId ? '' : 'none'}`, title: `${leaderId ?? 'no leader'} from ${formatTime(from)}` });
    span.style.left = `${((from - start) / TimelineMs) * 100}%`;
    span.style.width = `${Math.max(0.2, ((to - from) / TimelineMs) * 100)}%`;
    if (leaderId) span.style.background = colorOf(leaderId);
    parts.push(span);
  }
  const leaders = [...new Set(samples.map(s => s.leader))];
  timeline.replaceChildren(h('div', { class: 'track' }, parts),
    h('div', { class: 'axis', 'aria-hidden': 'true' }, h('span', {}, formatTime(start)), h('span', {}, 'now')),
    h('ul', { class: 'legend', 'aria-hidden': 'true' }, leaders.map(id => {
      const key = h('span', { class: `key ${id ? '' : 'none'}` });
      if (id) key.style.background = colorOf(id);
      return h('li', {}, key, id ?? 'no leader');
    })));
  const changes = history.events.filter(e => e.t >= now - KeepMs).slice().reverse();
  timeline.setAttribute('aria-label', `Leader timeline: ${changes.length} change${changes.length === 1 ? '' : 's'} seen in the last ${KeepMs / 60000} minutes`);
  el('events').replaceChildren(...changes.slice(0, 12).map(e => h('li', { 'data-to': e.to ?? '' },
    h('time', { datetime: new Date(e.t).toISOString() }, formatTime(e.t)), ' ',
    e.from === undefined ? `first seen: ${e.to ? `leader ${e.to}` : 'no leader'}`
      : e.to ? `leader ${e.from ?? 'none'} → ${e.to}` : `leader ${e.from} lost`,
    e.term ? h('span', { class: 'muted' }, ` · term ${e.term}`) : null)));
}

function renderReplication(view) {
  const under = view.underReplicatedChunks;
  const progress = el('rerep-progress');
  if (under === 0) {
    peakUnder = 0;
    progress.value = 1;
    el('rerep-text').textContent = 'Every chunk has its full replica set.';
  } else {
    peakUnder = Math.max(peakUnder, under);
    progress.value = (peakUnder - under) / peakUnder;
    el('rerep-text').textContent = `${under} chunk${under === 1 ? '' : 's'} below ×${view.replicationFactor}; ${view.replicationsInFlight} cop${view.replicationsInFlight === 1 ? 'y' : 'ies'} in flight · ${Math.round(progress.value * 100)}% repaired since the peak of ${peakUnder}.`;
  }
  const now = Date.now();
  const start = now - TimelineMs;
  const points = history.samples.filter(s => s.t >= start);
  const max = Math.max(1, ...points.map(p => p.under + p.inflight));
  const xy = p => `${(((p.t - start) / TimelineMs) * 300).toFixed(1)},${(54 - (p.under / max) * 48).toFixed(1)}`;
  const svg = el('rerep-chart');
  const ns = 'http://www.w3.org/2000/svg';
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.map(xy).join(' '));
  line.setAttribute('class', 'spark-line');
  svg.replaceChildren(line);
  svg.setAttribute('aria-label', `Under-replicated chunks over the last 5 minutes: now ${under}, at most ${Math.max(0, ...points.map(p => p.under))}`);
}
