/**
 * Dropcast browser client: one WebSocket per client that multiplexes requests/replies, show events
 * and binary media frames. Plain ES module, no dependencies; embed it with
 *
 *   import { connect } from 'https://your-dropcast-host/js/dropcast.js';
 *   const dc = await connect({ token });          // url defaults to this page's host + /ws
 *   const snapshot = await dc.join('shw_…');
 *   dc.on('chat.message', (data, ev) => …);
 *   await dc.request('chat.send', 'shw_…', { text: 'hi' });
 *
 * What it assumes: the envelope of docs/protocol.md (hello, reply, event with a per-show `seq`), the
 * 16-byte media header of MediaFrame.java. Everything runs on the page's main thread; listeners are
 * called synchronously in arrival order, and an exception in one listener never stops the others.
 *
 * Reconnect and recovery: when the socket drops (not closed by us, not for a bad token or a ban) the
 * client reconnects with exponential backoff and jitter, re-authenticates with the same token, and
 * rejoins every show it had joined with the last seq it saw, so the server can replay what was
 * missed (or answer with a fresh snapshot). A jump in `seq` (a gap) triggers the same rejoin.
 */

/** Operation names (mirror of protocol/.../message/Ops.java). */
export const Ops = Object.freeze({
  AUTH: 'auth', PING: 'ping', JOIN: 'join', LEAVE: 'leave',
  SHOW_START: 'show.start', SHOW_END: 'show.end',
  CHAT_SEND: 'chat.send', CHAT_DELETE: 'chat.delete', CHAT_MUTE: 'chat.mute', CHAT_UNMUTE: 'chat.unmute',
  CHAT_BAN: 'chat.ban', CHAT_UNBAN: 'chat.unban', CHAT_SLOW: 'chat.slow', CHAT_FILTER: 'chat.filter',
  CHAT_PIN: 'chat.pin', CHAT_UNPIN: 'chat.unpin',
  REACT: 'react', PIN: 'product.pin', UNPIN: 'product.unpin',
  SALE_RESERVE: 'sale.reserve', SALE_WAITLIST: 'sale.waitlist',
  RESERVATION_CONFIRM: 'reservation.confirm', RESERVATION_RELEASE: 'reservation.release',
  // Analytics ops (registered by the server's AnalyticsService; docs/protocol-live.md).
  SHARE: 'share', CLICK: 'click',
});

/** Server event names (mirror of protocol/.../message/Events.java). */
export const Events = Object.freeze({
  SHOW_STATE: 'show.state', VIEWERS: 'viewers',
  CHAT_MESSAGE: 'chat.message', CHAT_DELETED: 'chat.deleted', CHAT_PINNED: 'chat.pinned',
  CHAT_SETTINGS: 'chat.settings', USER_MODERATED: 'user.moderated',
  REACTIONS: 'reactions', PINS: 'product.pins',
  SALE_SCHEDULED: 'sale.scheduled', SALE_STARTED: 'sale.started', SALE_STOCK: 'sale.stock',
  SALE_SOLD_OUT: 'sale.sold_out', SALE_ENDED: 'sale.ended', RESERVATION: 'reservation',
  // Analytics and social proof (published by the server's AnalyticsService; docs/protocol-live.md).
  ANALYTICS_LIVE: 'analytics.live', PRODUCT_BOUGHT: 'product.bought', PURCHASE: 'purchase',
});

/**
 * Events the client itself emits (subscribe with `on` like server events):
 * - `hello` (hello message) after every (re)connect,
 * - `status` ({status, attempt?, delayMs?}) on every connection state change,
 * - `snapshot` ({show, snapshot, recovered}) after every successful join or rejoin,
 * - `gap` ({show, expected, got}) when a seq jump was seen (a rejoin follows),
 * - `error` (DropcastError) for errors not tied to a request (e.g. a refused media frame),
 * - `*` (data, event) for every show event.
 */
export const ClientEvents = Object.freeze({
  HELLO: 'hello', STATUS: 'status', SNAPSHOT: 'snapshot', GAP: 'gap', ERROR: 'error', ANY: '*',
});

/** Connection states reported by the `status` event and `client.status`. */
export const Status = Object.freeze({
  CONNECTING: 'connecting', OPEN: 'open', RECONNECTING: 'reconnecting', CLOSED: 'closed',
});

/** Close codes (mirror of Protocol.java). */
export const CloseCodes = Object.freeze({
  GOING_AWAY: 1001, POLICY: 1008, TOO_BIG: 1009, UNAUTHORIZED: 4401, BANNED: 4403, TOO_SLOW: 4408,
});

/** Media frame constants (mirror of MediaFrame.java). */
export const MEDIA_VERSION = 1;
export const MEDIA_HEADER_SIZE = 16;
export const MediaKind = Object.freeze({ CONFIG: 0, KEY: 1, DELTA: 2 });
export const TrackType = Object.freeze({ VIDEO: 0, AUDIO: 1 });

/**
 * Which fields of the join reply the client reads (docs/protocol-live.md): `seq`, the show's seq
 * when the snapshot was taken (or the current seq of a recovery), and `recovered: true` for a
 * recovery, whose missed events follow the reply as ordinary `event` messages.
 */
export const JoinReply = Object.freeze({
  /** @return the show's current seq in a join reply, or undefined */
  seq: (r) => num(r?.seq),
  /** @return true when the reply is a recovery (missed events follow) rather than a fresh snapshot */
  recovered: (r) => r?.recovered === true,
});

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** An error answered by the server (`code` is an ErrorCode name) or raised by the client. */
export class DropcastError extends Error {
  /**
   * @param {string} code stable code: a server ErrorCode name, or DISCONNECTED / TIMEOUT / CLOSED
   * @param {string} message human-readable text
   */
  constructor(code, message) {
    super(message || code);
    this.name = 'DropcastError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Media frame header (16 bytes, big-endian)
// ---------------------------------------------------------------------------------------------

/**
 * Packs a media frame.
 *
 * @param {{kind:number, trackId:number, trackType:number, timestamp:number|bigint, duration?:number,
 *          payload:ArrayBuffer|ArrayBufferView}} f timestamp and duration in microseconds
 * @return {Uint8Array} header + payload
 */
export function packMediaFrame(f) {
  const payload = toBytes(f.payload ?? new Uint8Array(0));
  if (!(f.kind >= 0 && f.kind <= 2)) throw new RangeError('kind must be 0, 1 or 2');
  if (!(f.trackId >= 0 && f.trackId <= 255)) throw new RangeError('trackId must be 0..255');
  if (!(f.trackType === 0 || f.trackType === 1)) throw new RangeError('trackType must be 0 or 1');
  const ts = typeof f.timestamp === 'bigint' ? f.timestamp : BigInt(Math.round(f.timestamp ?? 0));
  if (ts < 0n) throw new RangeError('timestamp must not be negative');
  const duration = Math.round(f.duration ?? 0);
  if (!(duration >= 0 && duration <= 0xffffffff)) throw new RangeError('duration must fit in uint32');
  const out = new Uint8Array(MEDIA_HEADER_SIZE + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, MEDIA_VERSION);
  view.setUint8(1, f.kind);
  view.setUint8(2, f.trackId);
  view.setUint8(3, f.trackType);
  view.setBigInt64(4, ts, false);
  view.setUint32(12, duration, false);
  out.set(payload, MEDIA_HEADER_SIZE);
  return out;
}

/**
 * Unpacks a media frame without copying the payload.
 *
 * @param {ArrayBuffer|ArrayBufferView} data one binary WebSocket message
 * @return {{version:number, kind:number, trackId:number, trackType:number, timestamp:number,
 *           duration:number, payload:Uint8Array}} timestamp as a Number of microseconds (exact up to 2^53)
 * @throws {DropcastError} BAD_REQUEST when shorter than the header or a field is invalid
 */
export function unpackMediaFrame(data) {
  const bytes = toBytes(data);
  if (bytes.byteLength < MEDIA_HEADER_SIZE) {
    throw new DropcastError('BAD_REQUEST', `media frame is ${bytes.byteLength} bytes, shorter than the header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  const kind = view.getUint8(1);
  const trackType = view.getUint8(3);
  if (version !== MEDIA_VERSION) throw new DropcastError('BAD_REQUEST', `media frame version ${version}`);
  if (kind > 2) throw new DropcastError('BAD_REQUEST', `media frame kind ${kind}`);
  if (trackType > 1) throw new DropcastError('BAD_REQUEST', `media track type ${trackType}`);
  return {
    version,
    kind,
    trackId: view.getUint8(2),
    trackType,
    timestamp: Number(view.getBigInt64(4, false)),
    duration: view.getUint32(12, false),
    payload: bytes.subarray(MEDIA_HEADER_SIZE),
  };
}

function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected an ArrayBuffer or a typed array');
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/** @return the default socket URL: this page's origin with ws(s): and path /ws */
export function defaultUrl() {
  if (typeof location === 'undefined') throw new Error('no url given and no page location to derive it from');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/**
 * Creates a client and connects it.
 *
 * @param {object} options see {@link DropcastClient}
 * @return {Promise<DropcastClient>} resolves once the server's hello arrived
 */
export async function connect(options = {}) {
  const client = new DropcastClient(options);
  await client.connect();
  return client;
}

/**
 * A Dropcast connection.
 *
 * Options: `url` (default {@link defaultUrl}), `token` (omit for a guest), `reconnect` (default true),
 * `backoff` ({initialMs=500, maxMs=15000}), `requestTimeoutMs` (default 15000), `WebSocket` (an
 * implementation, e.g. for tests outside a browser).
 */
export class DropcastClient {
  constructor(options = {}) {
    this.url = options.url || defaultUrl();
    this.token = options.token || null;
    this.reconnectEnabled = options.reconnect !== false;
    this.backoff = { initialMs: 500, maxMs: 15000, ...(options.backoff || {}) };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    this.WebSocketImpl = options.WebSocket || globalThis.WebSocket;
    /** @type {string} one of {@link Status} */
    this.status = Status.CLOSED;
    /** @type {object|null} the last hello message */
    this.hello = null;
    /** @type {object|null} the authenticated user ({userId, name, role, show, brand}) or null for a guest */
    this.user = null;
    this.ws = null;
    this.listeners = new Map();
    this.mediaListeners = new Set();
    this.pending = new Map();
    this.nextId = 1;
    /** show id → {lastSeq, resyncing, options} for every joined show */
    this.shows = new Map();
    this.attempt = 0;
    this.reconnectTimer = null;
    this.closedByUser = false;
    this.connectWaiters = null;
  }

  /**
   * Opens the socket (no-op when already open).
   *
   * @return {Promise<object>} the hello message
   */
  connect() {
    if (this.status === Status.OPEN) return Promise.resolve(this.hello);
    if (this.connectWaiters) return this.connectWaiters.promise;
    this.closedByUser = false;
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    this.connectWaiters = { promise, resolve, reject };
    this.#open(false);
    return promise;
  }

  /** Closes the socket for good (no reconnect); pending requests fail with CLOSED. */
  close() {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.ws) this.ws.close(1000, 'client closed');
    this.#failPending('CLOSED', 'the client was closed');
    this.#setStatus(Status.CLOSED);
  }

  /**
   * Subscribes to a server event (see {@link Events}), a client event (see {@link ClientEvents}) or
   * `*` for every show event. Listener arguments: `(data, event)` for show events, where `event` is
   * the envelope `{show, seq, event, data}`; the event object for client events.
   *
   * @return {() => void} call to unsubscribe
   */
  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
    return () => this.listeners.get(name)?.delete(fn);
  }

  /** Subscribes to incoming media frames (unpacked, see {@link unpackMediaFrame}). @return unsubscribe */
  onMedia(fn) {
    this.mediaListeners.add(fn);
    return () => this.mediaListeners.delete(fn);
  }

  /**
   * Sends a request and waits for its one reply.
   *
   * @param {string} op see {@link Ops}
   * @param {string|null} show the show id, or null for connection-level ops
   * @param {object} [data] op arguments
   * @return {Promise<any>} the reply's data; rejects with a {@link DropcastError} carrying the reply's
   *     error code, DISCONNECTED when the socket drops first, TIMEOUT after requestTimeoutMs
   */
  request(op, show, data) {
    if (!this.ws || this.ws.readyState !== 1 || this.status !== Status.OPEN) {
      return Promise.reject(new DropcastError('DISCONNECTED', `not connected; '${op}' was not sent`));
    }
    return this.#send(op, show, data);
  }

  #send(op, show, data) {
    const id = `r${this.nextId++}`;
    const message = { id, op };
    if (show) message.show = show;
    if (data !== undefined && data !== null) message.data = data;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DropcastError('TIMEOUT', `no reply to '${op}' within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer, op });
      try {
        this.ws.send(JSON.stringify(message));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new DropcastError('DISCONNECTED', e.message));
      }
    });
  }

  /**
   * Joins a show. The client remembers it and rejoins after a reconnect or a seq gap.
   *
   * @param {string} show show id
   * @param {{lastSeq?: number}} [options] lastSeq: ask the server to replay events after it
   * @return {Promise<object>} the join reply (a snapshot, or a recovery answer when lastSeq was given)
   */
  async join(show, options = {}) {
    const entry = this.shows.get(show) || { lastSeq: undefined, resyncing: false };
    if (options.lastSeq !== undefined) entry.lastSeq = options.lastSeq;
    this.shows.set(show, entry);
    try {
      return await this.#join(show, entry);
    } catch (e) {
      if (e.code !== 'DISCONNECTED' && e.code !== 'TIMEOUT') this.shows.delete(show);
      throw e;
    }
  }

  async #join(show, entry) {
    const data = entry.lastSeq !== undefined ? { lastSeq: entry.lastSeq } : {};
    entry.resyncing = true;
    let reply;
    try {
      reply = await this.#send(Ops.JOIN, show, data);
    } finally {
      entry.resyncing = false;
    }
    const recovered = JoinReply.recovered(reply);
    const seq = JoinReply.seq(reply);
    if (!recovered && seq !== undefined) entry.lastSeq = seq;
    else if (recovered && seq !== undefined && entry.lastSeq === undefined) entry.lastSeq = seq;
    this.#emit(ClientEvents.SNAPSHOT, { show, snapshot: reply, recovered });
    return reply;
  }

  /** Leaves a show and forgets it. */
  leave(show) {
    this.shows.delete(show);
    return this.request(Ops.LEAVE, show, {});
  }

  /** @return the last seq seen for a joined show, or undefined */
  lastSeq(show) {
    return this.shows.get(show)?.lastSeq;
  }

  /**
   * Sends one media frame (host only).
   *
   * @param {object|Uint8Array} frame fields for {@link packMediaFrame}, or an already packed frame
   * @return {boolean} false when the socket is not open (the frame was dropped)
   */
  sendMedia(frame) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(frame instanceof Uint8Array ? frame : packMediaFrame(frame));
    return true;
  }

  /** @return bytes queued in the socket but not yet sent (for sender-side backpressure) */
  get bufferedAmount() {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  // ---- internals --------------------------------------------------------------------------

  #open(isReconnect) {
    this.#setStatus(isReconnect ? Status.RECONNECTING : Status.CONNECTING);
    const url = new URL(this.url, typeof location === 'undefined' ? undefined : location.href);
    if (this.token) url.searchParams.set('token', this.token);
    let ws;
    try {
      ws = new this.WebSocketImpl(url.toString());
    } catch (e) {
      this.#connectFailed(new DropcastError('DISCONNECTED', e.message));
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let helloSeen = false;
    let refusal = null;
    ws.onmessage = (m) => {
      if (ws !== this.ws) return;
      if (typeof m.data !== 'string') {
        this.#onBinary(m.data);
        return;
      }
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        this.#emit(ClientEvents.ERROR, new DropcastError('BAD_REQUEST', 'server sent malformed JSON'));
        return;
      }
      if (msg.type === 'hello') {
        helloSeen = true;
        this.#onHello(msg, isReconnect);
      } else if (msg.type === 'reply' && !helloSeen && msg.ok === false) {
        refusal = new DropcastError(msg.error?.code || 'UNAUTHORIZED', msg.error?.message);
      } else {
        this.#onMessage(msg);
      }
    };
    ws.onclose = (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.#failPending('DISCONNECTED', `connection closed (${e.code}${e.reason ? ' ' + e.reason : ''})`);
      const fatal = e.code === CloseCodes.UNAUTHORIZED || e.code === CloseCodes.BANNED;
      if (!helloSeen || fatal) {
        const err = refusal || new DropcastError(fatal ? (e.code === CloseCodes.BANNED ? 'BANNED' : 'UNAUTHORIZED')
          : 'DISCONNECTED', e.reason || `connection closed (${e.code})`);
        if (this.connectWaiters && (fatal || !this.reconnectEnabled)) {
          this.#connectFailed(err);
          return;
        }
        if (fatal) {
          this.#emit(ClientEvents.ERROR, err);
          this.#setStatus(Status.CLOSED);
          return;
        }
      }
      if (this.closedByUser || !this.reconnectEnabled) {
        this.#setStatus(Status.CLOSED);
        if (this.connectWaiters) this.#connectFailed(new DropcastError('DISCONNECTED', 'connection closed'));
        return;
      }
      this.#scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and decides what to do.
    };
  }

  #onHello(hello, isReconnect) {
    this.hello = hello;
    this.user = hello.user || null;
    this.attempt = 0;
    this.#setStatus(Status.OPEN);
    this.#emit(ClientEvents.HELLO, hello);
    if (this.connectWaiters) {
      this.connectWaiters.resolve(hello);
      this.connectWaiters = null;
    }
    if (isReconnect) {
      for (const [show, entry] of this.shows) this.#rejoin(show, entry);
    }
  }

  #rejoin(show, entry) {
    this.#join(show, entry).catch((e) => {
      if (e.code === 'DISCONNECTED' || e.code === 'TIMEOUT') return; // the next reconnect retries
      // The server refused recovery from this seq: try once more for a fresh snapshot.
      if (entry.lastSeq !== undefined) {
        entry.lastSeq = undefined;
        this.#rejoin(show, entry);
      } else {
        this.shows.delete(show);
        this.#emit(ClientEvents.ERROR, e);
      }
    });
  }

  #scheduleReconnect() {
    this.attempt += 1;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.attempt - 1));
    const delayMs = Math.round(base / 2 + Math.random() * base / 2);
    this.#setStatus(Status.RECONNECTING, { attempt: this.attempt, delayMs });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closedByUser) this.#open(true);
    }, delayMs);
  }

  #connectFailed(err) {
    this.#setStatus(Status.CLOSED);
    if (this.connectWaiters) {
      this.connectWaiters.reject(err);
      this.connectWaiters = null;
    }
  }

  #onMessage(msg) {
    if (msg.type === 'reply') {
      const p = msg.id != null ? this.pending.get(msg.id) : undefined;
      if (!p) {
        if (msg.ok === false) {
          this.#emit(ClientEvents.ERROR, new DropcastError(msg.error?.code || 'INTERNAL', msg.error?.message));
        }
        return;
      }
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.data ?? null);
      else p.reject(new DropcastError(msg.error?.code || 'INTERNAL', msg.error?.message || `'${p.op}' failed`));
    } else if (msg.type === 'event') {
      this.#onEvent(msg);
    }
  }

  #onEvent(ev) {
    const entry = ev.show ? this.shows.get(ev.show) : undefined;
    const seq = typeof ev.seq === 'number' ? ev.seq : 0;
    if (entry && seq > 0) {
      if (entry.lastSeq !== undefined) {
        if (seq <= entry.lastSeq) return; // duplicate (already seen, e.g. replayed twice)
        if (seq > entry.lastSeq + 1) {
          // Missed events: drop this one and ask for a replay from the last seq we have.
          if (!entry.resyncing) {
            this.#emit(ClientEvents.GAP, { show: ev.show, expected: entry.lastSeq + 1, got: seq });
            if (this.status === Status.OPEN) this.#rejoin(ev.show, entry);
          }
          return;
        }
      }
      entry.lastSeq = seq;
    }
    this.#emit(ev.event, ev.data, ev);
    this.#emit(ClientEvents.ANY, ev.data, ev);
  }

  #onBinary(buffer) {
    let frame;
    try {
      frame = unpackMediaFrame(buffer);
    } catch (e) {
      this.#emit(ClientEvents.ERROR, e);
      return;
    }
    for (const fn of this.mediaListeners) {
      try {
        fn(frame);
      } catch (e) {
        console.error('dropcast: media listener failed', e);
      }
    }
  }

  #emit(name, payload, envelope) {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload, envelope);
      } catch (e) {
        console.error(`dropcast: listener for '${name}' failed`, e);
      }
    }
  }

  #setStatus(status, extra = {}) {
    const changed = this.status !== status;
    this.status = status;
    if (changed || (status === Status.RECONNECTING && extra.attempt !== undefined)) this.#emit(ClientEvents.STATUS, { status, ...extra });
  }

  #failPending(code, message) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DropcastError(code, message));
      this.pending.delete(id);
    }
  }
}
