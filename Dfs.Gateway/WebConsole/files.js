// The files page: one folder's entries (sorted, filtered), uploads with a progress bar each, folders, moves, deletes,
// and a file's details: versions, chunks with their replicas, and its lock.
import {
  ApiError, api, encodePath, joinPath, nameOf, formatBytes, formatDate, h, icon, toast, openDialog, problemSentence, folderHash,
} from './shell.js';

const rows = document.getElementById('rows');
const empty = document.getElementById('empty');
const crumbs = document.getElementById('crumbs');
const filter = document.getElementById('filter');
const drop = document.getElementById('drop');
const dropTarget = document.getElementById('drop-target');
const uploadInput = document.getElementById('upload-input');
const uploadsPanel = document.getElementById('uploads');
const uploadList = document.getElementById('upload-list');

const state = { dir: '/', entries: [], sort: { key: 'name', ascending: true }, loading: null, truncated: false };

/** Lock tokens this browser holds, by path: a lock is released only by its token, which the API hands out once. */
const locks = {
  all() {
    try { return JSON.parse(localStorage.getItem('dfs.locks') ?? '{}'); } catch { return {}; }
  },
  get(path) { return this.all()[path] ?? null; },
  set(path, value) {
    const all = this.all();
    if (value) all[path] = value; else delete all[path];
    localStorage.setItem('dfs.locks', JSON.stringify(all));
  },
};

function lockHeaders(path) {
  const held = locks.get(path);
  return held ? { 'X-Dfs-Lock-Token': held.token } : {};
}

// ---- listing

/** Most entries one folder view loads (pages of 1000); beyond it the page says so. */
const MaxEntries = 20000;

export async function showFiles(dir) {
  if (dir !== state.dir) filter.value = '';
  state.dir = dir;
  dropTarget.textContent = dir;
  renderCrumbs();
  await load();
}

async function load() {
  const dir = state.dir;
  const controller = new AbortController();
  state.loading?.abort();
  state.loading = controller;
  rows.setAttribute('aria-busy', 'true');
  try {
    const entries = [];
    let after = null;
    do {
      const query = new URLSearchParams({ limit: '1000' });
      if (after) query.set('after', after);
      const page = await api('GET', `/api/dirs/${encodePath(dir)}?${query}`, { signal: controller.signal });
      entries.push(...page.entries);
      after = page.next;
    } while (after && entries.length < MaxEntries);
    if (state.dir !== dir) return;
    state.entries = entries;
    state.truncated = after !== null;
    render();
  } catch (e) {
    if (e.name === 'AbortError') return;
    state.entries = [];
    render(e.message);
  } finally {
    if (state.loading === controller) {
      state.loading = null;
      rows.removeAttribute('aria-busy');
    }
  }
}

function renderCrumbs() {
  const parts = state.dir.split('/').filter(s => s.length > 0);
  const list = h('ol');
  const add = (label, dir, current) => list.append(h('li', {},
    current ? h('span', { 'aria-current': 'page' }, label) : h('a', { href: folderHash(dir) }, label)));
  add('Root', '/', parts.length === 0);
  parts.forEach((part, i) => add(part, '/' + parts.slice(0, i + 1).join('/'), i === parts.length - 1));
  crumbs.replaceChildren(list);
}

function compare(a, b) {
  if (a.kind !== b.kind) return a.kind === 'directory' ? -1 : 1;
  const { key, ascending } = state.sort;
  let c;
  if (key === 'name') c = a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  else if (key === 'modified') c = Date.parse(a.modified) - Date.parse(b.modified);
  else c = a[key] - b[key];
  if (c === 0) c = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return ascending ? c : -c;
}

function render(error) {
  const needle = filter.value.trim().toLocaleLowerCase();
  const shown = state.entries.filter(e => !needle || e.name.toLocaleLowerCase().includes(needle)).sort(compare);
  rows.replaceChildren(...shown.map(row));
  if (error) {
    empty.textContent = error;
    empty.className = 'empty error';
  } else if (state.entries.length === 0) {
    empty.textContent = 'This folder is empty. Drop files here or press “Upload files”.';
    empty.className = 'empty';
  } else if (shown.length === 0) {
    empty.textContent = `Nothing here matches “${filter.value.trim()}”.`;
    empty.className = 'empty';
  } else if (state.truncated) {
    empty.textContent = `Showing the first ${state.entries.length} entries of this folder.`;
    empty.className = 'empty';
  }
  empty.hidden = !error && shown.length > 0 && !state.truncated;
}

function row(entry) {
  const isDir = entry.kind === 'directory';
  const name = isDir
    ? h('a', { href: folderHash(entry.path), class: 'name' }, icon('folder'), h('span', {}, entry.name))
    : h('button', { type: 'button', class: 'name linkish', onclick: () => showDetails(entry.path), 'aria-label': `${entry.name}, details` },
      icon('file'), h('span', {}, entry.name));
  const actions = h('div', { class: 'row-actions' });
  if (!isDir) {
    actions.append(
      h('a', { class: 'btn icon', href: `/api/files/${encodePath(entry.path)}`, download: entry.name, 'aria-label': `Download ${entry.name}`, title: 'Download' }, icon('download')),
      h('button', { type: 'button', class: 'btn icon', 'aria-label': `Details of ${entry.name}`, title: 'Versions, chunks and lock', onclick: () => showDetails(entry.path) }, icon('info')));
  }
  actions.append(
    h('button', { type: 'button', class: 'btn icon', 'aria-label': `Rename or move ${entry.name}`, title: 'Rename or move', onclick: () => move(entry) }, icon('move')),
    h('button', { type: 'button', class: 'btn icon danger', 'aria-label': `Delete ${entry.name}`, title: 'Delete', onclick: () => remove(entry) }, icon('trash')));
  const held = locks.get(entry.path);
  return h('tr', { 'data-path': entry.path, 'data-kind': entry.kind },
    h('td', { class: 'cell-name' }, name, held ? h('span', { class: 'badge lock', title: `Locked by ${held.owner} (this browser)` }, icon('lock'), h('span', { class: 'visually-hidden' }, 'locked')) : null),
    h('td', { class: 'num' }, isDir ? '—' : formatBytes(entry.size)),
    h('td', { class: 'num col-version' }, isDir ? '—' : `v${entry.version}`),
    h('td', { class: 'col-modified' }, h('time', { datetime: entry.modified }, formatDate(entry.modified))),
    h('td', { class: 'col-actions' }, actions));
}

for (const th of document.querySelectorAll('#listing th[data-key]')) {
  th.querySelector('button').addEventListener('click', () => {
    const key = th.dataset.key;
    state.sort = { key, ascending: state.sort.key === key ? !state.sort.ascending : true };
    for (const other of document.querySelectorAll('#listing th[data-key]')) {
      other.setAttribute('aria-sort', other === th ? (state.sort.ascending ? 'ascending' : 'descending') : 'none');
    }
    render();
  });
}
filter.addEventListener('input', () => render());
document.getElementById('refresh-files').addEventListener('click', () => load());
document.addEventListener('keydown', event => {
  // '/' jumps to the filter, as on most file browsers, unless typing somewhere already.
  if (event.key === '/' && !document.getElementById('page-files').hidden && !(event.target instanceof HTMLInputElement) && !document.querySelector('dialog[open]')) {
    event.preventDefault();
    filter.focus();
  }
});

// ---- folders, moves, deletes

document.getElementById('new-folder').addEventListener('click', () => {
  const input = h('input', { type: 'text', id: 'folder-name', required: true, autocomplete: 'off', spellcheck: 'false' });
  openDialog({
    title: 'New folder',
    body: [h('label', { for: 'folder-name' }, `Name of the folder to make in ${state.dir}`), input],
    actions: [{
      label: 'Create folder', kind: 'primary', run: async () => {
        const path = joinPath(state.dir, input.value.trim());
        await api('PUT', `/api/dirs/${encodePath(path)}`);
        toast(`Folder ${path} created.`, 'ok');
        await load();
      },
    }],
  });
});

function move(entry) {
  const input = h('input', { type: 'text', id: 'move-to', required: true, value: entry.path, autocomplete: 'off', spellcheck: 'false', 'data-select-name': '' });
  const replace = h('input', { type: 'checkbox', id: 'move-replace' });
  openDialog({
    title: `Rename or move ${entry.name}`,
    body: [
      h('label', { for: 'move-to' }, 'New path (its folder must exist)'), input,
      h('label', { class: 'check' }, replace, ' Replace what is already there'),
    ],
    actions: [{
      label: 'Move', kind: 'primary', run: async () => {
        const to = input.value.trim();
        await api('POST', '/api/rename', { json: { from: entry.path, to, replace: replace.checked } });
        const held = locks.get(entry.path);
        if (held) { locks.set(entry.path, null); locks.set(to, held); }
        toast(`Moved ${entry.path} to ${to}.`, 'ok');
        await load();
      },
    }],
  });
}

function remove(entry) {
  const isDir = entry.kind === 'directory';
  openDialog({
    title: `Delete ${entry.name}?`,
    body: h('p', {}, isDir
      ? `The folder ${entry.path} and everything in it will be deleted.`
      : `${entry.path} and every kept version of it will be deleted.`),
    actions: [{
      label: 'Delete', kind: 'danger', run: async () => {
        if (isDir) await api('DELETE', `/api/dirs/${encodePath(entry.path)}?recursive=true`);
        else await api('DELETE', `/api/files/${encodePath(entry.path)}`, { headers: lockHeaders(entry.path) });
        locks.set(entry.path, null);
        toast(`Deleted ${entry.path}.`, 'ok');
        await load();
      },
    }],
  });
}

// ---- details: versions, chunks and replicas, lock

async function showDetails(path) {
  const body = openDialog({ title: nameOf(path), body: h('p', { class: 'muted' }, 'Loading…'), wide: true });
  try {
    const meta = await api('GET', `/api/meta/${encodePath(path)}`);
    body.replaceChildren(...detailsOf(meta));
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error' }, e.message));
  }
}

function detailsOf(meta) {
  const fileUrl = `/api/files/${encodePath(meta.path)}`;
  const summary = h('dl', { class: 'facts' },
    h('dt', {}, 'Path'), h('dd', {}, meta.path),
    h('dt', {}, 'Size'), h('dd', {}, `${formatBytes(meta.size)} (${meta.size.toLocaleString()} bytes)`),
    h('dt', {}, 'Version'), h('dd', {}, `v${meta.version}`),
    h('dt', {}, 'Modified'), h('dd', {}, formatDate(meta.modified)),
    h('dt', {}, 'Content type'), h('dd', {}, meta.contentType ?? '—'),
    h('dt', {}, 'ETag'), h('dd', { class: 'mono' }, meta.etag ?? '—'));

  const versions = h('table', { class: 'grid', 'aria-label': 'Versions' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col' }, 'Modified'), h('th', { scope: 'col' }, 'ETag'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Download')))),
    h('tbody', {}, meta.versions.map(v => h('tr', { 'data-version': v.version },
      h('td', {}, `v${v.version}`, v.version === meta.version ? h('span', { class: 'badge' }, 'current') : null),
      h('td', { class: 'num' }, formatBytes(v.size)),
      h('td', {}, formatDate(v.modified)),
      h('td', { class: 'mono' }, v.etag),
      h('td', {}, h('a', { class: 'btn small', href: `${fileUrl}?version=${v.version}`, download: nameOf(meta.path), 'aria-label': `Download version ${v.version}` }, icon('download'), 'Download'))))));

  const chunks = meta.chunks.length === 0
    ? h('p', { class: 'muted' }, 'No chunks: the file is empty.')
    : h('div', { class: 'table-wrap' }, h('table', { class: 'grid', 'aria-label': 'Chunks and replicas' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Chunk'),
        h('th', { scope: 'col', class: 'num' }, 'Length'), h('th', { scope: 'col' }, 'CRC-32C'), h('th', { scope: 'col', class: 'num' }, 'Chunk version'), h('th', { scope: 'col' }, 'Replicas'))),
      h('tbody', {}, meta.chunks.map((c, i) => h('tr', { 'data-chunk': c.id },
        h('td', { class: 'num' }, i),
        h('td', { class: 'mono' }, c.id),
        h('td', { class: 'num' }, formatBytes(c.length)),
        h('td', { class: 'mono' }, c.checksum),
        h('td', { class: 'num' }, c.chunkVersion),
        h('td', {}, h('ul', { class: 'chips', 'aria-label': `Replicas of chunk ${i}` },
          c.replicas.length === 0 ? h('li', { class: 'chip bad' }, 'none live') : c.replicas.map(r => h('li', { class: 'chip', title: `${r.host}:${r.port}` }, r.id)))))))));

  return [
    summary,
    h('div', { class: 'detail-actions' },
      h('a', { class: 'btn primary', href: fileUrl, download: nameOf(meta.path) }, icon('download'), 'Download current version')),
    h('section', { 'aria-labelledby': 'lock-heading' }, h('h3', { id: 'lock-heading' }, 'Lock'), lockSection(meta)),
    h('section', { 'aria-labelledby': 'versions-heading' }, h('h3', { id: 'versions-heading' }, `Versions (${meta.versions.length} kept)`), h('div', { class: 'table-wrap' }, versions)),
    h('section', { 'aria-labelledby': 'chunks-heading' }, h('h3', { id: 'chunks-heading' }, `Chunks (${meta.chunks.length})`), chunks),
  ];
}

function lockSection(meta) {
  const path = meta.path;
  const held = locks.get(path);
  const holder = meta.lock?.holder ?? null;
  const queue = meta.lock?.queue ?? [];
  const status = h('p', { id: 'lock-status', class: 'lock-status' }, holder
    ? [icon('lock'), ' Held by ', h('strong', {}, holder), queue.length ? ` · waiting: ${queue.join(', ')}` : '']
    : 'Not locked.');
  const box = h('div', { class: 'lock-box' }, status);
  const refresh = () => showDetails(path);
  if (held && holder === held.owner) {
    box.append(h('button', {
      type: 'button', class: 'btn', onclick: async () => {
        try {
          await api('DELETE', `/api/locks/${encodePath(path)}`, { headers: { 'X-Dfs-Lock-Token': held.token } });
          locks.set(path, null);
          toast(`Released the lock on ${path}.`, 'ok');
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) locks.set(path, null);
          toast(e.message);
        }
        refresh();
        load();
      },
    }, 'Unlock'));
    box.append(h('p', { class: 'muted small' }, `This browser holds it (lease until ${formatDate(held.expires)}); uploads and deletes here send its token.`));
  } else {
    if (held) locks.set(path, null); // The lease ran out or was taken over: the token is of no use.
    const owner = h('input', { type: 'text', id: 'lock-owner', value: localStorage.getItem('dfs.owner') ?? 'console', autocomplete: 'off', 'aria-label': 'Lock owner name' });
    const ttl = h('input', { type: 'number', id: 'lock-ttl', min: '1', max: '3600', value: '300', 'aria-label': 'Lease in seconds' });
    box.append(h('div', { class: 'inline-form' },
      h('label', { for: 'lock-owner' }, 'Owner'), owner,
      h('label', { for: 'lock-ttl' }, 'Lease (s)'), ttl,
      h('button', {
        type: 'button', class: 'btn', onclick: async () => {
          try {
            localStorage.setItem('dfs.owner', owner.value.trim());
            const query = new URLSearchParams({ owner: owner.value.trim(), ttl: ttl.value || '300' });
            const lock = await api('POST', `/api/locks/${encodePath(path)}?${query}`);
            locks.set(path, { token: lock.token, owner: lock.owner, expires: lock.expires });
            toast(`Locked ${path} as ${lock.owner}.`, 'ok');
          } catch (e) {
            toast(e.message);
          }
          refresh();
          load();
        },
      }, 'Lock')));
  }
  return box;
}

// ---- uploads

const queue = [];
let running = 0;
const Parallel = 2;

document.getElementById('upload').addEventListener('click', () => uploadInput.click());
uploadInput.addEventListener('change', () => {
  enqueue([...uploadInput.files].map(file => ({ file, path: joinPath(state.dir, file.name) })));
  uploadInput.value = '';
});
document.getElementById('clear-uploads').addEventListener('click', () => {
  for (const li of [...uploadList.children]) if (li.dataset.state !== 'active' && li.dataset.state !== 'queued') li.remove();
  uploadsPanel.hidden = uploadList.children.length === 0;
});

let dragDepth = 0;
const page = document.getElementById('page-files');
page.addEventListener('dragenter', event => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  dragDepth++;
  drop.classList.add('dragging');
});
page.addEventListener('dragover', event => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
page.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) { dragDepth = 0; drop.classList.remove('dragging'); }
});
page.addEventListener('drop', async event => {
  event.preventDefault();
  dragDepth = 0;
  drop.classList.remove('dragging');
  const dir = state.dir;
  const items = [...(event.dataTransfer?.items ?? [])].map(i => i.webkitGetAsEntry?.()).filter(Boolean);
  if (items.length === 0) {
    enqueue([...(event.dataTransfer?.files ?? [])].map(file => ({ file, path: joinPath(dir, file.name) })));
    return;
  }
  // Dropped folders are walked, and their files uploaded under the same relative paths.
  const found = [];
  await Promise.all(items.map(entry => collect(entry, dir, found)));
  enqueue(found);
});

async function collect(entry, dir, found) {
  const path = joinPath(dir, entry.name);
  if (entry.isFile) {
    found.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), path });
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    await Promise.all(batch.map(child => collect(child, path, found)));
  }
}

function enqueue(items) {
  for (const item of items) {
    const progress = h('progress', { max: '1', value: '0', 'aria-label': `Upload of ${item.file.name}` });
    const status = h('span', { class: 'upload-status' }, 'Waiting');
    const cancel = h('button', { type: 'button', class: 'btn small', 'aria-label': `Cancel upload of ${item.file.name}` }, 'Cancel');
    const li = h('li', { 'data-state': 'queued', 'data-path': item.path },
      h('div', { class: 'upload-name' }, h('strong', {}, item.file.name), h('span', { class: 'muted small' }, ` → ${item.path} · ${formatBytes(item.file.size)}`)),
      progress, status, cancel);
    Object.assign(item, { li, progress, status, cancel, xhr: null });
    cancel.addEventListener('click', () => {
      if (item.xhr) item.xhr.abort();
      else finish(item, 'cancelled', 'Cancelled');
    });
    uploadList.prepend(li);
    queue.push(item);
  }
  uploadsPanel.hidden = uploadList.children.length === 0;
  pump();
}

function pump() {
  while (running < Parallel && queue.length > 0) {
    const item = queue.shift();
    if (item.li.dataset.state !== 'queued') continue;
    running++;
    send(item);
  }
}

function send(item) {
  const xhr = new XMLHttpRequest();
  item.xhr = xhr;
  item.li.dataset.state = 'active';
  item.status.textContent = '0%';
  xhr.open('PUT', `/api/files/${encodePath(item.path)}`);
  xhr.setRequestHeader('Content-Type', item.file.type || 'application/octet-stream');
  for (const [name, value] of Object.entries(lockHeaders(item.path))) xhr.setRequestHeader(name, value);
  xhr.upload.addEventListener('progress', event => {
    if (!event.lengthComputable) return;
    item.progress.value = event.total === 0 ? 1 : event.loaded / event.total;
    item.status.textContent = `${Math.floor(item.progress.value * 100)}%`;
  });
  xhr.addEventListener('load', () => {
    if (xhr.status === 201) {
      const written = JSON.parse(xhr.responseText);
      item.progress.value = 1;
      finish(item, 'done', `Uploaded · v${written.version}`);
      refreshSoon();
    } else {
      const { sentence } = problemSentence(xhr.status, xhr.responseText);
      finish(item, 'failed', sentence);
      toast(`${item.file.name}: ${sentence}`);
    }
  });
  xhr.addEventListener('error', () => {
    finish(item, 'failed', 'The gateway did not answer (network error).');
    toast(`${item.file.name}: the gateway did not answer (network error).`);
  });
  xhr.addEventListener('abort', () => finish(item, 'cancelled', 'Cancelled'));
  xhr.send(item.file);
}

function finish(item, outcome, text) {
  const wasActive = item.li.dataset.state === 'active';
  item.li.dataset.state = outcome;
  item.status.textContent = text;
  item.status.setAttribute('role', outcome === 'failed' ? 'alert' : 'status');
  item.cancel.remove();
  item.xhr = null;
  if (wasActive) {
    running--;
    pump();
  }
}

let refreshTimer = 0;
function refreshSoon() {
  clearTimeout(refreshTimer);
  // Several uploads finishing together reload the folder once.
  refreshTimer = setTimeout(() => load(), 150);
}
