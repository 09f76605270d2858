// What every page of the console shares: the REST helpers, errors as the API words them, formatting, dialogs and toasts.
// It speaks only the gateway's public API, so the console can do nothing the API cannot.

/** An answer other than 2xx, carrying the sentence of its RFC 7807 problem (detail, else title). */
export class ApiError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

/** The sentence a person should read for a failed answer: the problem's detail, else its title, else the status. */
export function problemSentence(status, text) {
  if (text) {
    try {
      const problem = JSON.parse(text);
      if (problem && (problem.detail || problem.title)) {
        return { sentence: problem.detail || problem.title, problem };
      }
    } catch {
      // Not JSON (a proxy's page, say): fall through to the status line.
    }
  }
  return { sentence: status === 0 ? 'The gateway did not answer (network error).' : `The gateway answered ${status}.`, problem: null };
}

/** `/a/b c` → `a/b%20c`: the path without its leading '/', percent-encoded per segment, as the routes take it. */
export function encodePath(path) {
  return path.split('/').filter(s => s.length > 0).map(encodeURIComponent).join('/');
}

export function joinPath(dir, name) {
  return (dir === '/' ? '' : dir) + '/' + name;
}

export function parentOf(path) {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function nameOf(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Calls the API; resolves to the parsed JSON (or null for an empty body), throws ApiError with the API's sentence. */
export async function api(method, url, { json, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('The gateway did not answer (network error).', 0, null);
  }
  const text = await response.text();
  if (!response.ok) {
    const { sentence, problem } = problemSentence(response.status, text);
    throw new ApiError(sentence, response.status, problem);
  }
  return text ? JSON.parse(text) : null;
}

// ---- formatting

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
export function formatDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) || d.getTime() <= 0 ? '—' : dateFormat.format(d);
}
export function formatTime(ms) {
  return timeFormat.format(new Date(ms));
}

/** Builds an element: h('button', { class: 'btn', onclick }, 'text', child). */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const iconPaths = {
  folder: 'M3 6.5A1.5 1.5 0 0 1 4.5 5h4l2 2h9A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  info: 'M12 8h.01M11 12h1v5h1M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z',
  download: 'M12 4v11m0 0l-4-4m4 4l4-4M5 20h14',
  move: 'M4 20h4l10-10-4-4L4 16zM13 7l4 4',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z',
  x: 'M6 6l12 12M18 6L6 18',
};
export function icon(name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', iconPaths[name]);
  svg.append(path);
  return svg;
}

// ---- toasts

const toasts = document.getElementById('toasts');
/** Shows a message (an error by default) until dismissed or a while has passed. */
export function toast(message, kind = 'error') {
  const close = h('button', { type: 'button', class: 'btn icon small', 'aria-label': 'Dismiss message' }, icon('x'));
  const item = h('div', { class: `toast ${kind}` }, h('p', {}, message), close);
  close.addEventListener('click', () => item.remove());
  toasts.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 12000 : 5000);
}

// ---- dialog

const dialog = document.getElementById('dialog');
const dialogForm = document.getElementById('dialog-form');
const dialogTitle = document.getElementById('dialog-title');
const dialogBody = document.getElementById('dialog-body');
const dialogFoot = document.getElementById('dialog-foot');
const dialogError = document.getElementById('dialog-error');
let submitAction = null;

document.getElementById('dialog-close').addEventListener('click', () => dialog.close());
dialogForm.addEventListener('submit', async event => {
  event.preventDefault();
  if (submitAction) await runAction(submitAction, event.submitter);
});

async function runAction(action, button) {
  dialogError.hidden = true;
  const buttons = dialogFoot.querySelectorAll('button');
  buttons.forEach(b => { b.disabled = true; });
  try {
    const keepOpen = await action();
    if (!keepOpen) dialog.close();
  } catch (e) {
    if (!(e instanceof ApiError)) console.error(e);
    dialogError.textContent = e.message;
    dialogError.hidden = false;
  } finally {
    buttons.forEach(b => { b.disabled = false; });
    if (dialog.open && button && document.activeElement === document.body) button.focus();
  }
}

/**
 * Opens the modal dialog. actions: [{ label, kind: 'primary'|'danger'|undefined, run: async () => keepOpen? }]; the first
 * primary or danger action is the form's submit (Enter). Returns the dialog's body element to fill further.
 */
export function openDialog({ title, body = [], actions = [], wide = false, cancelLabel = 'Cancel' }) {
  dialogTitle.textContent = title;
  dialogBody.replaceChildren(...[body].flat());
  dialogError.hidden = true;
  dialogFoot.replaceChildren();
  dialog.classList.toggle('wide', wide);
  submitAction = null;
  for (const action of actions) {
    const isSubmit = submitAction === null && (action.kind === 'primary' || action.kind === 'danger');
    const button = h('button', { type: isSubmit ? 'submit' : 'button', class: `btn ${action.kind ?? ''}` }, action.label);
    if (isSubmit) submitAction = action.run;
    else button.addEventListener('click', () => runAction(action.run, button));
    dialogFoot.append(button);
  }
  dialogFoot.append(h('button', { type: 'button', class: 'btn', onclick: () => dialog.close() }, actions.length ? cancelLabel : 'Close'));
  if (!dialog.open) dialog.showModal();
  const first = dialogBody.querySelector('input:not([type=hidden]), select, textarea') ?? dialogFoot.querySelector('button');
  first?.focus();
  if (first instanceof HTMLInputElement && first.dataset.selectName !== undefined) {
    const v = first.value;
    const slash = v.lastIndexOf('/') + 1;
    const dot = v.lastIndexOf('.');
    first.setSelectionRange(slash, dot > slash ? dot : v.length);
  }
  return dialogBody;
}

export function closeDialog() {
  if (dialog.open) dialog.close();
}

export function dialogIsOpen() {
  return dialog.open;
}


/** The page the location names: 'cluster' for #/cluster, else 'files'. */
export function currentPage() {
  return location.hash.startsWith('#/cluster') ? 'cluster' : 'files';
}

/** The hash of a folder's page. */
export function folderHash(dir) {
  return '#/files/' + encodePath(dir) + (dir === '/' ? '' : '/');
}
