/**
 * Viewer page (watch.html?show=shw_…&token=…): live video, chat, reactions, pinned products and
 * flash-sale buying, social proof ("N bought" on the cards, the purchase ticker) and the share
 * button. Guests (no token) watch, share and open cards only. All payload fields go through wire.js;
 * text from the server (names, titles, chat) is only ever set as text, never as HTML.
 *
 * For tests and debugging the page exposes `window.dropcastWatch` = {client, player, state}.
 */
import { connect, Events, Ops, Status, ClientEvents } from './dropcast.js';
import { MediaPlayer, canPlay } from './media.js';
import * as wire from './wire.js';
import { $, el, money, clock, param, randomKey, toast, errorText, setText, timeOfDay } from './ui.js';

const showId = param('show');
const token = param('token');
const PIN_SYNC_FALLBACK_MS = 5000;
const TICKER_SHOW_MS = 5000;      // how long one purchase stays in the ticker
const TICKER_MAX_LINES = 3;
const CLICK_REPORT_GAP_MS = 2000; // at most one `click` per product per this interval

const state = {
  show: { state: 'scheduled' },
  pins: [],            // [{...Pin, receivedAt}]
  sales: new Map(),    // saleId → Sale (+ started/ended/soldOut flags)
  purchase: null,      // {phase: 'held'|'confirming'|'ordered'|'expired'|'error', reservation, sale, product, order, message}
  blocked: null,       // 'muted' | 'banned' | null
  slowSeconds: 0,
  visiblePins: '',
  bought: new Map(),   // saleId → {productId, bought}: units sold so far ("N bought")
  openCard: null,      // productId of the card whose details are open
};

const player = new MediaPlayer($('video'));
let client = null;
window.dropcastWatch = { state, player, get client() { return client; } };

// ---- connection ------------------------------------------------------------------------------

async function start() {
  if (!showId) {
    overlay('No show selected', 'Open this page with ?show=<show id> (the console and the demo banner print full links).');
    return;
  }
  if (!canPlay()) {
    overlay('This browser cannot play the live video', 'It lacks WebCodecs; use a recent Chrome, Edge or Safari.');
  }
  try {
    client = await connect({ token });
  } catch (e) {
    banner(errorText(e), true);
    overlay('Cannot connect', errorText(e));
    return;
  }
  const me = client.user;
  setText($('who'), me ? `${me.name} · ${me.role}` : 'Guest (watch only)');
  client.on(ClientEvents.STATUS, onStatus);
  client.on(ClientEvents.SNAPSHOT, ({ snapshot, recovered }) => { if (!recovered) applySnapshot(snapshot); });
  client.on(ClientEvents.ERROR, (e) => { if (e.code === 'BANNED') setBlocked('banned'); });
  subscribe();
  client.onMedia((frame) => player.push(frame));
  try {
    await client.join(showId);
  } catch (e) {
    overlay(e.code === 'NOT_FOUND' ? 'Show not found' : 'Cannot join this show', errorText(e));
    if (e.code === 'BANNED') setBlocked('banned');
    return;
  }
  setupChatForm();
  setupReactions();
  setupShare();
}

function onStatus({ status, attempt, delayMs }) {
  if (status === Status.RECONNECTING) {
    banner(`Reconnecting… (attempt ${attempt ?? 1}${delayMs ? `, next try in ${Math.ceil(delayMs / 1000)} s` : ''})`);
  } else if (status === Status.OPEN) {
    banner(null);
  } else if (status === Status.CLOSED && state.blocked !== 'banned') {
    banner('Disconnected.', true);
  }
}

function subscribe() {
  client.on(Events.SHOW_STATE, (d) => {
    const show = wire.readShow(d);
    if (show) {
      state.show = { ...state.show, ...stripUndefined(show) };
      setShowState(show.state);
    }
  });
  client.on(Events.VIEWERS, (d) => renderViewers(wire.readViewers(d)));
  client.on(Events.REACTIONS, (d) => renderReactions(wire.readReactions(d)));
  client.on(Events.CHAT_MESSAGE, (d) => addChat(wire.readChatMessage(d)));
  client.on(Events.CHAT_DELETED, (d) => removeChat(wire.readDeletedId(d)));
  client.on(Events.CHAT_PINNED, (d) => renderPinnedComment(wire.readPinnedComment(d)));
  client.on(Events.CHAT_SETTINGS, (d) => { state.slowSeconds = wire.readChatSettings(d).slowSeconds; renderChatNote(); });
  client.on(Events.USER_MODERATED, (d) => {
    const m = wire.readModeration(d);
    if (!client.user || m.userId !== client.user.userId) return;
    if (/unmute|unban/.test(m.action)) setBlocked(null);
    else if (/ban/.test(m.action)) setBlocked('banned');
    else if (/mute/.test(m.action)) setBlocked('muted');
  });
  client.on(Events.PINS, (d) => setPins(wire.readPins(d)));
  for (const name of [Events.SALE_SCHEDULED, Events.SALE_STARTED]) {
    client.on(name, (d) => {
      const sale = wire.readSale(d);
      if (!sale?.id) return;
      upsertSale(sale, name === Events.SALE_STARTED ? { started: true } : {});
    });
  }
  client.on(Events.SALE_STOCK, (d) => {
    const { saleId, remaining, quantity } = wire.readStock(d);
    updateSale(saleId, { remaining, quantity });
  });
  client.on(Events.SALE_SOLD_OUT, (d) => updateSale(wire.readStock(d).saleId, { remaining: 0, soldOut: true }));
  client.on(Events.SALE_ENDED, (d) => {
    const e = wire.readSaleEnded(d);
    updateSale(e.saleId, { ended: true, state: e.reason === 'cancelled' ? 'cancelled' : 'ended', sold: e.sold });
    setBought(e.saleId, state.sales.get(e.saleId)?.productId, e.sold);
  });
  client.on(Events.RESERVATION, (d) => onReservationEvent(wire.readReservation(d)));
  client.on(Events.PRODUCT_BOUGHT, (d) => {
    const b = wire.readBought(d);
    setBought(b.saleId, b.productId, b.bought);
  });
  client.on(Events.PURCHASE, (d) => announcePurchase(wire.readPurchase(d)));
}

// ---- snapshot & show state ---------------------------------------------------------------------

function applySnapshot(raw) {
  const snap = wire.readSnapshot(raw);
  state.show = { ...state.show, ...stripUndefined(snap.show) };
  setText($('show-title'), state.show.title || 'Live show');
  $('show-title').classList.remove('muted');
  document.title = `${state.show.title || 'Watch'} · Dropcast`;
  $('sponsored').hidden = !state.show.sponsored;
  renderViewers(snap.viewers);
  renderReactions(snap.reactions);
  $('chat-list').replaceChildren();
  snap.chat.forEach(addChat);
  renderPinnedComment(snap.pinnedComment);
  state.slowSeconds = snap.slowSeconds;
  renderChatNote();
  if (snap.sales) { // absent from a fallback snapshot after a lastSeq join: keep what we had
    state.sales.clear();
    snap.sales.forEach((s) => {
      upsertSale(s, {}, false);
      setBought(s.id, s.productId, s.sold, false);
    });
  }
  setPins(snap.pins);
  setShowState(state.show.state || 'scheduled');
}

function setShowState(s) {
  state.show.state = s;
  const badge = $('state-badge');
  badge.className = `badge${s === 'live' ? ' live' : ''}`;
  setText(badge, s === 'live' ? 'LIVE' : s === 'ended' ? 'Ended' : 'Scheduled');
  if (s === 'ended') {
    player.reset();
    overlay('The show has ended', 'Thanks for watching!');
  } else if (s === 'live') {
    if (player.stats.framesDecoded > 0 && Date.now() - player.stats.lastRenderAt < 3000) overlay(null);
    else overlay('Live', 'Connecting to the video…');
  } else {
    const at = state.show.scheduledStart;
    overlay('Waiting for the host…', at ? `The show is scheduled for ${timeOfDay(at)}.` : 'The show starts soon.');
  }
}

function overlay(title, text) {
  const o = $('overlay');
  if (!title) {
    o.hidden = true;
    return;
  }
  o.hidden = false;
  setText($('overlay-title'), title);
  setText($('overlay-text'), text || '');
}

function banner(text, bad = false) {
  const b = $('conn');
  b.hidden = !text;
  b.classList.toggle('bad', bad);
  if (text) setText(b, text);
}

function renderViewers(v) {
  setText($('viewers'), `${v.current} watching`);
  $('viewers').setAttribute('aria-label', `${v.current} watching now (peak ${v.peak})`);
}

function renderReactions(r) {
  for (const span of document.querySelectorAll('[data-count]')) {
    setText(span, r.totals[span.dataset.count] ?? 0);
  }
}

// ---- video ---------------------------------------------------------------------------------------

player.onFrame((s) => {
  if (state.show.state !== 'ended' && !$('overlay').hidden) {
    overlay(null);
    if (s.audioCodec || player.tracks.size > 1) $('sound').hidden = false;
  }
});
$('sound').addEventListener('click', async () => {
  await player.enableAudio();
  $('sound').hidden = true;
});

// ---- pins & sales ----------------------------------------------------------------------------------

function setPins(pins) {
  const now = Date.now();
  const old = new Map(state.pins.map((p) => [p.productId, p]));
  state.pins = pins.map((p) => ({ ...p, receivedAt: old.get(p.productId)?.receivedAt ?? now }));
  renderCards(true);
}

/** A pin is shown once the video has reached its media timestamp (or right away without video). */
function pinVisible(pin) {
  if (!pin.mediaTimestamp) return true;
  const rendered = player.stats.lastTimestamp;
  if (!rendered || Date.now() - player.stats.lastRenderAt > 2000) return true;
  return rendered >= pin.mediaTimestamp || Date.now() - pin.receivedAt > PIN_SYNC_FALLBACK_MS;
}

function upsertSale(sale, flags = {}, render = true) {
  const prev = state.sales.get(sale.id) || {};
  const merged = { ...prev, ...stripUndefined(sale), ...flags };
  state.sales.set(sale.id, merged);
  if (render) renderCards(true);
}

function updateSale(saleId, patch) {
  if (!saleId) return;
  const sale = state.sales.get(saleId);
  if (!sale) {
    state.sales.set(saleId, { id: saleId, ...stripUndefined(patch) });
  } else {
    Object.assign(sale, stripUndefined(patch));
  }
  renderCards(true);
}

function saleFor(pin) {
  let best = null;
  for (const s of state.sales.values()) {
    if (s.productId !== pin.productId) continue;
    if (!best || (phaseOf(best) === 'ended' && phaseOf(s) !== 'ended')) best = s;
  }
  return best;
}

/** @return upcoming | open | soldout | ended | cancelled */
function phaseOf(sale) {
  const now = Date.now();
  if (/cancel/.test(sale.state || '')) return 'cancelled';
  if (sale.ended || sale.state === 'ended' || (sale.endsAt && now >= sale.endsAt)) return 'ended';
  if (sale.soldOut || sale.remaining === 0 || sale.state === 'sold_out') return 'soldout';
  if (!sale.started && sale.state !== 'live' && sale.state !== 'open' && sale.startsAt && now < sale.startsAt) return 'upcoming';
  return 'open';
}

function renderCards(force = false) {
  const visible = state.pins.filter(pinVisible);
  const key = visible.map((p) => p.productId).join(',');
  if (!force && key === state.visiblePins) return;
  state.visiblePins = key;
  $('no-pins').hidden = visible.length > 0;
  const shown = new Set([...$('cards').children].map((c) => c.dataset.product));
  $('cards').replaceChildren(...visible.map((pin) => {
    const c = card(pin);
    if (!shown.has(pin.productId)) c.classList.add('new'); // animate only cards that just appeared
    return c;
  }));
  tick();
}

function card(pin) {
  const product = pin.product || { title: pin.productId, priceMinor: undefined, currency: 'EUR' };
  const sale = saleFor(pin);
  const canBuy = !!client?.user && client.user.role !== 'guest';
  const price = sale && sale.priceMinor
    ? el('div', { className: 'price' }, money(sale.priceMinor, sale.currency || product.currency),
      product.priceMinor && product.priceMinor !== sale.priceMinor ? el('s', {}, money(product.priceMinor, product.currency)) : null)
    : el('div', { className: 'price' }, money(product.priceMinor, product.currency));
  const open = state.openCard === pin.productId;
  const children = [
    el('button', { type: 'button', className: 'title open-card', 'attr:aria-expanded': String(open),
      'attr:aria-label': `${product.title}: details` }, product.title),
    price,
    boughtLine(pin.productId),
  ];
  if (sale) {
    const phase = phaseOf(sale);
    children.push(el('div', { className: 'state', dataset: { sale: sale.id, role: 'sale-state' } }, saleLine(sale)));
    const actions = el('div', { className: 'actions' });
    if (phase === 'open') {
      const buy = el('button', { type: 'button', className: 'primary', textContent: 'Buy now', disabled: !canBuy || !!busyBuying,
        'attr:aria-label': `Buy ${product.title}` });
      buy.dataset.buy = sale.id;
      buy.addEventListener('click', () => buyNow(sale, product));
      actions.append(buy);
      if (!canBuy) actions.append(el('span', { className: 'meta' }, 'Open your viewer link to buy.'));
    } else if (phase === 'soldout' && canBuy) {
      actions.append(el('button', { type: 'button', className: 'small', textContent: 'Join waitlist',
        onclick: () => joinWaitlist(sale) }));
    }
    children.push(actions);
  }
  if (!sale || open) children.push(el('div', { className: 'meta', dataset: { role: 'details' } }, details(product, sale)));
  const article = el('article', { className: `card${open ? ' open' : ''}`, dataset: { product: pin.productId },
    'attr:aria-label': product.title },
    product.imageUrl ? el('img', { src: product.imageUrl, alt: '', loading: 'lazy', referrerPolicy: 'no-referrer' })
      : el('div', { className: 'ph', 'attr:aria-hidden': 'true' }, (product.title || '?').slice(0, 1).toUpperCase()),
    el('div', {}, ...children));
  article.addEventListener('click', (e) => onCardClick(pin.productId, e));
  return article;
}

/** @return the text of an opened card: what the pin and the sale tell about the product */
function details(product, sale) {
  const parts = [];
  if (product.description) parts.push(product.description);
  if (sale?.perBuyerLimit) parts.push(`Up to ${sale.perBuyerLimit} per buyer.`);
  if (sale?.holdSeconds) parts.push(`Once reserved, it is held for you for ${clock(sale.holdSeconds * 1000)} while you check out.`);
  return parts.length ? parts.join(' ') : 'Ask the host about it in the chat.';
}

/** @return the card's "N bought" line (hidden at 0); renderBought keeps it current in place */
function boughtLine(productId) {
  const n = boughtOf(productId);
  return el('div', { className: 'bought', hidden: n === 0, dataset: { role: 'bought', product: productId } },
    `${n} bought`);
}

function boughtOf(productId) {
  let n = 0;
  for (const b of state.bought.values()) if (b.productId === productId) n += b.bought;
  return n;
}

/**
 * Records a sale's units sold (snapshot, `product.bought`, `sale.ended`). Sold counts only grow,
 * so an older value arriving late (coalescing, a snapshot racing an event) never lowers it.
 */
function setBought(saleId, productId, bought, render = true) {
  if (!saleId || typeof bought !== 'number') return;
  const prev = state.bought.get(saleId);
  const pid = productId || prev?.productId || state.sales.get(saleId)?.productId;
  if (!pid) return;
  state.bought.set(saleId, { productId: pid, bought: Math.max(bought, prev?.bought ?? 0) });
  if (render) renderBought();
}

function renderBought() {
  for (const node of document.querySelectorAll('[data-role="bought"]')) {
    const n = boughtOf(node.dataset.product);
    node.hidden = n === 0;
    setText(node, `${n} bought`);
  }
}

// ---- card clicks & sharing (analytics) -----------------------------------------------------------

const lastClickReport = new Map(); // productId → ms

/**
 * A click anywhere on a card (its Buy button too) tells the server the viewer opened the card
 * (`click`, at most once per product per CLICK_REPORT_GAP_MS); a click outside the buttons, or on
 * the title, opens or closes the card's details.
 */
function onCardClick(productId, e) {
  const button = e.target.closest('button');
  if (!button || button.classList.contains('open-card')) {
    state.openCard = state.openCard === productId ? null : productId;
    renderCards(true);
  }
  const now = Date.now();
  if (!client || now - (lastClickReport.get(productId) ?? 0) < CLICK_REPORT_GAP_MS) return;
  lastClickReport.set(productId, now);
  client.request(Ops.CLICK, showId, wire.write.click(productId))
    .catch((err) => console.debug('click not counted:', err.code)); // analytics only: never bother the viewer
}

/** The show's public link: never the viewer's own token (anyone holding it would act as them). */
function shareUrl() {
  return `${location.origin}${location.pathname}?show=${encodeURIComponent(showId)}`;
}

function setupShare() {
  const b = $('share');
  b.disabled = false;
  b.addEventListener('click', async () => {
    const url = shareUrl();
    let channel = null;
    if (navigator.share) {
      try {
        await navigator.share({ title: state.show.title || 'Live show', url });
        channel = 'native';
      } catch (e) {
        if (e.name === 'AbortError') return; // the viewer closed the share sheet
      }
    }
    if (!channel && await copyText(url)) {
      channel = 'copy-link';
      toast('Link copied: paste it anywhere to share the show.', 'ok');
    }
    if (!channel) {
      toast(`Copy this link to share the show: ${url}`, 'info');
      return;
    }
    try {
      await client.request(Ops.SHARE, showId, wire.write.share(channel));
    } catch (err) {
      console.debug('share not counted:', err.code);
    }
  });
}

/** @return true when `text` is on the clipboard */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el('textarea', { value: text, readOnly: true, style: 'position:fixed;opacity:0' });
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

// ---- purchase ticker ------------------------------------------------------------------------------

/** Shows "<name> just bought …" (or "Someone …") for TICKER_SHOW_MS; the newest TICKER_MAX_LINES stay. */
function announcePurchase(p) {
  if (!p.productId && !p.title) return;
  const title = p.title || state.pins.find((x) => x.productId === p.productId)?.product?.title || 'an item';
  const what = p.quantity > 1 ? `${p.quantity} × ${title}` : title;
  const line = el('li', { dataset: { product: p.productId || '', named: String(!!p.buyer) } },
    `${p.buyer ?? 'Someone'} just bought ${what}`); // el() sets strings as text nodes, never HTML
  const list = $('ticker');
  list.append(line);
  while (list.children.length > TICKER_MAX_LINES) list.firstElementChild.remove();
  setTimeout(() => line.remove(), TICKER_SHOW_MS);
}

function saleLine(sale) {
  const now = Date.now();
  switch (phaseOf(sale)) {
    case 'upcoming': return `Flash sale starts in ${clock(sale.startsAt - now)}`;
    case 'soldout': return 'Sold out';
    case 'ended': return 'Sale ended';
    case 'cancelled': return 'Sale cancelled';
    default: {
      // Before the first stock update an open sale still has its whole allotment.
      const remaining = typeof sale.remaining === 'number' ? sale.remaining : sale.quantity || undefined;
      const left = remaining !== undefined ? `${remaining} left` : 'On sale';
      return sale.endsAt ? `${left} · ends in ${clock(sale.endsAt - now)}` : left;
    }
  }
}

// ---- buying ------------------------------------------------------------------------------------------

let busyBuying = false;

async function buyNow(sale, product) {
  if (busyBuying) return;
  busyBuying = true;
  renderPurchase({ phase: 'reserving', sale, product });
  try {
    const res = wire.readReservation(await client.request(Ops.SALE_RESERVE, showId, wire.write.reserve(sale.id, 1, randomKey())));
    if (!res.expiresAt && sale.holdSeconds) res.expiresAt = Date.now() + sale.holdSeconds * 1000;
    renderPurchase({ phase: 'held', reservation: res, sale, product });
  } catch (e) {
    if (e.code === 'SOLD_OUT') updateSale(sale.id, { remaining: 0, soldOut: true });
    if (e.code === 'ENDED') updateSale(sale.id, { ended: true });
    renderPurchase({ phase: 'error', sale, product, code: e.code, message: errorText(e) });
  } finally {
    busyBuying = false;
    renderCards(true);
  }
}

async function checkout() {
  const p = state.purchase;
  if (!p || p.phase !== 'held') return;
  renderPurchase({ ...p, phase: 'confirming' });
  try {
    const order = wire.readOrder(await client.request(Ops.RESERVATION_CONFIRM, showId,
      wire.write.confirm(p.reservation.id, p.showName === true)));
    renderPurchase({ ...p, phase: 'ordered', order });
  } catch (e) {
    renderPurchase({ ...p, phase: e.code === 'EXPIRED' ? 'expired' : 'error', code: e.code, message: errorText(e) });
  }
}

async function release() {
  const p = state.purchase;
  if (!p || p.phase !== 'held') return;
  try {
    await client.request(Ops.RESERVATION_RELEASE, showId, wire.write.release(p.reservation.id));
  } catch (e) {
    toast(errorText(e), 'error');
  }
  renderPurchase(null);
}

async function joinWaitlist(sale) {
  try {
    await client.request(Ops.SALE_WAITLIST, showId, wire.write.waitlist(sale.id));
    toast('You are on the waitlist; we will hold an item for you if one comes back.', 'ok');
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

function onReservationEvent(res) {
  if (!res?.id) return;
  const p = state.purchase;
  if (/expire|release/.test(res.status)) {
    if (p && p.reservation?.id === res.id && p.phase === 'held') renderPurchase({ ...p, phase: 'expired', message: errorText({ code: 'EXPIRED' }) });
    return;
  }
  if (/confirm|order/.test(res.status)) return;
  // A hold offered to us (e.g. from the waitlist).
  const sale = state.sales.get(res.saleId) || { id: res.saleId };
  const pin = state.pins.find((x) => x.productId === sale.productId);
  renderPurchase({ phase: 'held', reservation: res, sale, product: pin?.product || { title: 'Your item' } });
  toast('An item is being held for you!', 'ok');
}

function renderPurchase(p) {
  state.purchase = p;
  const box = $('purchase');
  if (!p) {
    box.replaceChildren();
    return;
  }
  const title = p.product?.title || 'item';
  let content;
  switch (p.phase) {
    case 'reserving':
      content = el('div', { className: 'hold' }, `Reserving ${title}…`);
      break;
    case 'held':
    case 'confirming':
      content = el('div', { className: 'hold', dataset: { phase: p.phase } },
        el('div', {}, `Reserved for you: ${p.reservation.quantity} × ${title}`),
        el('div', { className: 'row' },
          el('span', {}, 'Complete checkout within'),
          el('span', { className: 'timer', dataset: { role: 'hold-timer' } }, p.reservation.expiresAt ? clock(p.reservation.expiresAt - Date.now()) : '')),
        el('label', { className: 'checkbox' },
          el('input', { type: 'checkbox', checked: p.showName === true, disabled: p.phase === 'confirming',
            dataset: { role: 'show-name' }, onchange: (e) => { p.showName = e.target.checked; } }),
          `Show my name${client?.user?.name ? ` (${client.user.name})` : ''} in the purchase ticker`),
        el('div', { className: 'row' },
          el('button', { type: 'button', className: 'primary', textContent: p.phase === 'confirming' ? 'Placing order…' : 'Checkout',
            disabled: p.phase === 'confirming', onclick: checkout, dataset: { role: 'checkout' } }),
          el('button', { type: 'button', textContent: 'Release', disabled: p.phase === 'confirming', onclick: release })));
      break;
    case 'ordered':
      content = el('div', { className: 'order-ok', dataset: { phase: 'ordered' } },
        el('strong', {}, '✓ Order confirmed'),
        el('div', {}, `${p.reservation.quantity} × ${title}`),
        p.order?.id ? el('div', { className: 'muted mono' }, `Order ${p.order.id}`) : null,
        el('button', { type: 'button', className: 'small', textContent: 'Close', onclick: () => renderPurchase(null) }));
      break;
    case 'expired':
      content = el('div', { className: 'hold', dataset: { phase: 'expired' } },
        el('strong', { className: 'stock-out' }, 'Hold expired'),
        el('div', {}, p.message || 'Your hold expired; the item went back to stock.'),
        el('button', { type: 'button', className: 'small', textContent: 'OK', onclick: () => renderPurchase(null) }));
      break;
    default:
      content = el('div', { className: 'hold', dataset: { phase: 'error', code: p.code || '' } },
        el('strong', { className: 'stock-out' }, p.code === 'SOLD_OUT' ? 'Sold out' : p.code === 'LIMIT_EXCEEDED' ? 'Limit reached' : 'Could not reserve'),
        el('div', {}, p.message || ''),
        el('button', { type: 'button', className: 'small', textContent: 'OK', onclick: () => renderPurchase(null) }));
  }
  box.replaceChildren(content);
}

// ---- chat --------------------------------------------------------------------------------------------

function addChat(m) {
  if (!m) return;
  const list = $('chat-list');
  if (m.id && list.querySelector(`li[data-id="${CSS.escape(m.id)}"]`)) return;
  list.append(el('li', { dataset: { id: m.id || '', user: m.userId || '' } },
    el('span', { className: `who ${m.role}` }, m.name),
    el('span', { className: 'text' }, m.text)));
  while (list.children.length > 200) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

function removeChat(id) {
  if (!id) return;
  $('chat-list').querySelector(`li[data-id="${CSS.escape(id)}"]`)?.remove();
}

function renderPinnedComment(m) {
  const box = $('chat-pinned');
  box.hidden = !m;
  if (m) box.replaceChildren(el('strong', {}, 'Pinned · ', m.name, ': '), m.text);
}

function setBlocked(kind) {
  state.blocked = kind;
  renderChatNote();
  if (kind === 'banned') {
    banner('You were removed from this show by a moderator.', true);
    overlay('Removed from this show', 'A moderator banned you from this show.');
  }
}

function renderChatNote() {
  const guest = !client?.user || client.user.role === 'guest';
  const form = $('chat-form');
  const disabled = guest || !!state.blocked;
  for (const c of form.elements) c.disabled = disabled;
  const notes = [];
  if (guest) notes.push('Guests watch only: open your viewer link to chat and buy.');
  if (state.blocked === 'muted') notes.push('You are muted in this chat.');
  if (state.blocked === 'banned') notes.push('You are banned from this show.');
  if (state.slowSeconds > 0) notes.push(`Slow mode: one message every ${state.slowSeconds} s.`);
  setText($('chat-note'), notes.join(' '));
  for (const b of document.querySelectorAll('button.react')) b.disabled = guest || state.blocked === 'banned';
}

function setupChatForm() {
  renderChatNote();
  $('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text) return;
    try {
      await client.request(Ops.CHAT_SEND, showId, wire.write.chatSend(text));
      input.value = '';
    } catch (err) {
      if (err.code === 'MUTED') setBlocked('muted');
      else if (err.code === 'BANNED') setBlocked('banned');
      setText($('chat-note'), errorText(err));
    }
  });
}

function setupReactions() {
  for (const b of document.querySelectorAll('button.react')) {
    b.addEventListener('click', async () => {
      try {
        await client.request(Ops.REACT, showId, wire.write.react(b.dataset.kind));
      } catch (err) {
        toast(errorText(err), 'error');
      }
    });
  }
}

// ---- ticker: countdowns, hold timer, pin sync, stats ---------------------------------------------------

function tick() {
  for (const node of document.querySelectorAll('[data-role="sale-state"]')) {
    const sale = state.sales.get(node.dataset.sale);
    if (sale) setText(node, saleLine(sale));
  }
  const p = state.purchase;
  if (p && p.phase === 'held' && p.reservation.expiresAt) {
    const left = p.reservation.expiresAt - Date.now();
    const t = document.querySelector('[data-role="hold-timer"]');
    if (t) setText(t, clock(left));
    if (left <= 0) renderPurchase({ ...p, phase: 'expired' });
  }
  const s = player.stats;
  setText($('video-stats'), s.framesDecoded
    ? `${s.videoCodec?.split('.')[0] ?? ''} ${s.width}×${s.height} · ${s.framesDecoded} frames${s.latencyP50Ms != null ? ` · ${Math.round(s.latencyP50Ms)} ms` : ''}`
    : '');
}

let lastPhases = '';
setInterval(() => {
  renderCards(false);
  // Re-render cards when a sale changes phase by the clock (e.g. the countdown reached 0).
  const phases = [...state.sales.values()].map(phaseOf).join(',');
  if (phases !== lastPhases) {
    lastPhases = phases;
    renderCards(true);
  }
  tick();
}, 250);

function stripUndefined(o) {
  const out = {};
  for (const [k, v] of Object.entries(o || {})) if (v !== undefined) out[k] = v;
  return out;
}

start();
