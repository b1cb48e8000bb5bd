/**
 * One browser scenario against the real server: registers node:test hooks that start the server jar
 * (demo mode; see server.js) and Chromium before the file's tests and stop both, with every page
 * the scenario opened, after them.
 */
import { before, after } from 'node:test';
import { startServer } from './server.js';
import { launch, scenarioPages } from './browser.js';

/**
 * @param {string} name the server log is artifacts/<name>-server.log
 * @param {{env?: object}} [serverOptions] passed to startServer (e.g. DROPCAST_* settings)
 * @return {{server, browser, pages}} filled in by the `before` hook
 */
export function liveScenario(name, serverOptions = {}) {
  const live = { server: null, browser: null, pages: null };
  before(async () => {
    live.server = await startServer({ name: `${name}-server`, ...serverOptions });
    live.browser = await launch();
    live.pages = scenarioPages(live.browser, live.server.base);
  });
  after(async () => {
    await live.pages?.close();
    await live.browser?.close();
    await live.server?.stop();
  });
  return live;
}
