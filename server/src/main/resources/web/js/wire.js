/**
 * Every payload field the pages read from or write to the server, in one place.
 *
 * The envelope (hello/reply/event, op and event names) is fixed in dropcast.js; the fields *inside*
 * `data` are those of docs/protocol-live.md, docs/protocol-sales.md, docs/rest-api.md and
 * docs/sales-api.md. The readers below turn them into the small shapes the pages use, so a change of
 * a field name on the server is a one-line change here and nowhere else.
 *
 * Normalised shapes (all times are epoch milliseconds, money in minor units):
 *   Show        {id, title, state, sponsored, guestsAllowed, scheduledStart, startedAt, hostUserId, lineup[]}
 *   Product     {id, sku, title, description, imageUrl, priceMinor, currency}
 *   Pin         {productId, product: Product, mediaTimestamp (µs, 0 = before any media), pinnedAt}
 *   ChatMessage {id, userId, name, role, text, at}
 *   Viewers     {current, peak}
 *   Sale        {id, productId, showId, priceMinor, currency, quantity, remaining, held, sold, expired,
 *                startsAt, endsAt, perBuyerLimit, holdSeconds, state}   (fields an event lacks are undefined)
 *   Reservation {id, saleId, quantity, expiresAt, status, orderId}
 *   Order       {id, saleId, productId, showId, userId, quantity, totalMinor, priceMinor, currency, createdAt}
 *   Bought      {productId, saleId, bought}                       ("N bought" on a product card)
 *   Purchase    {productId, title, quantity, buyer}               (the ticker; buyer null = "someone")
 *   LiveStats   {viewers: {current, peak, unique}, chatMessages, reactions, shares, clicks, orders, units,
 *                revenueMinor, currency}                          (analytics.live, hosts and moderators)
 */

/** @return the first of `keys` present (not undefined/null) on obj, else undefined */
export function pick(obj, ...keys) {
  if (obj == null || typeof obj !== 'object') return undefined;
  for (const k of keys) {
    if (obj[k] !== undefined && obj[k] !== null) return obj[k];
  }
  return undefined;
}

/** @return epoch ms from an ISO-8601 string or epoch ms; undefined when absent or invalid */
export function toMillis(v) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function int(v, dflt) {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function list(v) {
  return Array.isArray(v) ? v : [];
}

// ---- live show (socket) ---------------------------------------------------------------------

/** A REST product, or a pin / lineup card ({productId, title, priceMinor, currency, imageUrl}). */
export function readProduct(p) {
  if (!p || typeof p !== 'object') return null;
  return {
    id: p.id ?? p.productId,
    sku: p.sku,
    title: p.title ?? '',
    description: p.description ?? '',
    imageUrl: p.imageUrl ?? undefined,
    priceMinor: int(p.priceMinor, undefined),
    currency: p.currency ?? 'EUR',
  };
}

/** The `show` object of a snapshot / `show.state` event / `show.start` reply, or a REST show. */
export function readShow(s) {
  if (!s || typeof s !== 'object') return null;
  return {
    id: s.id,
    title: s.title ?? '',
    state: s.state ?? 'scheduled',
    sponsored: s.sponsored === true,
    guestsAllowed: s.guestsAllowed === true,
    scheduledStart: toMillis(s.scheduledStart),
    startedAt: toMillis(s.startedAt),
    hostUserId: s.hostUserId,   // REST only
    lineup: list(s.lineup),
  };
}

/** A pinned product card. */
export function readPin(p) {
  if (!p || typeof p !== 'object') return null;
  return {
    productId: p.productId,
    product: readProduct(p),
    mediaTimestamp: int(p.mediaTimestamp, 0),
    pinnedAt: toMillis(p.pinnedAt),
  };
}

/** @return the pins of a `product.pins` event or a `product.pin`/`unpin` reply */
export function readPins(d) {
  return list(d?.pins).map(readPin).filter((p) => p && p.productId);
}

export function readChatMessage(m) {
  if (!m || typeof m !== 'object') return null;
  return { id: m.id, userId: m.userId, name: m.name ?? m.userId ?? '', role: m.role ?? 'viewer', text: m.text ?? '',
    at: toMillis(m.at) };
}

/** @return the id of the message named by a `chat.deleted` event */
export function readDeletedId(d) {
  return d?.messageId;
}

/** @return the pinned comment of a `chat.pinned` event (null when unpinned) */
export function readPinnedComment(d) {
  return readChatMessage(d?.message);
}

export function readViewers(d) {
  return { current: int(d?.current, 0), peak: int(d?.peak, 0) };
}

/** @return reaction totals ({kind: count}, the event data itself) and their sum */
export function readReactions(d) {
  const totals = {};
  let total = 0;
  for (const [k, v] of Object.entries(d || {})) {
    if (typeof v === 'number') {
      totals[k] = v;
      total += v;
    }
  }
  return { totals, total };
}

/** `chat.settings` event / `chat.slow` reply */
export function readChatSettings(d) {
  return { slowSeconds: int(d?.slowModeSeconds, 0), filterActive: d?.filterActive === true };
}

/** `user.moderated` event: action is muted | unmuted | banned | unbanned */
export function readModeration(d) {
  return { userId: d?.userId, action: d?.action ?? '', by: d?.by };
}

/** The `stats` object of a snapshot or a `show.stats` reply. */
export function readStats(d) {
  return {
    viewers: int(d?.viewers, 0), peakViewers: int(d?.peakViewers, 0),
    mediaFramesReceived: int(d?.mediaFramesReceived, 0), mediaFramesDropped: int(d?.mediaFramesDropped, 0),
  };
}

/**
 * Normalises a fresh join snapshot. `sales` and `lineup` are null when the reply does not carry
 * them (a fallback snapshot after a `lastSeq` join): keep what you had then.
 */
export function readSnapshot(d) {
  const chat = d?.chat || {};
  return {
    seq: int(d?.seq, 0),
    show: readShow(d?.show) ?? {},
    you: d?.you ?? null,
    pins: readPins(d),
    chat: list(chat.messages).map(readChatMessage).filter(Boolean),
    pinnedComment: readChatMessage(chat.pinned),
    slowSeconds: int(chat.slowModeSeconds, 0),
    viewers: readViewers(d?.viewers),
    reactions: readReactions(d?.reactions),
    stats: readStats(d?.stats),
    sales: Array.isArray(d?.sales) ? d.sales.map(readSale).filter(Boolean) : null,
    lineup: Array.isArray(d?.lineupProducts) ? d.lineupProducts.map(readProduct).filter((p) => p && p.id) : null,
  };
}

// ---- flash sales (socket events and REST views) ------------------------------------------------

/**
 * A sale: the REST view / snapshot entry (with counters), or a `sale.scheduled` event
 * (`{sale:{…}}`), or a `sale.started` event (`{sale:"sal_…", productId, endsAt, remaining}`).
 */
export function readSale(s) {
  if (!s || typeof s !== 'object') return null;
  if (s.sale && typeof s.sale === 'object') return readSale(s.sale);
  if (typeof s.sale === 'string') {  // sale.started
    return { id: s.sale, productId: s.productId, endsAt: toMillis(s.endsAt), remaining: int(s.remaining, undefined),
      state: 'live' };
  }
  return {
    id: s.id,
    productId: s.productId,
    showId: s.showId ?? undefined,
    priceMinor: int(s.priceMinor, undefined),
    currency: s.currency ?? undefined,
    quantity: int(s.quantity, undefined),
    remaining: int(s.remaining, undefined),
    held: int(s.held, undefined),
    sold: int(s.sold, undefined),
    expired: int(s.expired, undefined),
    startsAt: toMillis(s.startsAt),
    endsAt: toMillis(s.endsAt),
    perBuyerLimit: int(s.perBuyerLimit, undefined),
    holdSeconds: int(s.holdSeconds, undefined),
    state: s.state ?? undefined,
  };
}

/** @return {saleId, remaining, quantity} of a `sale.stock` / `sale.sold_out` event */
export function readStock(d) {
  return { saleId: d?.sale, remaining: int(d?.remaining, undefined), quantity: int(d?.quantity, undefined) };
}

/** @return {saleId, reason: 'ended'|'cancelled', sold} of a `sale.ended` event */
export function readSaleEnded(d) {
  return { saleId: d?.sale, reason: d?.reason ?? 'ended', sold: int(d?.sold, undefined) };
}

/** A `sale.reserve` / `reservation.release` reply, a `reservation` event, or a REST reservation. */
export function readReservation(r) {
  if (!r || typeof r !== 'object') return null;
  return {
    id: r.reservation,
    saleId: r.sale,
    quantity: int(r.quantity, 1),
    expiresAt: toMillis(r.expiresAt),
    status: r.state ?? 'held',   // held | confirmed | released | expired
    orderId: r.orderId,
    offer: r.offer === true,
  };
}

/** An order, or a `reservation.confirm` reply (`{order:{…}}`). */
export function readOrder(o) {
  if (!o || typeof o !== 'object') return null;
  if (o.order && typeof o.order === 'object') return readOrder(o.order);
  return {
    id: o.id,
    saleId: o.saleId,
    productId: o.productId,
    showId: o.showId,
    userId: o.buyerId,
    quantity: int(o.quantity, 1),
    totalMinor: int(o.totalMinor, undefined),
    priceMinor: int(o.unitPriceMinor, undefined),
    currency: o.currency ?? 'EUR',
    createdAt: toMillis(o.createdAt),
  };
}

// ---- analytics and social proof (socket events) ---------------------------------------------

/** `product.bought`: the units sold so far in one sale (coalesced). */
export function readBought(d) {
  return { productId: d?.productId, saleId: d?.sale, bought: int(d?.bought, 0) };
}

/** `purchase`: the ticker line (coalesced); `buyer` is a display name (user input: set as text only) or null. */
export function readPurchase(d) {
  return {
    productId: d?.productId,
    title: typeof d?.title === 'string' ? d.title : null,
    quantity: int(d?.quantity, 1),
    buyer: typeof d?.buyer === 'string' && d.buyer ? d.buyer : null,
  };
}

/** `analytics.live`: the show's totals over all nodes as of the last flush. */
export function readLiveStats(d) {
  const v = d?.viewers || {};
  return {
    viewers: { current: int(v.current, 0), peak: int(v.peak, 0), unique: int(v.unique, 0) },
    chatMessages: int(d?.chatMessages, 0),
    reactions: int(d?.reactions, 0),
    shares: int(d?.shares, 0),
    clicks: int(d?.clicks, 0),
    orders: int(d?.orders, 0),
    units: int(d?.units, 0),
    revenueMinor: int(d?.revenueMinor, 0),
    currency: d?.currency ?? null,
  };
}

// ---- REST lists and objects (brand console) -------------------------------------------------

/** List bodies: products and shows are `{items}`, sales `{sales}`, orders `{orders}`, deliveries `{deliveries}`. */
export const lists = Object.freeze({
  products: (b) => list(b?.items),
  shows: (b) => list(b?.items),
  sales: (b) => list(b?.sales),
  orders: (b) => list(b?.orders),
  deliveries: (b) => list(b?.deliveries),
});

/** `GET /sales/{id}/audit` */
export function readAudit(a) {
  return { allotted: a?.allotted, available: a?.available, held: a?.held, sold: a?.sold, expired: a?.expired,
    consistent: a?.consistent };
}

/**
 * `GET /shows/{id}/analytics` (docs/analytics.md): the summary fields the console shows, and the
 * per-product rows. Ratios are null when their denominator is 0.
 */
export function readShowAnalytics(a) {
  const n = (v) => (typeof v === 'number' ? v : null);
  return {
    showId: a?.showId, title: a?.title ?? '', final: a?.final === true, currency: a?.currency ?? null,
    currentViewers: n(a?.currentViewers), peakViewers: n(a?.peakViewers), uniqueViewers: n(a?.uniqueViewers),
    avgWatchTimeMs: n(a?.avgWatchTimeMs), chatMessages: n(a?.chatMessages), reactions: n(a?.reactions),
    shares: n(a?.shares), impressions: n(a?.impressions), clicks: n(a?.clicks), ctr: n(a?.ctr),
    orders: n(a?.orders), units: n(a?.units), revenueMinor: n(a?.revenueMinor), conversionRate: n(a?.conversionRate),
    aovMinor: n(a?.aovMinor), hostRoi: n(a?.hostRoi),
    products: list(a?.products).map((p) => ({ productId: p?.productId, impressions: n(p?.impressions),
      clicks: n(p?.clicks), ctr: n(p?.ctr), orders: n(p?.orders), units: n(p?.units), revenueMinor: n(p?.revenueMinor) })),
  };
}

/** One webhook delivery attempt. */
export function readDelivery(d) {
  return { at: toMillis(d?.at), type: d?.type ?? '', attempt: d?.attempt, status: d?.status, ok: d?.ok === true,
    error: d?.error };
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
  reserve: (saleId, quantity, idempotencyKey) => ({ sale: saleId, quantity, idempotencyKey }),
  waitlist: (saleId) => ({ sale: saleId }),
  /** `showName: true` lets the show's purchase ticker name the buyer (default: "someone"). */
  confirm: (reservationId, showName = false) => ({ reservation: reservationId, showName: showName === true }),
  release: (reservationId) => ({ reservation: reservationId }),
  share: (channel) => (channel ? { channel } : {}),
  click: (productId) => ({ productId }),
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
  sale: (f) => ({ productId: f.productId, showId: f.showId || undefined, priceMinor: f.priceMinor,
    quantity: f.quantity, startsAt: f.startsAt, endsAt: f.endsAt, perBuyerLimit: f.perBuyerLimit,
    holdSeconds: f.holdSeconds }),
});
