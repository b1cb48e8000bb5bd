/**
 * Brand console (console.html): sign in with the brand API key (kept in sessionStorage), products
 * CRUD, show scheduling with host/moderator/viewer links and each show's analytics (+ CSV), flash
 * sales with live counters and audit, orders, webhooks. Talks to the REST API under /api/v1; errors arrive as {"error":{"code","message"}}.
 *
 * Every REST path and body shape is in {@link ROUTES} and wire.js `rest`, so a route change on the
 * server is a one-line change here.
 */
import * as wire from './wire.js';
import { $, el, money, dateTime, toast, setText } from './ui.js';

const KEY_STORAGE = 'dropcast.apiKey';

/** REST routes used by the console: [method, path]. */
const ROUTES = {
  products: () => ['GET', '/products'],
  productCreate: () => ['POST', '/products'],
  productUpdate: (id) => ['PATCH', `/products/${enc(id)}`],
  productDelete: (id) => ['DELETE', `/products/${enc(id)}`],
  shows: () => ['GET', '/shows'],
  showCreate: () => ['POST', '/shows'],
  showDelete: (id) => ['DELETE', `/shows/${enc(id)}`],
  showAnalytics: (id) => ['GET', `/shows/${enc(id)}/analytics`],
  showAnalyticsCsv: (id) => ['GET', `/shows/${enc(id)}/analytics?format=csv`],
  tokenMint: () => ['POST', '/tokens'],
  sales: () => ['GET', '/sales'],
  saleCreate: () => ['POST', '/sales'],
  saleUpdate: (id) => ['PATCH', `/sales/${enc(id)}`],
  saleCancel: (id) => ['POST', `/sales/${enc(id)}/cancel`],
  saleAudit: (id) => ['GET', `/sales/${enc(id)}/audit`],
  orders: () => ['GET', '/orders'],
  webhook: () => ['GET', '/webhooks'],
  webhookSave: () => ['PUT', '/webhooks'],
  deliveries: () => ['GET', '/webhooks/deliveries'],
};

const enc = encodeURIComponent;

/** An error answered by the REST API. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

const state = { products: [], shows: [], sales: [], tab: 'products', editingProduct: null, editingSale: null,
  analyticsShow: null };
window.dropcastConsole = { state };

/**
 * Calls the REST API.
 *
 * @return {Promise<any>} the JSON body (null for 204); throws ApiError with the server's code
 */
async function api(route, body) {
  const res = await send(route, body);
  if (res.status === 204) return null;
  try {
    return await res.json();
  } catch {
    return null; // non-JSON body
  }
}

/** @return the Response of a REST call that succeeded (any body); throws ApiError otherwise */
async function send([method, path], body) {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    let json = null;
    try {
      json = await res.json();
    } catch {
      // non-JSON body
    }
    const err = json?.error || {};
    throw new ApiError(res.status, err.code || `HTTP_${res.status}`, err.message || res.statusText);
  }
  return res;
}

function formError(form, e) {
  const box = form.querySelector('.form-error');
  setText(box, e ? `${e.code ? e.code + ': ' : ''}${e.message}` : '');
}

/** "24.90" / "24,90" → 2490 */
function toMinor(text) {
  const n = Number(String(text).replace(',', '.'));
  if (!Number.isFinite(n) || n < 0) throw new ApiError(0, 'BAD_INPUT', `"${text}" is not a price`);
  return Math.round(n * 100);
}

function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fromLocalInput(value) {
  const t = new Date(value).getTime();
  if (Number.isNaN(t)) throw new ApiError(0, 'BAD_INPUT', 'pick a date and time');
  return new Date(t).toISOString();
}

// ---- sign in -------------------------------------------------------------------------------------

async function signIn(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  try {
    await api(ROUTES.products());
  } catch (e) {
    sessionStorage.removeItem(KEY_STORAGE);
    throw e;
  }
  $('signin').hidden = true;
  $('tabs').hidden = false;
  $('sign-out').hidden = false;
  showTab(location.hash.slice(1) || 'products');
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  setText($('signin-error'), '');
  try {
    await signIn($('api-key').value.trim());
  } catch (err) {
    setText($('signin-error'), err.status === 401 ? 'That key was not accepted.' : `${err.code}: ${err.message}`);
  }
});

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  location.hash = '';
  location.reload();
});

for (const b of document.querySelectorAll('#tabs [data-tab]')) {
  b.addEventListener('click', () => showTab(b.dataset.tab));
}

function showTab(tab) {
  if (!document.getElementById(`tab-${tab}`)) tab = 'products';
  state.tab = tab;
  history.replaceState(null, '', `#${tab}`);
  for (const b of document.querySelectorAll('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${tab}`;
  refresh(tab);
}

async function refresh(tab) {
  try {
    if (tab === 'products') await loadProducts();
    if (tab === 'shows') { await loadProducts(); await loadShows(); }
    if (tab === 'sales') { await loadProducts(); await loadShows(); await loadSales(); }
    if (tab === 'orders') await loadOrders();
    if (tab === 'webhooks') await loadWebhooks();
  } catch (e) {
    toast(`${e.code}: ${e.message}`, 'error');
  }
}

// ---- products ------------------------------------------------------------------------------------

async function loadProducts() {
  state.products = wire.lists.products(await api(ROUTES.products())).map((p) => ({ raw: p, ...wire.readProduct(p) }));
  $('products').replaceChildren(...state.products.map((p) => el('tr', { dataset: { id: p.id } },
    el('td', { className: 'mono' }, p.sku),
    el('td', {}, p.title),
    el('td', { className: 'num' }, money(p.priceMinor, p.currency)),
    el('td', {}, el('div', { className: 'row' },
      el('button', { type: 'button', className: 'small', textContent: 'Edit', onclick: () => editProduct(p) }),
      el('button', { type: 'button', className: 'small danger', textContent: 'Delete', onclick: () => deleteProduct(p) }))))));
  if (!state.products.length) $('products').append(el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'No products yet.')));
  renderLineupChoices();
  renderSaleChoices();
}

function editProduct(p) {
  const f = $('product-form');
  state.editingProduct = p.id;
  f.elements.id.value = p.id;
  f.elements.sku.value = p.sku;
  f.elements.title.value = p.title;
  f.elements.price.value = (p.priceMinor / 100).toFixed(2);
  f.elements.currency.value = p.currency;
  f.elements.imageUrl.value = p.imageUrl || '';
  f.elements.description.value = p.description || '';
  setText($('product-form-h'), `Edit ${p.sku}`);
  setText($('product-submit'), 'Save changes');
  $('product-cancel').hidden = false;
  f.elements.title.focus();
}

function resetProductForm() {
  const f = $('product-form');
  f.reset();
  state.editingProduct = null;
  setText($('product-form-h'), 'New product');
  setText($('product-submit'), 'Create product');
  $('product-cancel').hidden = true;
  formError(f, null);
}

$('product-cancel').addEventListener('click', resetProductForm);

$('product-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  formError(f, null);
  try {
    const body = wire.rest.product({
      sku: f.elements.sku.value.trim(), title: f.elements.title.value.trim(), description: f.elements.description.value,
      imageUrl: f.elements.imageUrl.value.trim(), priceMinor: toMinor(f.elements.price.value), currency: f.elements.currency.value.trim(),
    });
    if (state.editingProduct) await api(ROUTES.productUpdate(state.editingProduct), body);
    else await api(ROUTES.productCreate(), body);
    toast(state.editingProduct ? 'Product saved.' : 'Product created.', 'ok');
    resetProductForm();
    await loadProducts();
  } catch (err) {
    formError(f, err);
  }
});

async function deleteProduct(p) {
  if (!confirm(`Delete ${p.title}?`)) return;
  try {
    await api(ROUTES.productDelete(p.id));
    await loadProducts();
  } catch (e) {
    toast(`${e.code}: ${e.message}`, 'error');
  }
}

// ---- shows ---------------------------------------------------------------------------------------

function renderLineupChoices() {
  const box = $('s-lineup');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  box.replaceChildren(...state.products.map((p) => el('label', { className: 'checkbox' },
    el('input', { type: 'checkbox', name: 'lineup', value: p.id, checked: checked.has(p.id) }), p.title)));
  if (!state.products.length) box.append(el('span', { className: 'muted' }, 'Create products first.'));
  const start = $('s-start');
  if (!start.value) start.value = toLocalInput(Date.now() + 10 * 60_000).slice(0, 16);
}

async function loadShows() {
  state.shows = wire.lists.shows(await api(ROUTES.shows())).map((s) => wire.readShow(s));
  $('shows').replaceChildren(...state.shows.map((s) => el('tr', { dataset: { id: s.id } },
    el('td', {}, s.title, s.sponsored ? el('span', { className: 'badge sponsored', style: 'margin-left:.4rem' }, 'Sponsored') : null),
    el('td', {}, el('span', { className: `badge${s.state === 'live' ? ' live' : ''}` }, s.state)),
    el('td', {}, dateTime(s.scheduledStart)),
    el('td', { className: 'mono' }, s.hostUserId),
    el('td', { className: 'num' }, s.lineup.length),
    el('td', {}, el('div', { className: 'row' },
      el('button', { type: 'button', className: 'small primary', textContent: 'Links', onclick: () => mintLinks(s),
        'attr:aria-label': `Create links for ${s.title}` }),
      el('button', { type: 'button', className: 'small', textContent: 'Analytics', onclick: () => showAnalytics(s),
        'attr:aria-label': `Analytics of ${s.title}` }),
      el('button', { type: 'button', className: 'small danger', textContent: 'Delete', disabled: s.state === 'live',
        onclick: () => deleteShow(s) }))))));
  if (!state.shows.length) $('shows').append(el('tr', {}, el('td', { colSpan: 6, className: 'muted' }, 'No shows yet.')));
  renderSaleChoices();
}

$('show-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  formError(f, null);
  try {
    const body = wire.rest.show({
      title: f.elements.title.value.trim(),
      scheduledStart: fromLocalInput(f.elements.scheduledStart.value),
      hostUserId: f.elements.hostUserId.value.trim(),
      lineup: [...f.querySelectorAll('input[name="lineup"]:checked')].map((i) => i.value),
      sponsored: f.elements.sponsored.checked,
      guestsAllowed: f.elements.guestsAllowed.checked,
    });
    const created = wire.readShow(await api(ROUTES.showCreate(), body));
    toast('Show scheduled.', 'ok');
    f.elements.title.value = '';
    await loadShows();
    await mintLinks(created);
  } catch (err) {
    formError(f, err);
  }
});

async function deleteShow(s) {
  if (!confirm(`Delete the show "${s.title}"?`)) return;
  try {
    await api(ROUTES.showDelete(s.id));
    await loadShows();
  } catch (e) {
    toast(`${e.code}: ${e.message}`, 'error');
  }
}

/** Mints host, moderator and viewer tokens for a show and shows the page links. */
async function mintLinks(show) {
  const origin = location.origin;
  const mint = (role, userId, name) => api(ROUTES.tokenMint(), wire.rest.token({ role, show: show.id, userId, name }));
  try {
    const [host, mod, viewer] = await Promise.all([
      mint('host', show.hostUserId, 'Host'),
      mint('moderator', 'moderator-1', 'Moderator'),
      ((id) => mint('viewer', `viewer-${id}`, `Viewer ${id}`))(Math.random().toString(36).slice(2, 6)),
    ]);
    const links = [
      ['Host studio', `${origin}/studio.html?token=${enc(host.token)}`],
      ['Moderator', `${origin}/studio.html?token=${enc(mod.token)}`],
      ['Viewer (sample token)', `${origin}/watch.html?show=${enc(show.id)}&token=${enc(viewer.token)}`],
    ];
    if (show.guestsAllowed) links.push(['Guest viewers', `${origin}/watch.html?show=${enc(show.id)}`]);
    setText($('links-h'), `Links for "${show.title}"`);
    $('links').replaceChildren(...links.map(([label, url]) => {
      const id = `link-${label.replace(/\W+/g, '-').toLowerCase()}`;
      return el('div', { className: 'field' },
        el('label', { htmlFor: id }, label),
        el('div', { className: 'row', style: 'flex-wrap:nowrap' },
          el('input', { id, value: url, readOnly: true, onfocus: (e) => e.target.select() }),
          el('a', { className: 'button small', href: url, target: '_blank', rel: 'noopener' }, 'Open')));
    }));
    $('links-panel').hidden = false;
    $('links-panel').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } catch (e) {
    toast(`Could not mint links: ${e.code}: ${e.message}`, 'error');
  }
}

// ---- show analytics ------------------------------------------------------------------------------

/** Shows one show's analytics (live while it runs, final after); the CSV button downloads the same. */
async function showAnalytics(show) {
  state.analyticsShow = show;
  try {
    const a = wire.readShowAnalytics(await api(ROUTES.showAnalytics(show.id)));
    const cur = a.currency || 'EUR';
    const pct = (r) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);
    const stat = (key, label, value) => el('div', { className: 'stat', dataset: { stat: key } },
      el('div', { className: 'v' }, value ?? '—'), el('div', { className: 'k' }, label));
    const title = (id) => state.products.find((p) => p.id === id)?.title || id;
    setText($('analytics-h'), `Analytics of "${show.title}" (${a.final ? 'final' : 'live'})`);
    $('analytics-body').replaceChildren(
      el('div', { className: 'stats' },
        stat('currentViewers', 'Viewers now', a.currentViewers), stat('peakViewers', 'Peak viewers', a.peakViewers),
        stat('uniqueViewers', 'Unique viewers', a.uniqueViewers),
        stat('avgWatch', 'Avg. watch time', a.avgWatchTimeMs === null ? null : `${Math.round(a.avgWatchTimeMs / 1000)} s`),
        stat('chatMessages', 'Chat messages', a.chatMessages), stat('reactions', 'Reactions', a.reactions),
        stat('shares', 'Shares', a.shares), stat('impressions', 'Card impressions', a.impressions),
        stat('clicks', 'Card clicks', a.clicks), stat('ctr', 'Click-through', pct(a.ctr)),
        stat('orders', 'Orders', a.orders), stat('units', 'Units', a.units),
        stat('revenue', 'Revenue', money(a.revenueMinor ?? 0, cur)), stat('conversion', 'Conversion', pct(a.conversionRate)),
        stat('aov', 'Avg. order', a.aovMinor === null ? null : money(a.aovMinor, cur))),
      el('div', { className: 'table-wrap', style: 'margin-top:.75rem' }, el('table', { 'attr:aria-label': 'Analytics per product' },
        el('thead', {}, el('tr', {}, ...['Product', 'Impressions', 'Clicks', 'CTR', 'Orders', 'Units', 'Revenue']
          .map((h, i) => el('th', { className: i ? 'num' : '' }, h)))),
        el('tbody', {}, ...a.products.map((p) => el('tr', { dataset: { product: p.productId } },
          el('td', {}, title(p.productId)), el('td', { className: 'num' }, p.impressions ?? '—'),
          el('td', { className: 'num' }, p.clicks ?? '—'), el('td', { className: 'num' }, pct(p.ctr)),
          el('td', { className: 'num' }, p.orders ?? '—'), el('td', { className: 'num' }, p.units ?? '—'),
          el('td', { className: 'num' }, money(p.revenueMinor ?? 0, cur))))))));
    $('analytics-panel').hidden = false;
    $('analytics-panel').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } catch (e) {
    toast(`Could not read the analytics: ${e.code}: ${e.message}`, 'error');
  }
}

$('analytics-refresh').addEventListener('click', () => state.analyticsShow && showAnalytics(state.analyticsShow));

$('analytics-csv').addEventListener('click', async () => {
  const show = state.analyticsShow;
  if (!show) return;
  try {
    // The route needs the key in a header, so a plain link cannot fetch it: download through a blob.
    const blob = await (await send(ROUTES.showAnalyticsCsv(show.id))).blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `analytics-${show.id}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    toast(`Could not download the CSV: ${e.code}: ${e.message}`, 'error');
  }
});

// ---- sales ---------------------------------------------------------------------------------------

function renderSaleChoices() {
  const product = $('f-product');
  const show = $('f-show');
  const pv = product.value;
  const sv = show.value;
  product.replaceChildren(...state.products.map((p) => el('option', { value: p.id }, `${p.title} (${money(p.priceMinor, p.currency)})`)));
  show.replaceChildren(el('option', { value: '' }, '— none —'),
    ...state.shows.filter((s) => s.state !== 'ended').map((s) => el('option', { value: s.id }, s.title)));
  if (pv) product.value = pv;
  if (sv) show.value = sv;
  if (!$('f-start').value) {
    $('f-start').value = toLocalInput(Date.now() + 60_000);
    $('f-end').value = toLocalInput(Date.now() + 31 * 60_000);
  }
}

async function loadSales() {
  state.sales = wire.lists.sales(await api(ROUTES.sales())).map((s) => wire.readSale(s));
  const productTitle = (id) => state.products.find((p) => p.id === id)?.title || id;
  $('sales').replaceChildren(...state.sales.map((s) => {
    const before = s.startsAt && Date.now() < s.startsAt && !/cancel/.test(s.state);
    const over = /cancel|ended/.test(s.state) || (s.endsAt && Date.now() >= s.endsAt);
    return el('tr', { dataset: { id: s.id } },
      el('td', {}, productTitle(s.productId)),
      el('td', { className: 'num' }, money(s.priceMinor, s.currency)),
      el('td', {}, `${dateTime(s.startsAt)} → ${dateTime(s.endsAt)}`),
      el('td', { className: 'num', dataset: { counter: 'remaining' } }, s.remaining ?? '—'),
      el('td', { className: 'num' }, s.held ?? '—'),
      el('td', { className: 'num' }, s.sold ?? '—'),
      el('td', { className: 'num' }, s.expired ?? '—'),
      el('td', {}, s.state || (before ? 'scheduled' : over ? 'ended' : 'open')),
      el('td', {}, el('div', { className: 'row' },
        el('button', { type: 'button', className: 'small', textContent: 'Edit', disabled: !before, onclick: () => editSale(s) }),
        el('button', { type: 'button', className: 'small danger', textContent: 'Cancel', disabled: over, onclick: () => cancelSale(s) }),
        el('button', { type: 'button', className: 'small', textContent: 'Audit', onclick: () => audit(s) }))));
  }));
  if (!state.sales.length) $('sales').append(el('tr', {}, el('td', { colSpan: 9, className: 'muted' }, 'No sales yet.')));
}

function editSale(s) {
  const f = $('sale-form');
  state.editingSale = s.id;
  f.elements.productId.value = s.productId;
  f.elements.showId.value = s.showId || '';
  f.elements.price.value = (s.priceMinor / 100).toFixed(2);
  f.elements.quantity.value = s.quantity;
  f.elements.startsAt.value = toLocalInput(s.startsAt);
  f.elements.endsAt.value = toLocalInput(s.endsAt);
  f.elements.perBuyerLimit.value = s.perBuyerLimit || 1;
  f.elements.holdSeconds.value = s.holdSeconds || 300;
  setText($('sale-form-h'), 'Edit sale');
  setText($('sale-submit'), 'Save changes');
  $('sale-cancel-edit').hidden = false;
}

function resetSaleForm() {
  state.editingSale = null;
  setText($('sale-form-h'), 'Schedule a flash sale');
  setText($('sale-submit'), 'Schedule sale');
  $('sale-cancel-edit').hidden = true;
  $('f-start').value = '';
  renderSaleChoices();
}

$('sale-cancel-edit').addEventListener('click', resetSaleForm);

$('sale-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  formError(f, null);
  try {
    const body = wire.rest.sale({
      productId: f.elements.productId.value,
      showId: f.elements.showId.value,
      priceMinor: toMinor(f.elements.price.value),
      quantity: Number(f.elements.quantity.value),
      startsAt: fromLocalInput(f.elements.startsAt.value),
      endsAt: fromLocalInput(f.elements.endsAt.value),
      perBuyerLimit: Number(f.elements.perBuyerLimit.value),
      holdSeconds: Number(f.elements.holdSeconds.value),
    });
    if (state.editingSale) await api(ROUTES.saleUpdate(state.editingSale), body);
    else await api(ROUTES.saleCreate(), body);
    toast(state.editingSale ? 'Sale updated.' : 'Sale scheduled.', 'ok');
    resetSaleForm();
    await loadSales();
  } catch (err) {
    formError(f, err);
  }
});

async function cancelSale(s) {
  if (!confirm('Cancel this sale? Held items go back to stock and no one can buy any more.')) return;
  try {
    await api(ROUTES.saleCancel(s.id));
    await loadSales();
  } catch (e) {
    toast(`${e.code}: ${e.message}`, 'error');
  }
}

async function audit(s) {
  try {
    const raw = await api(ROUTES.saleAudit(s.id));
    const a = wire.readAudit(raw);
    const n = (k) => (typeof a[k] === 'number' ? a[k] : undefined);
    const balanced = a.consistent;
    $('audit').replaceChildren(
      el('div', { className: 'stats' }, ...['allotted', 'available', 'held', 'sold', 'expired'].map((k) =>
        el('div', { className: 'stat' }, el('div', { className: 'v' }, n(k) ?? '—'), el('div', { className: 'k' }, k)))),
      el('p', { style: 'margin-top:.6rem' }, balanced === undefined ? '' : balanced
        ? el('span', { className: 'badge ok' }, '✓ available + held + sold = allotted')
        : el('span', { className: 'badge bad' }, '✗ available + held + sold ≠ allotted')),
      el('details', {}, el('summary', {}, 'Raw audit'), el('pre', { className: 'mono' }, JSON.stringify(raw, null, 2))));
    $('audit-panel').hidden = false;
  } catch (e) {
    toast(`${e.code}: ${e.message}`, 'error');
  }
}

setInterval(() => {
  if (state.tab === 'sales' && !document.hidden && sessionStorage.getItem(KEY_STORAGE)) {
    loadSales().catch(() => {});
  }
}, 2000);

// ---- orders --------------------------------------------------------------------------------------

async function loadOrders() {
  const orders = wire.lists.orders(await api(ROUTES.orders())).map((o) => wire.readOrder(o));
  if (!state.products.length) await loadProducts().catch(() => {});
  const title = (id) => state.products.find((p) => p.id === id)?.title || id || '—';
  $('orders').replaceChildren(...orders.map((o) => el('tr', {},
    el('td', { className: 'mono' }, o.id),
    el('td', {}, dateTime(o.createdAt)),
    el('td', {}, title(o.productId)),
    el('td', { className: 'mono' }, o.userId || '—'),
    el('td', { className: 'num' }, o.quantity),
    el('td', { className: 'num' }, money(o.totalMinor ?? (o.priceMinor ?? 0) * o.quantity, o.currency)),
    el('td', { className: 'mono' }, o.showId || '—'))));
  if (!orders.length) $('orders').append(el('tr', {}, el('td', { colSpan: 7, className: 'muted' }, 'No orders yet.')));
}

$('orders-refresh').addEventListener('click', () => refresh('orders'));

// ---- webhooks ------------------------------------------------------------------------------------

async function loadWebhooks() {
  try {
    const w = await api(ROUTES.webhook());
    $('w-url').value = w?.url || '';
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  try {
    const list = wire.lists.deliveries(await api(ROUTES.deliveries())).map(wire.readDelivery);
    $('deliveries').replaceChildren(...list.map((d) => el('tr', {},
      el('td', {}, dateTime(d.at)),
      el('td', { className: 'mono' }, d.type),
      el('td', { className: 'num' }, d.attempt ?? ''),
      el('td', {}, d.ok ? `${d.status} ok` : `${d.status ?? ''} ${d.error ?? 'failed'}`.trim()))));
    if (!list.length) $('deliveries').append(el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'No deliveries yet.')));
  } catch (e) {
    if (e.status !== 404) throw e;
  }
}

$('webhook-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  formError(f, null);
  try {
    const body = { url: f.elements.url.value.trim() };
    if (f.elements.secret.value) body.secret = f.elements.secret.value;
    await api(ROUTES.webhookSave(), body);
    f.elements.secret.value = '';
    toast('Webhook saved.', 'ok');
  } catch (err) {
    formError(f, err);
  }
});

$('deliveries-refresh').addEventListener('click', () => refresh('webhooks'));

// ---- start ---------------------------------------------------------------------------------------

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) {
  signIn(saved).catch(() => { $('signin').hidden = false; });
}
