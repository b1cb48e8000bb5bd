// Social proof and show analytics in real pages against the real server (issue 8): viewers see
// "N bought" on a product card and the purchase ticker (with the buyer's name only when the buyer
// ticked "show my name"), a late joiner sees "N bought" from the join snapshot, card clicks and the
// share button are counted, the host studio's analytics panel shows orders and revenue, and the
// brand console shows the show's analytics and downloads the CSV.
//
// The server runs in demo mode with `analytics.live-stats-ms` at 1 s so the studio updates quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rest } from '../lib/server.js';
import { screenshot } from '../lib/browser.js';
import { liveScenario } from '../lib/scenario.js';

const PRICE_MINOR = 19900;
// A display name is user input: the ticker must show it as text, never as markup.
const NAMED_BUYER = 'Zoë <b>&</b> Co';

const live = liveScenario('social-proof', { env: { DROPCAST_ANALYTICS_LIVE_STATS_MS: '1000' } });
const open = (url, name, options) => live.pages.open(url, name, options);

async function viewerToken(userId, name) {
  const { server } = live;
  const r = await rest(server, 'POST', '/tokens', server.brandKey, { role: 'viewer', show: server.showId, userId, name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token;
}

const watchUrl = (token) => `${live.server.base}/watch.html?show=${live.server.showId}&token=${encodeURIComponent(token)}`;

/** Buys one unit on a viewer page through the card's Buy button and the checkout, with or without the name. */
async function buy(page, productId, { showName }) {
  await page.click(`#cards [data-product="${productId}"] button[data-buy]:not([disabled])`);
  await page.waitForSelector('[data-phase="held"] [data-role="show-name"]');
  assert.equal(await page.isChecked('[data-role="show-name"]'), false, 'the name is opt-in');
  if (showName) await page.check('[data-role="show-name"]');
  await page.click('[data-role="checkout"]');
  await page.waitForSelector('[data-phase="ordered"]');
}

test('viewers_see_n_bought_and_the_purchase_ticker_and_the_host_and_brand_see_the_numbers', { timeout: 120_000 }, () =>
  live.pages.run('social-proof', scenario));

async function scenario() {
  const { server, pages } = live;
  // ---- a live flash sale of the tent in the demo show ------------------------------------------------
  const show = (await rest(server, 'GET', `/shows/${server.showId}`, server.brandKey)).body;
  const products = (await rest(server, 'GET', '/products', server.brandKey)).body.items;
  const tent = products.find((p) => p.sku === 'TENT-2P');
  assert.ok(show.lineup.includes(tent.id));
  const sale = await rest(server, 'POST', '/sales', server.brandKey, {
    productId: tent.id, showId: server.showId, priceMinor: PRICE_MINOR, quantity: 10,
    startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
    perBuyerLimit: 3, holdSeconds: 120,
  });
  assert.equal(sale.status, 201, JSON.stringify(sale.body));

  // ---- the host opens the studio, starts the show and pins the tent ------------------------------------
  const studio = await open(`${server.base}/studio.html?token=${encodeURIComponent(server.hostToken)}`, 'studio');
  const s = studio.page;
  await s.waitForSelector(`button[data-pin="${tent.id}"]`);
  await s.evaluate((id) => window.dropcastStudio.client.request('show.start', id, {}), server.showId);
  await s.waitForSelector('#state-badge:has-text("LIVE")');
  await s.click(`button[data-pin="${tent.id}"]`);
  await s.waitForSelector(`button[data-pin="${tent.id}"]:has-text("Unpin")`);

  // ---- a watcher and two buyers open the viewer page ------------------------------------------------------
  const watcher = await open(watchUrl(await viewerToken('watcher-wanda', 'Wanda')), 'watcher');
  const named = await open(watchUrl(await viewerToken('buyer-zoe', NAMED_BUYER)), 'buyer-named', { viewport: { width: 390, height: 844 } });
  const quiet = await open(watchUrl(await viewerToken('buyer-quentin', 'Quentin')), 'buyer-quiet');
  const w = watcher.page;
  const tentCard = `#cards [data-product="${tent.id}"]`;
  const bought = `${tentCard} [data-role="bought"]`;
  for (const p of [watcher, named, quiet]) await p.page.waitForSelector(`${tentCard} button[data-buy]:not([disabled])`);
  assert.ok(await w.isHidden(bought), 'no "0 bought" before the first order');

  // ---- a buyer who shows their name: "1 bought" and "<name> just bought …" on the watcher's page ---------
  await buy(named.page, tent.id, { showName: true });
  await w.waitForSelector(`${bought}:has-text("1 bought")`, { timeout: 5_000 });
  const namedLine = await w.waitForSelector('#ticker li[data-named="true"]', { timeout: 5_000 });
  assert.equal(await namedLine.textContent(), `${NAMED_BUYER} just bought ${tent.title}`);
  assert.equal(await w.locator('#ticker b').count(), 0, 'the name is text, not markup');
  await screenshot(w, 'social-proof-01-named-ticker');

  // ---- a buyer who does not: "2 bought" and "Someone just bought …" ----------------------------------------
  await buy(quiet.page, tent.id, { showName: false });
  await w.waitForSelector(`${bought}:has-text("2 bought")`, { timeout: 5_000 });
  const anonymousLine = await w.waitForSelector('#ticker li[data-named="false"]', { timeout: 5_000 });
  assert.equal(await anonymousLine.textContent(), `Someone just bought ${tent.title}`);
  assert.doesNotMatch(await w.textContent('#ticker'), /Quentin/);
  await screenshot(w, 'social-proof-02-anonymous-ticker');
  // Each line goes away after a few seconds.
  await w.waitForSelector('#ticker li', { state: 'detached', timeout: 8_000 });

  // ---- a late joiner sees "2 bought" at once, from the join snapshot ----------------------------------------
  const late = await open(watchUrl(await viewerToken('late-lars', 'Lars')), 'late');
  await late.page.waitForSelector(tentCard);
  assert.equal(await late.page.textContent(bought), '2 bought');
  assert.ok(await late.page.isVisible(bought));

  // ---- the watcher opens the card and shares the show (copy link: the page has no share sheet here) ------------
  await w.click(`${tentCard} button.open-card`);
  await w.waitForSelector(`${tentCard} [data-role="details"]:has-text("Up to 3 per buyer")`);
  await watcher.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await w.evaluate(() => { delete Navigator.prototype.share; });
  await w.click('#share');
  await w.waitForSelector('.toast:has-text("Link copied")');
  const copied = await w.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `${server.base}/watch.html?show=${server.showId}`, 'the shared link carries no token');

  // ---- the studio's analytics panel: orders, units, revenue, clicks and the share -----------------------------
  // Clicks: each buyer's Buy button is a click on the card, and the watcher opened it: 3.
  const revenue = await s.evaluate((minor) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' })
    .format(minor / 100), 2 * PRICE_MINOR);
  await s.waitForFunction(() => document.getElementById('an-orders').textContent === '2'
    && document.getElementById('an-shares').textContent === '1'
    && document.getElementById('an-clicks').textContent === '3', null, { timeout: 10_000 });
  assert.equal(await s.textContent('#an-units'), '2');
  assert.equal(await s.textContent('#an-revenue'), revenue);
  assert.match(revenue, /398/);
  assert.equal(await s.textContent('#an-unique'), '4');
  assert.equal(await s.textContent('#an-viewers'), '4');
  assert.equal(await s.textContent('#st-sold'), '2', 'units sold, live from product.bought');
  await screenshot(s, 'social-proof-03-studio-analytics');

  // ---- the brand console: the show's analytics (same numbers as the REST report) and the CSV ---------------------
  const report = (await rest(server, 'GET', `/shows/${server.showId}/analytics`, server.brandKey)).body;
  assert.equal(report.orders, 2);
  const c = (await open(`${server.base}/console.html`, 'console')).page;
  await c.fill('#api-key', server.brandKey);
  await c.click('#signin-form button[type=submit]');
  await c.waitForSelector('#tabs:not([hidden])');
  await c.click('[data-tab=shows]');
  await c.click(`#shows tr[data-id="${server.showId}"] button:has-text("Analytics")`);
  await c.waitForSelector('#analytics-panel:not([hidden]) [data-stat="orders"]');
  const stat = (key) => c.textContent(`[data-stat="${key}"] .v`);
  assert.equal(await stat('orders'), '2');
  assert.equal(await stat('units'), '2');
  assert.equal(await stat('shares'), '1');
  assert.equal(await stat('uniqueViewers'), String(report.uniqueViewers));
  assert.equal(await stat('revenue'), revenue);
  // Impressions: all four viewers joined while the tent was pinned.
  const tentRow = `#analytics-body tr[data-product="${tent.id}"]`;
  assert.deepEqual(await c.$$eval(`${tentRow} td`, (tds) => tds.map((td) => td.textContent)).then((cells) => cells.slice(0, 3)),
    [tent.title, '4', '3']);
  await screenshot(c, 'social-proof-04-console-analytics');
  const [download] = await Promise.all([c.waitForEvent('download'), c.click('#analytics-csv')]);
  assert.equal(download.suggestedFilename(), `analytics-${server.showId}.csv`);
  const csv = readFileSync(await download.path(), 'utf8').split(/\r?\n/);
  assert.match(csv[0], /^kind,/);
  assert.ok(csv.some((line) => line.startsWith('show,')), 'a show row');
  assert.ok(csv.some((line) => line.startsWith('product,') && line.includes(tent.id)), 'a row for the tent');

  for (const p of pages.list) assert.deepEqual(p.errors, [], `${p.name} logged errors`);
}
