/**
 * Host studio (studio.html?token=<host or moderator token>[&show=shw_…]): camera + microphone
 * capture, WebCodecs encoding and sending, go live / end, product pins, chat moderation, live stats
 * (this page's own counters, and the show's analytics over all nodes from `analytics.live`).
 * A moderator token opens the same page without the broadcast controls.
 *
 * For tests and debugging the page exposes `window.dropcastStudio` = {client, publisher, state}.
 */
import { connect, Events, Ops, Status, ClientEvents } from './dropcast.js';
import { MediaPublisher, captureCamera, canPublish } from './media.js';
import * as wire from './wire.js';
import { $, el, money, clock, param, toast, errorText, setText } from './ui.js';

const token = param('token');
const state = {
  joined: false,
  showId: param('show'),
  show: { state: 'scheduled' },
  lineup: [],
  pins: [],
  sales: new Map(),
  viewers: { current: 0, peak: 0 },
  reactions: 0,
  moderated: new Map(), // userId → {name, action}
  pinnedComment: null,
};
let client = null;
let stream = null;
let publisher = null;
window.dropcastStudio = { state, get client() { return client; }, get publisher() { return publisher; } };

async function start() {
  if (!token) {
    banner('Open this page with your host link (?token=…); the console and the demo banner print it.', true);
    return;
  }
  try {
    client = await connect({ token });
  } catch (e) {
    banner(errorText(e), true);
    return;
  }
  const me = client.user;
  setText($('who'), `${me?.name ?? ''} · ${me?.role ?? ''}`);
  state.showId = state.showId || me?.show;
  if (!state.showId) {
    banner('This token is not tied to a show; add ?show=<show id> to the link.', true);
    return;
  }
  const isHost = me?.role === 'host';
  $('host-controls').hidden = !isHost;
  for (const e of document.querySelectorAll('.host-only')) e.hidden = !isHost; // broadcast stats
  if (!isHost) overlay('Moderator view', 'You moderate chat and pin products; the host broadcasts.');
  client.on(ClientEvents.STATUS, onStatus);
  client.on(ClientEvents.HELLO, () => publisher?.resync());
  client.on(ClientEvents.SNAPSHOT, ({ snapshot, recovered }) => { if (!recovered) applySnapshot(snapshot); });
  client.on(ClientEvents.ERROR, (e) => toast(errorText(e), 'error'));
  subscribe();
  // Controls work from the start (the camera can warm up while the join is in flight); Go live
  // waits for the snapshot (state.joined).
  setupControls();
  setupChat();
  try {
    await client.join(state.showId);
  } catch (e) {
    banner(`Cannot join the show: ${errorText(e)}`, true);
    return;
  }
}

function onStatus({ status, attempt }) {
  if (status === Status.RECONNECTING) banner(`Reconnecting… (attempt ${attempt ?? 1}) — your stream resumes automatically.`);
  else if (status === Status.OPEN) banner(null);
  else if (status === Status.CLOSED) banner('Disconnected.', true);
}

function banner(text, bad = false) {
  const b = $('conn');
  b.hidden = !text;
  b.classList.toggle('bad', bad);
  if (text) setText(b, text);
}

function overlay(title, text) {
  const o = $('overlay');
  o.hidden = !title;
  if (title) {
    setText($('overlay-title'), title);
    setText($('overlay-text'), text || '');
  }
}

// ---- snapshot and events ----------------------------------------------------------------------

function applySnapshot(raw) {
  state.joined = true;
  const snap = wire.readSnapshot(raw);
  Object.assign(state.show, Object.fromEntries(Object.entries(snap.show).filter(([, v]) => v !== undefined)));
  setText($('show-title'), state.show.title || state.showId);
  $('sponsored').hidden = !state.show.sponsored;
  if (snap.lineup) state.lineup = snap.lineup; // lineup cards: host/moderator snapshots only
  state.pins = snap.pins;
  if (snap.sales) {
    state.sales.clear();
    snap.sales.forEach((s) => state.sales.set(s.id, s));
  }
  state.viewers = snap.viewers;
  state.reactions = snap.reactions.total;
  $('chat-list').replaceChildren();
  snap.chat.forEach(addChat);
  renderPinnedComment(snap.pinnedComment);
  $('slow').value = String(snap.slowSeconds || 0);
  setShowState(state.show.state || 'scheduled');
  renderLineup();
  renderStats();
}

function subscribe() {
  client.on(Events.SHOW_STATE, (d) => {
    const s = wire.readShow(d)?.state;
    if (s) setShowState(s);
  });
  client.on(Events.VIEWERS, (d) => { state.viewers = wire.readViewers(d); renderStats(); });
  client.on(Events.REACTIONS, (d) => { state.reactions = wire.readReactions(d).total; renderStats(); });
  client.on(Events.CHAT_MESSAGE, (d) => addChat(wire.readChatMessage(d)));
  client.on(Events.CHAT_DELETED, (d) => {
    const id = wire.readDeletedId(d);
    if (id) $('chat-list').querySelector(`li[data-id="${CSS.escape(id)}"]`)?.remove();
  });
  client.on(Events.CHAT_PINNED, (d) => renderPinnedComment(wire.readPinnedComment(d)));
  client.on(Events.CHAT_SETTINGS, (d) => { $('slow').value = String(wire.readChatSettings(d).slowSeconds); });
  client.on(Events.USER_MODERATED, (d) => {
    const m = wire.readModeration(d);
    if (!m.userId) return;
    if (/^un/.test(m.action)) state.moderated.delete(m.userId);
    else state.moderated.set(m.userId, { ...(state.moderated.get(m.userId) || {}), action: m.action });
    renderModerated();
  });
  client.on(Events.PINS, (d) => { state.pins = wire.readPins(d); renderLineup(); });
  for (const name of [Events.SALE_SCHEDULED, Events.SALE_STARTED]) {
    client.on(name, (d) => {
      const sale = wire.readSale(d);
      if (sale?.id) state.sales.set(sale.id, { ...(state.sales.get(sale.id) || {}), ...defined(sale), started: name === Events.SALE_STARTED || undefined });
      renderLineup();
      renderStats();
    });
  }
  client.on(Events.SALE_STOCK, (d) => {
    const st = wire.readStock(d);
    patchSale(st.saleId, { remaining: st.remaining, quantity: st.quantity });
  });
  client.on(Events.SALE_SOLD_OUT, (d) => patchSale(wire.readStock(d).saleId, { remaining: 0, soldOut: true }));
  client.on(Events.SALE_ENDED, (d) => {
    const e = wire.readSaleEnded(d);
    patchSale(e.saleId, { ended: true, sold: e.sold, state: e.reason === 'cancelled' ? 'cancelled' : 'ended' });
  });
  client.on(Events.PRODUCT_BOUGHT, (d) => {
    const b = wire.readBought(d);
    const prev = state.sales.get(b.saleId);
    if (prev) patchSale(b.saleId, { sold: Math.max(b.bought, prev.sold ?? 0) }); // coalesced: never go back
  });
  client.on(Events.ANALYTICS_LIVE, (d) => renderAnalytics(wire.readLiveStats(d)));
}

function patchSale(saleId, patch) {
  if (!saleId) return;
  const prev = state.sales.get(saleId) || { id: saleId };
  state.sales.set(saleId, { ...prev, ...defined(patch) });
  renderLineup();
  renderStats();
}

function defined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function setShowState(s) {
  state.show.state = s;
  const badge = $('state-badge');
  badge.className = `badge${s === 'live' ? ' live' : ''}`;
  setText(badge, s === 'live' ? 'LIVE' : s === 'ended' ? 'Ended' : 'Scheduled');
  const isHost = client?.user?.role === 'host';
  $('go-live').disabled = !isHost || !state.joined || s !== 'scheduled' || !stream;
  $('end-show').disabled = !isHost || s !== 'live';
  if (s === 'ended') {
    publisher?.stop();
    publisher = null;
    setText($('publish-note'), 'The show has ended.');
  }
}

// ---- broadcast -------------------------------------------------------------------------------------

function setupControls() {
  if (!canPublish()) {
    setText($('publish-note'), 'This browser cannot encode video (no WebCodecs); use a recent Chrome or Edge.');
    $('camera').disabled = true;
    return;
  }
  $('camera').addEventListener('click', async () => {
    try {
      stream = await captureCamera({ width: 640, height: 360, framerate: 30 });
      $('preview').srcObject = stream;
      overlay(null);
      $('camera').disabled = true;
      setText($('camera'), 'Camera on');
      setShowState(state.show.state);
      if (state.show.state === 'live') await startPublishing(); // rejoined a live show (e.g. page reload)
    } catch (e) {
      toast(`Camera/microphone not available: ${e.message}`, 'error');
    }
  });
  $('go-live').addEventListener('click', async () => {
    $('go-live').disabled = true;
    try {
      await client.request(Ops.SHOW_START, state.showId, {});
      setShowState('live');
      await startPublishing();
    } catch (e) {
      toast(errorText(e), 'error');
      setShowState(state.show.state);
    }
  });
  $('end-show').addEventListener('click', async () => {
    if (!confirm('End the show for everyone?')) return;
    try {
      await client.request(Ops.SHOW_END, state.showId, {});
      setShowState('ended');
    } catch (e) {
      toast(errorText(e), 'error');
    }
  });
}

async function startPublishing() {
  if (publisher || !stream) return;
  publisher = new MediaPublisher(client, stream);
  try {
    await publisher.start();
    setText($('publish-note'), `Broadcasting (${publisher.stats.videoCodec}${publisher.stats.audioCodec ? ' + opus' : ''})`);
  } catch (e) {
    publisher = null;
    toast(`Cannot encode: ${e.message}`, 'error');
  }
}

let lastBytes = 0;
let lastBytesAt = performance.now();
setInterval(() => {
  if (!publisher) return;
  const s = publisher.stats;
  const now = performance.now();
  const kbps = Math.round(((s.bytesSent - lastBytes) * 8) / (now - lastBytesAt));
  lastBytes = s.bytesSent;
  lastBytesAt = now;
  setText($('st-frames'), s.videoFrames);
  setText($('st-kbps'), kbps);
  setText($('st-codec'), (s.videoCodec || '—').split('.')[0]);
  setText($('st-dropped'), s.droppedFrames);
}, 1000);

// ---- lineup & pins ---------------------------------------------------------------------------------

function renderLineup() {
  const pinned = new Set(state.pins.map((p) => p.productId));
  const known = new Map(state.lineup.map((p) => [p.id, p]));
  for (const pin of state.pins) if (pin.product && !known.has(pin.productId)) known.set(pin.productId, pin.product);
  const rows = [...known.values()].map((p) => {
    const sale = [...state.sales.values()].find((s) => s.productId === p.id);
    const isPinned = pinned.has(p.id);
    const button = el('button', {
      type: 'button', className: isPinned ? 'small' : 'small primary', textContent: isPinned ? 'Unpin' : 'Pin',
      'attr:aria-label': `${isPinned ? 'Unpin' : 'Pin'} ${p.title}`, dataset: { pin: p.id },
      onclick: () => togglePin(p.id, isPinned),
    });
    return el('tr', { dataset: { product: p.id } },
      el('td', {}, p.title, isPinned ? el('span', { className: 'badge ok', style: 'margin-left:.4rem' }, 'pinned') : null),
      el('td', { className: 'num' }, money(p.priceMinor, p.currency)),
      el('td', {}, sale ? saleText(sale) : el('span', { className: 'muted' }, '—')),
      el('td', {}, button));
  });
  $('lineup').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'No lineup products in the show snapshot.'))]));
}

function saleText(s) {
  const now = Date.now();
  if (s.ended || (s.endsAt && now >= s.endsAt)) return `ended · ${s.sold ?? '?'} sold`;
  if (s.soldOut || s.remaining === 0) return 'sold out';
  if (!s.started && s.startsAt && now < s.startsAt) return `starts in ${clock(s.startsAt - now)}`;
  return `${s.remaining ?? '?'} of ${s.quantity || '?'} left`;
}

async function togglePin(productId, isPinned) {
  try {
    await client.request(isPinned ? Ops.UNPIN : Ops.PIN, state.showId, isPinned ? wire.write.unpin(productId) : wire.write.pin(productId));
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

setInterval(() => { if (state.sales.size) renderLineup(); }, 1000);

// ---- stats ------------------------------------------------------------------------------------------

function renderStats() {
  setText($('st-viewers'), state.viewers.current);
  setText($('st-peak'), Math.max(state.viewers.peak, state.viewers.current));
  setText($('st-reactions'), state.reactions);
  // sale.stock carries the remaining stock only: units taken = quantity - remaining (held + sold).
  let taken = 0;
  let sold = 0;
  let revenue = 0;
  let currency = 'EUR';
  for (const s of state.sales.values()) {
    const takenHere = s.quantity && typeof s.remaining === 'number' ? Math.max(0, s.quantity - s.remaining) : 0;
    taken += takenHere;
    sold += s.sold || 0;
    revenue += takenHere * (s.priceMinor || 0);
    currency = s.currency || currency;
  }
  setText($('st-taken'), taken);
  setText($('st-sold'), sold);
  setText($('st-revenue'), money(revenue, currency));
}

/** The show's totals over all nodes (`analytics.live`, every few seconds, hosts and moderators only). */
function renderAnalytics(a) {
  const currency = a.currency || [...state.sales.values()].find((s) => s.currency)?.currency || 'EUR';
  setText($('an-viewers'), a.viewers.current);
  setText($('an-peak'), a.viewers.peak);
  setText($('an-unique'), a.viewers.unique);
  setText($('an-chat'), a.chatMessages);
  setText($('an-reactions'), a.reactions);
  setText($('an-shares'), a.shares);
  setText($('an-clicks'), a.clicks);
  setText($('an-orders'), a.orders);
  setText($('an-units'), a.units);
  setText($('an-revenue'), money(a.revenueMinor, currency));
  setText($('an-updated'), `updated ${new Date().toLocaleTimeString()}`);
}

// ---- chat & moderation ----------------------------------------------------------------------------

function addChat(m) {
  if (!m) return;
  const list = $('chat-list');
  if (m.id && list.querySelector(`li[data-id="${CSS.escape(m.id)}"]`)) return;
  const mine = m.userId === client?.user?.userId;
  const staff = m.role === 'host' || m.role === 'moderator';
  const act = (label, title, fn) => el('button', { type: 'button', className: 'small', textContent: label, title,
    'attr:aria-label': `${title} (${m.name})`, onclick: fn });
  const mod = el('span', { className: 'mod' },
    act('Pin', 'Pin comment', () => modRequest(Ops.CHAT_PIN, wire.write.pinComment(m.id))),
    act('Delete', 'Delete message', () => modRequest(Ops.CHAT_DELETE, wire.write.chatDelete(m.id))),
    mine || staff ? null : act('Mute', 'Mute user', () => moderate(Ops.CHAT_MUTE, m, 'muted')),
    mine || staff ? null : act('Ban', 'Ban user', () => moderate(Ops.CHAT_BAN, m, 'banned')));
  list.append(el('li', { dataset: { id: m.id || '', user: m.userId || '' } },
    el('span', { className: `who ${m.role}` }, m.name),
    el('span', { className: 'text' }, m.text),
    mod));
  while (list.children.length > 300) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

async function modRequest(op, data) {
  try {
    await client.request(op, state.showId, data);
    return true;
  } catch (e) {
    toast(errorText(e), 'error');
    return false;
  }
}

async function moderate(op, m, action) {
  const data = op === Ops.CHAT_MUTE ? wire.write.mute(m.userId) : wire.write.ban(m.userId);
  if (await modRequest(op, data)) {
    state.moderated.set(m.userId, { name: m.name, action });
    renderModerated();
    toast(`${m.name} ${action}.`, 'ok');
  }
}

function renderModerated() {
  const items = [...state.moderated.entries()].map(([userId, v]) => {
    const undoOp = /ban/.test(v.action) ? Ops.CHAT_UNBAN : Ops.CHAT_UNMUTE;
    return el('li', { className: 'row' },
      el('span', {}, `${v.name || userId} — ${v.action}`),
      el('button', { type: 'button', className: 'small', textContent: /ban/.test(v.action) ? 'Unban' : 'Unmute',
        onclick: async () => {
          const data = undoOp === Ops.CHAT_UNBAN ? wire.write.unban(userId) : wire.write.unmute(userId);
          if (await modRequest(undoOp, data)) { state.moderated.delete(userId); renderModerated(); }
        } }));
  });
  $('moderated').replaceChildren(...items);
}

function renderPinnedComment(m) {
  state.pinnedComment = m;
  const box = $('chat-pinned');
  box.hidden = !m;
  $('unpin-comment').hidden = !m;
  if (m) box.replaceChildren(el('strong', {}, 'Pinned · ', m.name, ': '), m.text);
}

function setupChat() {
  $('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text) return;
    try {
      await client.request(Ops.CHAT_SEND, state.showId, wire.write.chatSend(text));
      input.value = '';
      setText($('chat-note'), '');
    } catch (err) {
      setText($('chat-note'), errorText(err));
    }
  });
  $('slow').addEventListener('change', async () => {
    const seconds = Number($('slow').value);
    if (await modRequest(Ops.CHAT_SLOW, wire.write.slow(seconds))) {
      toast(seconds ? `Slow mode: ${seconds} s` : 'Slow mode off', 'ok');
    }
  });
  $('unpin-comment').addEventListener('click', () => modRequest(Ops.CHAT_UNPIN, {}));
}

start();
