// Unit tests of the embeddable client (server/src/main/resources/web/js/dropcast.js) in Node, with a
// scripted fake WebSocket: envelope handling, error codes, seq gap recovery, reconnect with rejoin,
// and the 16-byte media header. No server or browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO } from '../lib/server.js';

const dc = await import(`${REPO}/server/src/main/resources/web/js/dropcast.js`);
const { DropcastClient, packMediaFrame, unpackMediaFrame, MediaKind, TrackType, Status } = dc;

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    this.bufferedAmount = 0;
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(typeof data === 'string' ? JSON.parse(data) : data); }
  close(code = 1000, reason = '') { this.drop(code, reason); }
  // server side
  push(msg) { this.onmessage?.({ data: typeof msg === 'string' || msg instanceof ArrayBuffer ? msg : JSON.stringify(msg) }); }
  hello(user = { userId: 'u1', name: 'U', role: 'viewer' }) { this.push({ type: 'hello', protocol: 1, connection: 'con_1', user, limits: {} }); }
  reply(id, data) { this.push({ type: 'reply', id, ok: true, data }); }
  fail(id, code, message) { this.push({ type: 'reply', id, ok: false, error: { code, message } }); }
  event(show, seq, event, data) { this.push({ type: 'event', show, seq, event, data }); }
  drop(code = 1006, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  last(op) { return [...this.sent].reverse().find((m) => m.op === op); }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
function newClient(extra = {}) {
  FakeSocket.all = [];
  return new DropcastClient({ url: 'ws://test/ws', token: 'tok', WebSocket: FakeSocket, backoff: { initialMs: 5, maxMs: 20 }, ...extra });
}

test('connect_resolves_with_the_hello_and_puts_the_token_in_the_url', async () => {
  const c = newClient();
  const p = c.connect();
  const ws = FakeSocket.all[0];
  assert.equal(ws.url, 'ws://test/ws?token=tok');
  ws.hello();
  const hello = await p;
  assert.equal(hello.user.userId, 'u1');
  assert.equal(c.user.role, 'viewer');
  assert.equal(c.status, Status.OPEN);
  c.close();
});

test('a_refused_token_rejects_connect_with_UNAUTHORIZED', async () => {
  const c = newClient();
  const p = c.connect();
  const ws = FakeSocket.all[0];
  ws.push({ type: 'reply', id: null, ok: false, error: { code: 'UNAUTHORIZED', message: 'token expired' } });
  ws.drop(4401, 'token expired');
  await assert.rejects(p, (e) => e.code === 'UNAUTHORIZED' && /expired/.test(e.message));
  assert.equal(FakeSocket.all.length, 1, 'no reconnect after a refused token');
});

test('request_resolves_with_data_and_rejects_with_the_reply_code', async () => {
  const c = newClient();
  const p = c.connect();
  const ws = FakeSocket.all[0];
  ws.hello();
  await p;
  const ok = c.request('chat.send', 'shw_1', { text: 'hi' });
  const sent = ws.last('chat.send');
  assert.deepEqual({ op: sent.op, show: sent.show, data: sent.data }, { op: 'chat.send', show: 'shw_1', data: { text: 'hi' } });
  ws.reply(sent.id, { id: 'msg_1' });
  assert.deepEqual(await ok, { id: 'msg_1' });
  const bad = c.request('sale.reserve', 'shw_1', {});
  ws.fail(ws.last('sale.reserve').id, 'SOLD_OUT', 'no stock left');
  await assert.rejects(bad, (e) => e.code === 'SOLD_OUT' && e.message === 'no stock left' && e instanceof Error);
  c.close();
});

test('a_seq_gap_drops_the_event_and_rejoins_with_the_last_seq', async () => {
  const c = newClient();
  const p = c.connect();
  const ws = FakeSocket.all[0];
  ws.hello();
  await p;
  const seen = [];
  const gaps = [];
  c.on('chat.message', (d, ev) => seen.push(ev.seq));
  c.on('gap', (g) => gaps.push(g));
  const joined = c.join('shw_1');
  ws.reply(ws.last('join').id, { seq: 10 });
  await joined;
  ws.event('shw_1', 11, 'chat.message', { text: 'a' });
  ws.event('shw_1', 11, 'chat.message', { text: 'a again' }); // duplicate
  ws.event('shw_1', 14, 'chat.message', { text: 'after a gap' });
  assert.deepEqual(seen, [11]);
  assert.deepEqual(gaps, [{ show: 'shw_1', expected: 12, got: 14 }]);
  const rejoin = ws.last('join');
  assert.deepEqual(rejoin.data, { lastSeq: 11 });
  // The server replays 12..14 (as events), then answers the join.
  ws.event('shw_1', 12, 'chat.message', {});
  ws.event('shw_1', 13, 'chat.message', {});
  ws.event('shw_1', 14, 'chat.message', {});
  ws.reply(rejoin.id, { recovered: true, seq: 14 });
  await tick();
  ws.event('shw_1', 15, 'chat.message', {});
  assert.deepEqual(seen, [11, 12, 13, 14, 15]);
  assert.equal(c.lastSeq('shw_1'), 15);
  c.close();
});

test('after_a_drop_the_client_reconnects_and_rejoins_with_its_last_seq', async () => {
  const c = newClient();
  const statuses = [];
  c.on('status', (s) => statuses.push(s.status));
  const p = c.connect();
  FakeSocket.all[0].hello();
  await p;
  const ws1 = FakeSocket.all[0];
  const joined = c.join('shw_1');
  ws1.reply(ws1.last('join').id, { seq: 3 });
  await joined;
  ws1.event('shw_1', 4, 'viewers', { current: 2 });
  const pending = c.request('chat.send', 'shw_1', { text: 'lost' });
  ws1.drop(1006);
  await assert.rejects(pending, (e) => e.code === 'DISCONNECTED');
  assert.equal(c.status, Status.RECONNECTING);
  await tick(40);
  const ws2 = FakeSocket.all[1];
  assert.ok(ws2, 'a second socket was opened');
  ws2.hello();
  await tick();
  assert.deepEqual(ws2.last('join').data, { lastSeq: 4 });
  const snapshots = [];
  c.on('snapshot', (s) => snapshots.push(s));
  ws2.reply(ws2.last('join').id, { seq: 9 }); // gap too old: a fresh snapshot
  await tick();
  assert.equal(snapshots[0].recovered, false);
  assert.equal(c.lastSeq('shw_1'), 9);
  assert.deepEqual(statuses, ['connecting', 'open', 'reconnecting', 'open']);
  c.close();
});

test('a_ban_close_does_not_reconnect', async () => {
  const c = newClient();
  const p = c.connect();
  FakeSocket.all[0].hello();
  await p;
  const errors = [];
  c.on('error', (e) => errors.push(e.code));
  FakeSocket.all[0].drop(4403, 'banned');
  await tick(40);
  assert.equal(FakeSocket.all.length, 1);
  assert.deepEqual(errors, ['BANNED']);
  assert.equal(c.status, Status.CLOSED);
});

test('media_header_round_trips_big_endian', () => {
  const payload = new Uint8Array([1, 2, 3, 4, 5]);
  const ts = 1_795_464_260_123_456; // µs since epoch, > 2^32
  const packed = packMediaFrame({ kind: MediaKind.KEY, trackId: 7, trackType: TrackType.AUDIO, timestamp: ts, duration: 20_000, payload });
  assert.equal(packed.byteLength, 16 + 5);
  assert.deepEqual([...packed.subarray(0, 4)], [1, 1, 7, 1]);
  const view = new DataView(packed.buffer);
  assert.equal(view.getBigInt64(4, false), BigInt(ts));
  assert.equal(view.getUint32(12, false), 20_000);
  const f = unpackMediaFrame(packed.buffer);
  assert.deepEqual({ ...f, payload: [...f.payload] },
    { version: 1, kind: 1, trackId: 7, trackType: 1, timestamp: ts, duration: 20_000, payload: [1, 2, 3, 4, 5] });
});

test('malformed_media_headers_are_rejected_with_BAD_REQUEST', () => {
  assert.throws(() => unpackMediaFrame(new Uint8Array(15)), (e) => e.code === 'BAD_REQUEST');
  const bad = packMediaFrame({ kind: 0, trackId: 0, trackType: 0, timestamp: 0, payload: new Uint8Array(0) });
  bad[0] = 2;
  assert.throws(() => unpackMediaFrame(bad), (e) => e.code === 'BAD_REQUEST' && /version/.test(e.message));
  assert.throws(() => packMediaFrame({ kind: 3, trackId: 0, trackType: 0, timestamp: 0 }), RangeError);
  assert.throws(() => packMediaFrame({ kind: 1, trackId: 0, trackType: 0, timestamp: -1 }), RangeError);
});

test('binary_messages_reach_media_listeners', async () => {
  const c = newClient();
  const p = c.connect();
  const ws = FakeSocket.all[0];
  ws.hello();
  await p;
  const frames = [];
  c.onMedia((f) => frames.push(f));
  const packed = packMediaFrame({ kind: MediaKind.DELTA, trackId: 0, trackType: TrackType.VIDEO, timestamp: 42, payload: new Uint8Array([9]) });
  ws.push(packed.buffer);
  assert.equal(frames.length, 1);
  assert.equal(frames[0].timestamp, 42);
  assert.ok(c.sendMedia({ kind: MediaKind.KEY, trackId: 0, trackType: 0, timestamp: 1, payload: new Uint8Array([1]) }));
  assert.ok(ws.sent.at(-1) instanceof Uint8Array);
  c.close();
});
