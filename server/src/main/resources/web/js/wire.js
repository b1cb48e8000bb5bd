/**
 * Every payload field the pages read from or write to the server, in one place.
 *
 * The envelope (hello/reply/event, op and event names) is fixed in dropcast.js; the fields *inside*
 * `data` are owned by the live-show and flash-sale features. The readers below accept the likely
 * spellings (first match wins) and normalise them into the small shapes the pages use, so a change
 * of a field name on the server is a one-line change here and nowhere else.
 *
 * Normalised shapes (all times are epoch milliseconds, money in minor units):
 *   Show        {id, title, state, sponsored, guestsAllowed, scheduledStart, startedAt, hostUserId, lineup[]}
 *   Product     {id, sku, title, description, imageUrl, priceMinor, currency}
 *   Pin         {productId, product: Product|null, mediaTimestamp (µs, 0 = unknown), pinnedAt, saleId}
 *   ChatMessage {id, userId, name, role, text, at}
 *   Viewers     {current, peak}
 *   Sale        {id, productId, showId, priceMinor, currency, quantity, remaining, held, sold, expired,
 *                startsAt, endsAt, perBuyerLimit, holdSeconds, state}
 *   Reservation {id, saleId, quantity, expiresAt, status, orderId}
 */

/** @return the first of `keys` present (not undefined/null) on obj, else undefined */
export function pick(obj, ...keys) {
  if (obj == null || typeof obj !== 'object') return undefined;
  for (const k of keys) {
    if (obj[k] !== undefined && obj[k] !== null) return obj[k];
  }
  return undefined;
}

/** @return epoch ms from an ISO string, epoch ms or epoch seconds; undefined when absent */
export function toMillis(v) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v; // seconds → ms
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function arr(v) {
  if (Array.isArray(v)) return v;
  if (v && Array.isArray(v.items)) return v.items;
  return [];
}

function int(v, dflt) {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : dflt;
}

// ---- readers --------------------------------------------------------------------------------

export function readProduct(p) {
  if (!p || typeof p !== 'object') return null;
  return {
    id: pick(p, 'id', 'productId'),
    sku: pick(p, 'sku'),
    title: pick(p, 'title', 'name') ?? '',
    description: pick(p, 'description') ?? '',
    imageUrl: pick(p, 'imageUrl', 'image', 'imageURL'),
    priceMinor: int(pick(p, 'priceMinor', 'price', 'priceCents'), 0),
    currency: pick(p, 'currency') ?? 'EUR',
  };
}

export function readShow(s) {
  if (!s || typeof s !== 'object') return null;
  return {
    id: pick(s, 'id', 'showId'),
    title: pick(s, 'title') ?? '',
    state: pick(s, 'state', 'status') ?? 'scheduled',
    sponsored: pick(s, 'sponsored', 'paidPartnership') === true,
    guestsAllowed: pick(s, 'guestsAllowed') === true,
    scheduledStart: toMillis(pick(s, 'scheduledStart', 'startsAt')),
    startedAt: toMillis(pick(s, 'startedAt')),
    hostUserId: pick(s, 'hostUserId', 'host'),
    lineup: arr(pick(s, 'lineup', 'products')).map((x) => (typeof x === 'string' ? x : pick(x, 'id', 'productId'))),
  };
}

export function readPin(p) {
  if (!p || typeof p !== 'object') return null;
  const product = readProduct(pick(p, 'product', 'card')) || (pick(p, 'title') ? readProduct(p) : null);
  return {
    productId: pick(p, 'productId') ?? product?.id ?? pick(p, 'id'),
    product,
    mediaTimestamp: int(pick(p, 'mediaTimestamp', 'mediaTimestampMicros', 'timestampMicros', 'mediaTs', 'timestamp'), 0),
    pinnedAt: toMillis(pick(p, 'pinnedAt', 'at')),
    saleId: pick(p, 'saleId') ?? pick(pick(p, 'sale') || {}, 'id'),
  };
}

/** @return the pins of a `product.pins` event or a snapshot */
export function readPins(d) {
  const list = Array.isArray(d) ? d : arr(pick(d, 'pins', 'products', 'items'));
  return list.map(readPin).filter((p) => p && p.productId);
}

export function readChatMessage(m) {
  if (!m || typeof m !== 'object') return null;
  const msg = pick(m, 'message');
  if (msg && typeof msg === 'object') return readChatMessage(msg);
  return {
    id: pick(m, 'id', 'messageId'),
    userId: pick(m, 'userId', 'user'),
    name: pick(m, 'name', 'userName', 'displayName') ?? pick(m, 'userId') ?? '',
    role: pick(m, 'role') ?? 'viewer',
    text: pick(m, 'text', 'body') ?? '',
    at: toMillis(pick(m, 'at', 'sentAt', 'time')),
  };
}

/** @return the id of the message named by a `chat.deleted` event */
export function readDeletedId(d) {
  return typeof d === 'string' ? d : pick(d, 'id', 'messageId');
}

/** @return the pinned comment of a `chat.pinned` event (null when unpinned) */
export function readPinnedComment(d) {
  if (!d) return null;
  const m = pick(d, 'message', 'comment');
  if (m === undefined && d && 'message' in d) return null;
  return readChatMessage(m ?? d);
}

export function readViewers(d) {
  if (typeof d === 'number') return { current: d, peak: d };
  return { current: int(pick(d, 'current', 'count', 'viewers', 'now'), 0), peak: int(pick(d, 'peak', 'max'), 0) };
}

/** @return reaction totals as {kind: count} and their sum */
export function readReactions(d) {
  const totals = pick(d, 'totals', 'counts', 'reactions') ?? (d && typeof d === 'object' ? d : {});
  const out = {};
  let sum = 0;
  for (const [k, v] of Object.entries(totals || {})) {
    if (typeof v === 'number') {
      out[k] = v;
      sum += v;
    }
  }
  return { totals: out, total: int(pick(d, 'total'), sum) };
}

export function readChatSettings(d) {
  return {
    slowSeconds: int(pick(d, 'slowSeconds', 'slowModeSeconds', 'slow', 'intervalSeconds', 'seconds'), 0),
  };
}

export function readModeration(d) {
  return {
    userId: pick(d, 'userId', 'user'),
    action: pick(d, 'action', 'type') ?? '',
    until: toMillis(pick(d, 'until', 'expiresAt')),
  };
}

export function readSale(s) {
  if (!s || typeof s !== 'object') return null;
  const inner = pick(s, 'sale');
  if (inner && typeof inner === 'object') {
    const sale = readSale(inner);
    const remaining = int(pick(s, 'remaining', 'available'), undefined);
    if (remaining !== undefined) sale.remaining = remaining;
    return sale;
  }
  const counters = pick(s, 'counters', 'stock') || s;
  return {
    id: pick(s, 'id', 'saleId'),
    productId: pick(s, 'productId', 'product'),
    showId: pick(s, 'showId', 'show'),
    priceMinor: int(pick(s, 'salePriceMinor', 'priceMinor', 'price'), 0),
    currency: pick(s, 'currency') ?? 'EUR',
    quantity: int(pick(s, 'quantity', 'allotted', 'quantityAllotted'), 0),
    remaining: int(pick(counters, 'remaining', 'available'), undefined),
    held: int(pick(counters, 'held'), undefined),
    sold: int(pick(counters, 'sold'), undefined),
    expired: int(pick(counters, 'expired'), undefined),
    startsAt: toMillis(pick(s, 'startsAt', 'startAt', 'opensAt')),
    endsAt: toMillis(pick(s, 'endsAt', 'endAt', 'closesAt')),
    perBuyerLimit: int(pick(s, 'perBuyerLimit', 'limitPerBuyer', 'maxPerBuyer'), 0),
    holdSeconds: int(pick(s, 'holdSeconds', 'holdTimeSeconds', 'hold'), 0),
    state: pick(s, 'state', 'status') ?? '',
  };
}

/** @return the sales of a snapshot (empty when the snapshot has none) */
export function readSales(d) {
  return arr(pick(d, 'sales')).map(readSale).filter(Boolean);
}

/** @return {saleId, remaining} of a `sale.stock` / `sale.sold_out` event */
export function readStock(d) {
  return {
    saleId: pick(d, 'saleId', 'id') ?? pick(pick(d, 'sale') || {}, 'id'),
    remaining: int(pick(d, 'remaining', 'available', 'stock'), undefined),
  };
}

export function readReservation(r) {
  if (!r || typeof r !== 'object') return null;
  const inner = pick(r, 'reservation');
  if (inner && typeof inner === 'object') return readReservation(inner);
  return {
    id: pick(r, 'id', 'reservationId'),
    saleId: pick(r, 'saleId', 'sale'),
    quantity: int(pick(r, 'quantity'), 1),
    expiresAt: toMillis(pick(r, 'expiresAt', 'holdUntil', 'expires')),
    status: pick(r, 'status', 'state') ?? 'held',
    orderId: pick(r, 'orderId') ?? pick(pick(r, 'order') || {}, 'id'),
  };
}

export function readOrder(o) {
  if (!o || typeof o !== 'object') return null;
  const inner = pick(o, 'order');
  if (inner && typeof inner === 'object') return readOrder(inner);
  return {
    id: pick(o, 'id', 'orderId'),
    saleId: pick(o, 'saleId'),
    productId: pick(o, 'productId'),
    showId: pick(o, 'showId', 'show'),
    userId: pick(o, 'userId', 'buyer', 'buyerId'),
    quantity: int(pick(o, 'quantity'), 1),
    totalMinor: int(pick(o, 'totalMinor', 'amountMinor', 'total'), undefined),
    priceMinor: int(pick(o, 'priceMinor', 'unitPriceMinor', 'salePriceMinor'), undefined),
    currency: pick(o, 'currency') ?? 'EUR',
    createdAt: toMillis(pick(o, 'createdAt', 'confirmedAt', 'at')),
    status: pick(o, 'status', 'state') ?? 'confirmed',
  };
}

/** Normalises a join reply (snapshot). Missing parts are empty, never undefined. */
export function readSnapshot(d) {
  const s = pick(d, 'snapshot') ?? d ?? {};
  const show = readShow(pick(s, 'show') ?? s) ?? {};
  const state = pick(s, 'state', 'showState');
  if (typeof state === 'string') show.state = state;
  const sponsored = pick(s, 'sponsored');
  if (typeof sponsored === 'boolean') show.sponsored = sponsored;
  const chat = arr(pick(s, 'chat', 'recentChat', 'messages', 'history'))
    .map(readChatMessage).filter(Boolean);
  const chatSettings = pick(s, 'chatSettings', 'settings');
  return {
    show,
    pins: readPins(pick(s, 'pins', 'pinned', 'pinnedProducts') ?? []),
    chat,
    pinnedComment: pick(s, 'pinnedComment', 'pinnedMessage') ? readChatMessage(pick(s, 'pinnedComment', 'pinnedMessage')) : null,
    viewers: readViewers(pick(s, 'viewers') ?? { current: pick(s, 'viewerCount'), peak: pick(s, 'peakViewers') }),
    reactions: readReactions(pick(s, 'reactions') ?? {}),
    sales: readSales(s),
    slowSeconds: chatSettings ? readChatSettings(chatSettings).slowSeconds : int(pick(s, 'slowSeconds'), 0),
  };
}

/**
 * @return the show's lineup as Products (for the studio's pin buttons); ids without product data
 *     become {id, title: id}
 */
export function readLineup(d) {
  const s = pick(d, 'snapshot') ?? d ?? {};
  const show = pick(s, 'show') ?? {};
  const list = arr(pick(s, 'lineup', 'products', 'lineupProducts') ?? pick(show, 'lineupProducts', 'lineup', 'products'));
  return list.map((x) => (typeof x === 'string' ? { id: x, title: x, priceMinor: undefined, currency: 'EUR' } : readProduct(x)))
    .filter((p) => p && p.id);
}

// ---- writers (request data) -----------------------------------------------------------------

export const write = Object.freeze({
  chatSend: (text) => ({ text }),
  chatDelete: (messageId) => ({ messageId }),
  mute: (userId) => ({ userId }),
  unmute: (userId) => ({ userId }),
  ban: (userId) => ({ userId }),
  unban: (userId) => ({ userId }),
  slow: (seconds) => ({ seconds }),
  filter: (words) => ({ words }),
  pinComment: (messageId) => ({ messageId }),
  react: (kind) => ({ kind }),
  pin: (productId) => ({ productId }),
  unpin: (productId) => ({ productId }),
  reserve: (saleId, quantity, idempotencyKey) => ({ saleId, quantity, idempotencyKey }),
  waitlist: (saleId) => ({ saleId }),
  confirm: (reservationId) => ({ reservationId }),
  release: (reservationId) => ({ reservationId }),
});

// ---- REST bodies (brand console) ------------------------------------------------------------

export const rest = Object.freeze({
  /** POST/PATCH /api/v1/products */
  product: (f) => ({ sku: f.sku, title: f.title, description: f.description ?? '', imageUrl: f.imageUrl || undefined,
    priceMinor: f.priceMinor, currency: f.currency }),
  /** POST /api/v1/shows */
  show: (f) => ({ title: f.title, scheduledStart: f.scheduledStart, hostUserId: f.hostUserId, lineup: f.lineup,
    sponsored: !!f.sponsored, guestsAllowed: !!f.guestsAllowed }),
  /** POST /api/v1/tokens */
  token: (f) => ({ role: f.role, show: f.show || undefined, userId: f.userId, name: f.name,
    ttlSeconds: f.ttlSeconds || undefined }),
  /** POST/PATCH /api/v1/sales */
  sale: (f) => ({ productId: f.productId, showId: f.showId || undefined, salePriceMinor: f.priceMinor,
    quantity: f.quantity, startsAt: f.startsAt, endsAt: f.endsAt, perBuyerLimit: f.perBuyerLimit,
    holdSeconds: f.holdSeconds }),
});
