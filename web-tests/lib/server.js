/**
 * Starts the Dropcast server jar (demo mode, in-memory store) on a free port for a test file and
 * reads the demo banner: brand key, admin key, show id and the host/moderator/viewer tokens.
 *
 * The jar is server/target/dropcast-server.jar (build it first: ./mvnw -q -B -DskipTests package),
 * or WEB_TESTS_JAR (not DROPCAST_*: the server refuses unknown DROPCAST_ variables). Java is `java` on PATH, or JAVA. The process is killed by its pid in stop().
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..', '..');
export const ARTIFACTS = resolve(here, '..', 'artifacts');

/** @return a free TCP port on 127.0.0.1 */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * @param {{name?: string, env?: object, timeoutMs?: number}} [options] name: log file name in artifacts/
 * @return {Promise<{base, port, brandKey, adminKey, showId, hostToken, moderatorToken, viewerToken, stop}>}
 */
export async function startServer(options = {}) {
  const jar = process.env.WEB_TESTS_JAR || join(REPO, 'server', 'target', 'dropcast-server.jar');
  if (!existsSync(jar)) throw new Error(`${jar} is missing; build it with ./mvnw -q -B -DskipTests package`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  const log = createWriteStream(join(ARTIFACTS, `${options.name || 'server'}.log`));
  const child = spawn(process.env.JAVA || 'java', ['-jar', jar], {
    cwd: REPO,
    env: { ...process.env, DROPCAST_DEMO: 'true', DROPCAST_PORT: String(port), DROPCAST_HOST: '127.0.0.1',
      DROPCAST_PUBLIC_URL: `http://127.0.0.1:${port}`, ...(options.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; log.write(d); });
  child.stderr.on('data', (d) => log.write(d));
  const exited = new Promise((res) => child.on('exit', (code) => res(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}; see artifacts/${options.name || 'server'}.log`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('server did not start in time');
    }
    if (/Dropcast listening/.test(out) || /={20,}\s*$/m.test(out)) {
      try {
        const r = await fetch(`${base}/health`);
        if (r.ok && /Viewer token/.test(out)) break;
      } catch { /* not yet */ }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const field = (label) => {
    const m = out.match(new RegExp(`${label}\\s+(\\S+)`));
    if (!m) throw new Error(`banner has no '${label}'`);
    return m[1];
  };
  return {
    base,
    port,
    brandKey: field('Brand key'),
    adminKey: field('Admin key'),
    showId: field('Show'),
    hostToken: field('Host token'),
    moderatorToken: field('Moderator token'),
    viewerToken: field('Viewer token'),
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      log.end();
    },
  };
}

/** Calls the REST API with a key. @return {Promise<{status, body}>} */
export async function rest(server, method, path, key, body) {
  const r = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: r.status, body: json };
}
