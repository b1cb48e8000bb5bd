// The viewer page's UI logic against a scripted in-page socket (no live/sale server needed): snapshot
// rendering, chat, pins, stock updates, the sale countdown, Buy → hold → checkout → order, sold-out and
// muted states, and the reconnecting banner. The payloads are those of docs/protocol-live.md and
// docs/protocol-sales.md; the journey test checks the same pages against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { launch, openPage, screenshot } from '../lib/browser.js';

let server;
let browser;

before(async () => {
  server = await startServer({ name: 'viewer-ui-server' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Replaces window.WebSocket with a scripted server; `window.fake` drives it from the test. */
function fakeSocketScript() {
  const now = Date.now();
  window.fake = { sent: [], sockets: [], saleStartsAt: now + 3000 };
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 1;
      this.bufferedAmount = 0;
      window.fake.sockets.push(this);
      setTimeout(() => this.push({ type: 'hello', protocol: 1, connection: 'con_x',
        user: { userId: 'viewer-1', name: 'Vera', role: 'viewer', show: 'shw_1' }, limits: {} }), 10);
    }
    push(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
    close() { this.readyState = 3; this.onclose?.({ code: 1000, reason: '' }); }
    send(text) {
      const req = JSON.parse(text);
      window.fake.sent.push(req);
      const reply = (data) => setTimeout(() => this.push({ type: 'reply', id: req.id, ok: true, data }), 5);
      const fail = (code, message) => setTimeout(() => this.push({ type: 'reply', id: req.id, ok: false, error: { code, message } }), 5);
      switch (req.op) {
        case 'join':
          return reply({ recovered: false, seq: 7,
            show: { id: 'shw_1', brandId: 'brd_1', title: 'Summer gear drop', state: 'live', sponsored: true,
              guestsAllowed: true, scheduledStart: new Date(now).toISOString(), startedAt: new Date(now).toISOString(),
              endedAt: null, lineup: ['prd_1'] },
            you: { userId: 'viewer-1', name: 'Vera', role: 'viewer', show: 'shw_1', brand: 'brd_1' },
            pins: [{ productId: 'prd_1', title: 'Ultralight tent', priceMinor: 24900, currency: 'EUR', imageUrl: null,
              mediaTimestamp: null, pinnedAt: now }],
            chat: { messages: [{ id: 'm1', userId: 'u2', name: 'Ana', role: 'host', text: 'Welcome!', at: now }],
              pinned: null, slowModeSeconds: 0 },
            viewers: { current: 3, peak: 5 }, reactions: { heart: 4 }, stats: { viewers: 3, peakViewers: 5, seq: 7 },
            sales: [{ id: 'sal_1', brandId: 'brd_1', productId: 'prd_1', showId: 'shw_1', priceMinor: 19900,
              currency: 'EUR', quantity: 5, remaining: 5, held: 0, sold: 0, expired: 0, state: 'scheduled',
              startsAt: new Date(window.fake.saleStartsAt).toISOString(), endsAt: new Date(now + 600000).toISOString(),
              perBuyerLimit: 2, holdSeconds: 120 }] });
        case 'chat.send':
          if (window.fake.muted) return fail('MUTED', 'you are muted');
          reply({ id: 'm2' });
          return this.push({ type: 'event', show: 'shw_1', seq: 8, event: 'chat.message',
            data: { id: 'm2', userId: 'viewer-1', name: 'Vera', role: 'viewer', text: req.data.text, at: Date.now() } });
        case 'sale.reserve':
          if (window.fake.soldOut) return fail('SOLD_OUT', 'no stock left');
          return reply({ reservation: 'rsv_1', sale: req.data.sale, buyerId: 'viewer-1', quantity: 1,
            expiresAt: new Date(Date.now() + 120000).toISOString(), state: 'held' });
        case 'reservation.confirm':
          return reply({ order: { id: 'ord_1', saleId: 'sal_1', productId: 'prd_1', buyerId: 'viewer-1',
            reservationId: req.data.reservation, quantity: 1, unitPriceMinor: 19900, totalMinor: 19900, currency: 'EUR' } });
        default:
          return reply({});
      }
    }
  }
  window.WebSocket = FakeWS;
}

test('the_viewer_page_renders_a_live_show_and_walks_through_a_purchase', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await openPage(browser, null, { viewport: { width: 390, height: 844 } });
  await page.addInitScript(fakeSocketScript);
  await page.goto(`${server.base}/watch.html?show=shw_1&token=anything`);

  // Snapshot: title, sponsored label, viewers, reactions, chat history, LIVE badge, pinned card.
  await page.waitForSelector('#cards [data-product="prd_1"]');
  assert.equal(await page.textContent('#show-title'), 'Summer gear drop');
  assert.ok(await page.isVisible('#sponsored'));
  assert.equal(await page.textContent('#viewers'), '3 watching');
  assert.equal(await page.textContent('[data-count="heart"]'), '4');
  assert.match(await page.textContent('#chat-list'), /Welcome!/);
  assert.equal(await page.textContent('#state-badge'), 'LIVE');
  assert.match(await page.textContent('#cards'), /€199\.00.*€249\.00/s);

  // Countdown, then the sale opens by the clock.
  assert.match(await page.textContent('[data-role="sale-state"]'), /Flash sale starts in 0:0[1-3]/);
  await screenshot(page, 'viewer-ui-countdown');
  await page.waitForSelector('button[data-buy]:not([disabled])', { timeout: 6000 });
  assert.match(await page.textContent('[data-role="sale-state"]'), /^5 left · ends in/);

  // Chat goes out and comes back as an event.
  await page.fill('#chat-input', 'Is it waterproof?');
  await page.press('#chat-input', 'Enter');
  await page.waitForSelector('#chat-list li:has-text("Is it waterproof?")');

  // Stock update from another buyer.
  await page.evaluate(() => window.fake.sockets[0].push({ type: 'event', show: 'shw_1', seq: 9, event: 'sale.stock', data: { sale: 'sal_1', remaining: 3, quantity: 5 } }));
  await page.waitForSelector('[data-role="sale-state"]:has-text("3 left")');

  // Buy → hold with timer → checkout → order.
  await page.click('button[data-buy]');
  await page.waitForSelector('[data-phase="held"]');
  assert.match(await page.textContent('[data-role="hold-timer"]'), /^(2:00|1:59|1:58)$/);
  const reserve = await page.evaluate(() => window.fake.sent.find((r) => r.op === 'sale.reserve'));
  assert.equal(reserve.show, 'shw_1');
  assert.equal(reserve.data.sale, 'sal_1');
  assert.equal(reserve.data.quantity, 1);
  assert.ok(reserve.data.idempotencyKey.length >= 8);
  await screenshot(page, 'viewer-ui-hold');
  await page.click('[data-role="checkout"]');
  await page.waitForSelector('[data-phase="ordered"]');
  assert.match(await page.textContent('#purchase'), /Order confirmed.*ord_1/s);
  const confirm = await page.evaluate(() => window.fake.sent.find((r) => r.op === 'reservation.confirm'));
  assert.equal(confirm.data.reservation, 'rsv_1');
  assert.equal(confirm.data.showName, false, 'the purchase ticker names a buyer only when they ask for it');
  await screenshot(page, 'viewer-ui-ordered');

  // Sold out: the card says so plainly and offers the waitlist.
  await page.evaluate(() => window.fake.sockets[0].push({ type: 'event', show: 'shw_1', seq: 10, event: 'sale.sold_out', data: { sale: 'sal_1' } }));
  await page.waitForSelector('[data-role="sale-state"]:has-text("Sold out")');
  assert.ok(await page.isVisible('button:has-text("Join waitlist")'));
  assert.equal(await page.locator('button[data-buy]').count(), 0);

  // A moderator mutes this viewer.
  await page.evaluate(() => window.fake.sockets[0].push({ type: 'event', show: 'shw_1', seq: 11, event: 'user.moderated', data: { userId: 'viewer-1', action: 'muted', by: 'mod-1' } }));
  await page.waitForFunction(() => /muted/.test(document.getElementById('chat-note').textContent));
  assert.ok(await page.isDisabled('#chat-input'));

  // A seq gap makes the client rejoin with its last seq.
  await page.evaluate(() => window.fake.sockets[0].push({ type: 'event', show: 'shw_1', seq: 15, event: 'viewers', data: { current: 9, peak: 9 } }));
  await page.waitForFunction(() => window.fake.sent.filter((r) => r.op === 'join').length === 2);
  assert.deepEqual(await page.evaluate(() => window.fake.sent.filter((r) => r.op === 'join')[1].data), { lastSeq: 11 });

  // The socket drops: the reconnecting state is shown, then cleared after the reconnect.
  await page.evaluate(() => { const ws = window.fake.sockets[0]; ws.readyState = 3; ws.onclose({ code: 1006, reason: '' }); });
  await page.waitForSelector('#conn:not([hidden]):has-text("Reconnecting")');
  await screenshot(page, 'viewer-ui-reconnecting');
  await page.waitForSelector('#conn', { state: 'hidden', timeout: 5000 });
  assert.equal(await page.evaluate(() => window.fake.sockets.length), 2);

  assert.deepEqual(errors, []);
  await context.close();
});
