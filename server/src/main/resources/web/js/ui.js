/**
 * Small DOM and formatting helpers shared by the Dropcast pages (not part of the embeddable client).
 */

/** @return the element with this id (throws when missing: a page bug) */
export function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing`);
  return e;
}

/**
 * Creates an element. `attrs`: properties (className, textContent, onclick, …), `dataset`,
 * and attributes prefixed with `attr:` (e.g. `'attr:aria-label'`). Children: nodes or strings.
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('attr:')) e.setAttribute(k.slice(5), v === true ? '' : String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const moneyFormats = new Map();

/** @return "€24.90"-style text for minor units */
export function money(minor, currency = 'EUR') {
  if (typeof minor !== 'number') return '';
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      f = { format: (x) => `${x.toFixed(2)} ${currency}` };
    }
    moneyFormats.set(currency, f);
  }
  return f.format(minor / 100);
}

/** @return "1:05" / "12:03:09" for a duration in ms (never negative) */
export function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? h + ':' : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** @return a local date-time text for epoch ms */
export function dateTime(ms) {
  return ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/** @return HH:MM for epoch ms */
export function timeOfDay(ms) {
  return ms ? new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : '';
}

/** @return the query parameter, or null */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** @return a random id usable as an idempotency key */
export function randomKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Shows a transient message in the page's toast area (#toast), announced to screen readers.
 *
 * @param {string} text message
 * @param {'info'|'error'|'ok'} kind styling
 */
export function toast(text, kind = 'info') {
  let box = document.getElementById('toast');
  if (!box) {
    box = el('div', { id: 'toast', className: 'toast-area', 'attr:role': 'status', 'attr:aria-live': 'polite' });
    document.body.append(box);
  }
  const item = el('div', { className: `toast toast-${kind}` }, text);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 6000 : 3500);
}

/** Human text for the stable error codes a page may show. */
const ERROR_TEXT = {
  SOLD_OUT: 'Sold out.',
  LIMIT_EXCEEDED: 'You reached the per-buyer limit for this sale.',
  NOT_STARTED: 'The sale has not started yet.',
  ENDED: 'This has ended.',
  EXPIRED: 'Your hold expired; the item went back to stock.',
  MUTED: 'You are muted in this chat.',
  BANNED: 'You are banned from this show.',
  RATE_LIMITED: 'Slow down a little and try again.',
  UNAUTHORIZED: 'Your link or key is not valid (or has expired).',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'Not found.',
  DISCONNECTED: 'Connection lost; reconnecting…',
  TIMEOUT: 'The server did not answer in time.',
  UNAVAILABLE: 'The service is temporarily unavailable; try again.',
};

/** @return a sentence for an error (its server message when we have no better text) */
export function errorText(e) {
  if (!e) return 'Something went wrong.';
  const known = ERROR_TEXT[e.code];
  if (known && e.code !== 'NOT_FOUND' && e.code !== 'FORBIDDEN') return known;
  return e.message || known || String(e);
}

/** Sets an element's text only when it changed (avoids needless layout). */
export function setText(node, text) {
  const t = String(text);
  if (node.textContent !== t) node.textContent = t;
}
