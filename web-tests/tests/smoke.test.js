// Browser smoke tests that need only the foundation server: every page loads without script errors,
// the embeddable client connects and gets its hello (token, guest, bad token), the WebCodecs
// pipeline encodes the fake camera and decodes it again in the browser, the console's sign-in, and
// the demo banner's links. Screenshots go to web-tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, rest, ARTIFACTS } from '../lib/server.js';
import { launch, openPage, screenshot, probeCanvas, signatureChange } from '../lib/browser.js';

let server;
let browser;

before(async () => {
  server = await startServer({ name: 'smoke-server' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('every_page_loads_without_script_errors', async () => {
  const pages = {
    index: '/',
    'watch-guest': `/watch.html?show=${server.showId}`,
    'watch-viewer': `/watch.html?show=${server.showId}&token=${server.viewerToken}`,
    'studio-host': `/studio.html?token=${server.hostToken}`,
    console: '/console.html',
  };
  for (const [name, path] of Object.entries(pages)) {
    const { page, errors, context } = await openPage(browser, server.base + path, { origin: server.base });
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await screenshot(page, `smoke-${name}`);
    assert.deepEqual(errors, [], `${name} logged errors`);
    await context.close();
  }
});

test('the_viewer_page_is_usable_on_a_phone', async () => {
  const { page, errors, context } = await openPage(browser, `${server.base}/watch.html?show=${server.showId}&token=${server.viewerToken}`,
    { viewport: { width: 390, height: 844 } });
  await page.waitForFunction(() => document.getElementById('who').textContent.includes('Cleo'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await screenshot(page, 'smoke-watch-phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the_js_client_connects_and_gets_its_hello', async () => {
  const { page, errors, context } = await openPage(browser, `${server.base}/`);
  const result = await page.evaluate(async ({ viewer }) => {
    const { connect } = await import('/js/dropcast.js');
    const out = {};
    const c = await connect({ token: viewer });
    out.user = c.user;
    out.protocol = c.hello.protocol;
    out.limits = Object.keys(c.hello.limits || {});
    out.ping = typeof (await c.request('ping', null, {})).time;
    try {
      await c.request('no.such.op', null, {});
    } catch (e) {
      out.unknownOp = e.code;
    }
    c.close();
    const guest = await connect({});
    out.guestUser = guest.user;
    guest.close();
    try {
      await connect({ token: 'not-a-token', reconnect: false });
    } catch (e) {
      out.badToken = e.code;
    }
    return out;
  }, { viewer: server.viewerToken });
  assert.equal(result.user.userId, 'viewer-cleo');
  assert.equal(result.user.role, 'viewer');
  assert.equal(result.user.show, server.showId);
  assert.equal(result.protocol, 1);
  assert.ok(result.limits.includes('maxTextBytes'), 'hello announces limits');
  assert.equal(result.ping, 'number');
  assert.equal(result.unknownOp, 'BAD_REQUEST');
  assert.equal(result.guestUser, null);
  assert.equal(result.badToken, 'UNAUTHORIZED');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the_fake_camera_is_encoded_and_decoded_in_the_browser', async () => {
  const { page, errors, context } = await openPage(browser, `${server.base}/`, { origin: server.base });
  // Loopback: MediaPublisher → packed frames → unpack → MediaPlayer, no server involved.
  const stats = await page.evaluate(async () => {
    const { unpackMediaFrame } = await import('/js/dropcast.js');
    const { MediaPublisher, MediaPlayer, captureCamera } = await import('/js/media.js');
    const canvas = document.createElement('canvas');
    canvas.id = 'loopback';
    canvas.style.cssText = 'width:640px;height:360px;display:block';
    document.body.prepend(canvas);
    const player = new MediaPlayer(canvas);
    const fakeClient = { bufferedAmount: 0, sendMedia: (bytes) => { player.push(unpackMediaFrame(bytes)); return true; } };
    const stream = await captureCamera({ width: 640, height: 360, framerate: 30 });
    const pub = new MediaPublisher(fakeClient, stream);
    await pub.start();
    const t0 = Date.now();
    while (player.stats.framesDecoded < 60 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
    window.loopback = { pub, stream, player };
    return { publisher: pub.stats, player: player.stats };
  });
  // A real, moving picture: not black, several colours, and it changes over half a second.
  const first = await probeCanvas(page, '#loopback');
  await page.waitForTimeout(500);
  const second = await probeCanvas(page, '#loopback');
  await page.evaluate(() => { window.loopback.pub.stop(); window.loopback.stream.getTracks().forEach((t) => t.stop()); });

  await screenshot(page, 'smoke-webcodecs-loopback');
  writeFileSync(join(ARTIFACTS, 'smoke-webcodecs.json'), JSON.stringify(stats, null, 2));
  console.log(`loopback: codec ${stats.publisher.videoCodec} via ${stats.publisher.path}, ${stats.player.framesDecoded} frames decoded, `
    + `encode+decode latency p50 ${stats.player.latencyP50Ms} ms p95 ${stats.player.latencyP95Ms} ms, audio ${stats.publisher.audioFrames} frames`);
  assert.ok(stats.player.framesDecoded >= 60, `decoded ${stats.player.framesDecoded} frames`);
  assert.ok(stats.publisher.keyFrames >= 1);
  assert.ok(stats.player.audioDecoded > 0, 'opus audio decoded');
  assert.ok(first.mean > 10 && first.colours >= 2, `the canvas shows a picture (mean ${first.mean}, ${first.colours} colours)`);
  assert.ok(signatureChange(first, second) > 0, 'the picture moves');
  assert.ok(stats.player.latencyP50Ms >= 0 && stats.player.latencyP50Ms < 1000, `loopback latency ${stats.player.latencyP50Ms} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the_console_refuses_a_wrong_key_and_signs_in_with_the_brand_key', async (t) => {
  const { page, errors, context } = await openPage(browser, `${server.base}/console.html`);
  await page.fill('#api-key', 'dck_wrong');
  await page.click('#signin-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('signin-error').textContent.length > 0);
  assert.match(await page.textContent('#signin-error'), /not accepted/);

  const products = await rest(server, 'GET', '/products', server.brandKey);
  if (products.status !== 200) {
    // The catalog REST routes (issue "Foundation"/REST helper) are not in this build yet.
    t.diagnostic(`GET /api/v1/products answered ${products.status}; signing in with the brand key is checked once the REST routes are merged`);
  } else {
    await page.fill('#api-key', server.brandKey);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#products tr[data-id]');
    assert.match(await page.textContent('#products'), /Ultralight 2-person tent/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('dropcast.apiKey')), server.brandKey);
  }
  await screenshot(page, 'smoke-console');
  assert.deepEqual(errors.filter((e) => !/401|404/.test(e)), []);
  await context.close();
});

test('the_demo_banner_prints_working_page_links', async () => {
  const out = server.output();
  const links = [...out.matchAll(/(http:\/\/\S+\/(?:studio|watch|console)\.html\S*)/g)].map((m) => m[1]);
  assert.ok(links.some((l) => l.includes('/studio.html?token=')), 'studio link');
  assert.ok(links.some((l) => /watch\.html\?show=shw_\w+&token=/.test(l)), 'viewer link');
  assert.ok(links.some((l) => /watch\.html\?show=shw_\w+$/.test(l)), 'guest link');
  assert.ok(links.some((l) => l.endsWith('/console.html')), 'console link');
  for (const l of links) {
    const r = await fetch(l);
    assert.equal(r.status, 200, l);
    assert.match(r.headers.get('content-type'), /text\/html/);
  }
  const js = await fetch(`${server.base}/js/dropcast.js`);
  assert.match(js.headers.get('content-type'), /javascript/);
  const missing = await fetch(`${server.base}/no-such-page.html`);
  assert.equal(missing.status, 404);
});
