/**
 * Launches Debian's Chromium headless through playwright-core, with a fake camera and microphone
 * (--use-fake-device-for-media-stream: a moving test pattern and a beep), and collects page errors
 * so a test can assert that no page threw.
 */
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from './server.js';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/** @return {Promise<import('playwright-core').Browser>} */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium (or set CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Opens a page in its own context (own sessionStorage, own camera grant) and records errors.
 *
 * @return {Promise<{page, errors: string[], context}>}
 */
export async function openPage(browser, url, { viewport = { width: 1280, height: 860 }, origin } = {}) {
  const context = await browser.newContext({ viewport });
  if (origin) await context.grantPermissions(['camera', 'microphone'], { origin });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => d.accept());
  // The pages must work offline: no request leaves the Dropcast node (fonts, images, CDNs…).
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/^(https?|wss?):$/.test(u.protocol) && u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') {
      errors.push(`external request: ${r.url()}`);
    }
  });
  if (url) await page.goto(url, { waitUntil: 'load' });
  return { page, errors, context };
}

/** Saves a full-page screenshot to artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0)); // a sticky header would land mid-picture otherwise
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Samples a canvas: mean luminance, distinct colours and a coarse signature, to tell a decoded
 * picture from a blank canvas and to see that it moves between two samples.
 *
 * @return {Promise<{width, height, mean, colours, signature: number[]}>}
 */
export function probeCanvas(page, selector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(sel);
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let n = 0;
    const colours = new Set();
    const signature = [];
    for (let i = 0; i < data.length; i += 4 * 53) {
      const l = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      sum += l;
      n++;
      colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
      if (n % 16 === 0) signature.push(Math.round(l));
    }
    return { width: canvas.width, height: canvas.height, mean: sum / n, colours: colours.size, signature };
  }, selector);
}

/** @return how many signature samples differ by more than 8 luminance levels */
export function signatureChange(a, b) {
  let changed = 0;
  for (let i = 0; i < Math.min(a.signature.length, b.signature.length); i++) {
    if (Math.abs(a.signature[i] - b.signature[i]) > 8) changed++;
  }
  return changed;
}

/**
 * The pages of one scenario, each in its own context (see openPage) with camera rights for
 * `origin`, named for screenshots and error messages.
 *
 * @return {{list, open(url, name, options?), run(prefix, body), close()}} `run` awaits `body` and,
 *     when it throws, saves a screenshot of every page (`<prefix>-failed-<name>`) before rethrowing
 */
export function scenarioPages(browser, origin) {
  const list = [];
  return {
    list,
    async open(url, name, options = {}) {
      const p = await openPage(browser, url, { origin, ...options });
      p.name = name;
      list.push(p);
      return p;
    },
    async run(prefix, body) {
      try {
        return await body();
      } catch (e) {
        for (const p of list) await screenshot(p.page, `${prefix}-failed-${p.name}`).catch(() => {});
        throw e;
      }
    },
    async close() {
      for (const p of list) await p.context.close().catch(() => {});
    },
  };
}
