// The whole journey of issue 5 in real pages against the real server (REST API, live shows, flash
// sales); part of `web-tests/run.sh all`, which `./mvnw verify` runs.
//
// Scenario: the brand console creates a product, a show and a sale; the host studio goes live with
// the fake camera; a viewer page shows decoded video (frames decoded, picture not blank and moving);
// chat goes both ways; a pin appears; the sale opens on time; the viewer buys, checks out, and the
// stock counter drops on a second viewer; a moderator mutes the viewer; the host ends the show.
// Screenshots of every page go to artifacts/, the glass-to-glass latency to artifacts/latency.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rest, ARTIFACTS } from '../lib/server.js';
import { screenshot, probeCanvas, signatureChange } from '../lib/browser.js';
import { liveScenario } from '../lib/scenario.js';

const PRODUCT = { sku: 'WEB-LANTERN', title: 'Web test lantern', price: '19.90' };
const SALE = { price: '9.90', quantity: 5, limit: 2, holdSeconds: 60, startsInMs: 20_000 };

const live = liveScenario('journey');
const open = (url, name, options) => live.pages.open(url, name, options);

function localInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

test('console_studio_viewers_and_moderator_run_a_live_shopping_show', { timeout: 150_000 }, (t) =>
  live.pages.run('journey', () => journey(t)));

async function journey(t) {
  const { server, pages } = live;
  // ---- brand console: sign in, product, show, links -------------------------------------------------
  const consoleP = await open(`${server.base}/console.html`, 'console');
  const c = consoleP.page;
  await c.fill('#api-key', server.brandKey);
  await c.click('#signin-form button[type=submit]');
  await c.waitForSelector('#tabs:not([hidden])');

  await c.fill('#p-sku', PRODUCT.sku);
  await c.fill('#p-title', PRODUCT.title);
  await c.fill('#p-price', PRODUCT.price);
  await c.click('#product-submit');
  await c.waitForSelector(`#products tr:has-text("${PRODUCT.title}")`);
  const products = (await rest(server, 'GET', '/products', server.brandKey)).body.items;
  const product = products.find((p) => p.sku === PRODUCT.sku);
  assert.ok(product, 'the console created the product');
  await screenshot(c, 'journey-01-console-products');

  await c.click('[data-tab=shows]');
  await c.fill('#s-title', 'Web journey show');
  await c.fill('#s-start', localInput(Date.now() + 60_000).slice(0, 16));
  await c.fill('#s-host', 'host-web');
  await c.check(`#s-lineup input[value="${product.id}"]`);
  await c.click('#show-form button[type=submit]');
  await c.waitForSelector('#links-panel:not([hidden]) #link-host-studio');
  const link = (id) => c.inputValue(`#${id}`);
  const hostUrl = await link('link-host-studio');
  const modUrl = await link('link-moderator');
  const viewerAUrl = await link('link-viewer-sample-token-');
  const guestUrl = await link('link-guest-viewers');
  const showId = new URL(viewerAUrl).searchParams.get('show');
  await c.click(`#shows tr[data-id="${showId}"] button:has-text("Links")`);
  await c.waitForFunction((prev) => document.getElementById('link-viewer-sample-token-')?.value !== prev, viewerAUrl);
  const viewerBUrl = await link('link-viewer-sample-token-');
  await screenshot(c, 'journey-02-console-show-links');

  // ---- host goes live with the fake camera -----------------------------------------------------------
  const studio = await open(hostUrl, 'studio');
  const s = studio.page;
  await s.waitForFunction(() => window.dropcastStudio?.client?.status === 'open');
  await s.click('#camera');
  await s.waitForSelector('#go-live:not([disabled])');
  await s.click('#go-live');
  await s.waitForSelector('#state-badge:has-text("LIVE")');
  await s.waitForFunction(() => (window.dropcastStudio.publisher?.stats.videoFrames ?? 0) > 15, null, { timeout: 20_000 });

  // ---- two viewers and a guest see decoded video ------------------------------------------------------
  const viewerA = await open(viewerAUrl, 'viewer-a', { viewport: { width: 390, height: 844 } });
  const viewerB = await open(viewerBUrl, 'viewer-b');
  const guest = await open(guestUrl, 'guest');
  for (const v of [viewerA, viewerB, guest]) {
    await v.page.waitForFunction(() => (window.dropcastWatch?.player.stats.framesDecoded ?? 0) > 30, null, { timeout: 30_000 });
    const first = await probeCanvas(v.page, '#video');
    assert.ok(first.mean > 10 && first.colours >= 2, `${v.name}: a picture, not a blank canvas`);
    // The fake camera's pie turns: within a few seconds the drawn picture must differ (the machine
    // is shared, so poll instead of trusting one fixed interval).
    let moved = 0;
    for (let i = 0; i < 20 && moved === 0; i++) {
      await v.page.waitForTimeout(250);
      moved = signatureChange(first, await probeCanvas(v.page, '#video'));
    }
    assert.ok(moved > 0, `${v.name}: the picture moves`);
    assert.ok(await v.page.isHidden('#overlay'), `${v.name}: no "waiting" overlay over live video`);
  }
  const a = viewerA.page;
  const b = viewerB.page;
  const viewerAUser = await a.evaluate(() => window.dropcastWatch.client.user.userId);
  assert.ok(await guest.page.isDisabled('#chat-input'), 'guests watch only');
  await screenshot(guest.page, 'journey-03-guest-watching');

  // ---- chat both ways -------------------------------------------------------------------------------
  await a.fill('#chat-input', 'Hello from viewer A');
  await a.press('#chat-input', 'Enter');
  await s.waitForSelector('#chat-list li:has-text("Hello from viewer A")');
  await s.fill('#chat-input', 'Welcome, everyone!');
  await s.press('#chat-input', 'Enter');
  await a.waitForSelector('#chat-list li:has-text("Welcome, everyone!")');
  await b.waitForSelector('#chat-list li:has-text("Hello from viewer A")');

  // ---- pin ------------------------------------------------------------------------------------------
  await s.click(`button[data-pin="${product.id}"]`);
  await a.waitForSelector(`#cards [data-product="${product.id}"]`, { timeout: 10_000 });
  await b.waitForSelector(`#cards [data-product="${product.id}"]`, { timeout: 10_000 });
  await screenshot(s, 'journey-04-studio-live');

  // ---- the sale: scheduled in the console, opens on time -----------------------------------------------
  await c.click('[data-tab=sales]');
  await c.waitForSelector(`#f-product option[value="${product.id}"]`, { state: 'attached' });
  await c.selectOption('#f-product', product.id);
  await c.selectOption('#f-show', showId);
  await c.fill('#f-price', SALE.price);
  await c.fill('#f-qty', String(SALE.quantity));
  const startsAt = Math.ceil((Date.now() + SALE.startsInMs) / 1000) * 1000;
  await c.fill('#f-start', localInput(startsAt));
  await c.fill('#f-end', localInput(startsAt + 10 * 60_000));
  await c.fill('#f-limit', String(SALE.limit));
  await c.fill('#f-hold', String(SALE.holdSeconds));
  await c.click('#sale-submit');
  await c.waitForSelector('#sales tr[data-id]');
  await a.waitForSelector(`#cards [data-product="${product.id}"] [data-role="sale-state"]:has-text("Flash sale starts in")`,
    { timeout: 10_000 });
  await screenshot(a, 'journey-05-viewer-countdown');
  await a.waitForSelector('button[data-buy]:not([disabled])', { timeout: SALE.startsInMs + 10_000 });
  const openedLateMs = Date.now() - startsAt;
  t.diagnostic(`sale opened ${openedLateMs} ms after its start time`);
  assert.ok(openedLateMs > -1500 && openedLateMs < 3000, `the sale opens on time (${openedLateMs} ms)`);

  // ---- buy, hold, checkout; the second viewer sees the stock drop --------------------------------------
  await b.waitForSelector(`[data-role="sale-state"]:has-text("${SALE.quantity} left")`, { timeout: 5_000 });
  await a.click('button[data-buy]');
  await a.waitForSelector('[data-phase="held"] [data-role="hold-timer"]');
  const timer = await a.textContent('[data-role="hold-timer"]');
  assert.match(timer, /^\d+:\d\d$/, 'the hold timer counts down');
  await screenshot(a, 'journey-06-viewer-hold');
  await a.click('[data-role="checkout"]');
  await a.waitForSelector('[data-phase="ordered"]');
  assert.match(await a.textContent('#purchase'), /Order confirmed/);
  await screenshot(a, 'journey-07-viewer-ordered');
  await b.waitForSelector(`[data-role="sale-state"]:has-text("${SALE.quantity - 1} left")`, { timeout: 5_000 });
  await screenshot(b, 'journey-08-second-viewer-stock');

  // ---- moderator mutes viewer A ------------------------------------------------------------------------
  const mod = await open(modUrl, 'moderator');
  const m = mod.page;
  await m.waitForSelector(`#chat-list li[data-user="${viewerAUser}"]`);
  assert.ok(await m.isHidden('#host-controls'), 'moderators get no broadcast controls');
  await m.click(`#chat-list li[data-user="${viewerAUser}"] button[title="Mute user"]`);
  await m.waitForSelector('#moderated li:has-text("muted")', { state: 'attached' });
  // Viewer A hears about it (user.moderated): the chat box is disabled and says why …
  await a.waitForFunction(() => /muted/i.test(document.getElementById('chat-note').textContent));
  assert.ok(await a.isDisabled('#chat-input'), 'a muted viewer cannot type');
  // … and the server refuses a message anyway.
  const refused = await a.evaluate(async (show) => {
    try {
      await window.dropcastWatch.client.request('chat.send', show, { text: 'can I still talk?' });
      return 'sent';
    } catch (e) {
      return e.code;
    }
  }, showId);
  assert.equal(refused, 'MUTED');
  await screenshot(m, 'journey-09-moderator');
  await screenshot(a, 'journey-10-viewer-muted');

  // ---- glass-to-glass latency ------------------------------------------------------------------------
  const latency = {};
  for (const v of [viewerA, viewerB, guest]) {
    latency[v.name] = await v.page.evaluate(() => {
      const st = window.dropcastWatch.player.stats;
      return { frames: st.framesDecoded, codec: st.videoCodec, p50: st.latencyP50Ms, p95: st.latencyP95Ms,
        avg: st.latencyAvgMs, max: st.latencyMaxMs };
    });
  }
  writeFileSync(join(ARTIFACTS, 'latency.json'), JSON.stringify(latency, null, 2));
  console.log(`glass-to-glass latency (capture → drawn on the viewer canvas): ${JSON.stringify(latency)}`);
  assert.ok(latency['viewer-a'].p50 > 0 && latency['viewer-a'].p50 < 1000, `p50 ${latency['viewer-a'].p50} ms`);

  // ---- console sees the order and the counters ----------------------------------------------------------
  await c.waitForFunction(() => window.dropcastConsole.state.sales.some((x) => x.sold === 1), null, { timeout: 6_000 });
  await c.click('#sales tr[data-id] button:has-text("Audit")');
  await c.waitForSelector('#audit-panel:not([hidden])');
  await screenshot(c, 'journey-11-console-sales');
  await c.click('[data-tab=orders]');
  await c.waitForSelector(`#orders tr:has-text("${PRODUCT.title}")`);
  await screenshot(c, 'journey-12-console-orders');

  // ---- the host ends the show --------------------------------------------------------------------------
  await s.click('#end-show');
  await a.waitForSelector('#overlay-title:has-text("ended")');
  await screenshot(a, 'journey-13-viewer-ended');

  for (const p of pages.list) assert.deepEqual(p.errors, [], `${p.name} logged errors`);
}
