// What the browser tests share: Debian's headless Chromium driven by playwright-core, this
// build's auth-service and resource-service started as processes on the test PostgreSQL and
// Redis, and a watch on whatever goes wrong in a page. Every failure throws with a message:
// nothing here skips.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authctl, freePort, required } from '../support/e2e.mjs';

export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
// Debian's Chromium as root in a closed network: no sandbox (root), and no background
// networking (its connections would be refused, many at a time).
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchChromium() {
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (_) {
    throw new Error('playwright-core is not installed: run WITH_BROWSER=1 ./scripts/deps.sh (npm ci in tests/browser)');
  }
  await access(chromiumPath).catch(() => {
    throw new Error(`${chromiumPath} not found: run WITH_BROWSER=1 ./scripts/deps.sh (Debian's chromium)`);
  });
  return playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

// Console errors (a CSP violation among them), page errors, HTTP errors and failed requests.
export function watchProblems(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  return problems;
}

// Waits for the playground's status line (the Response section) to read exactly `text`.
export async function expectPlaygroundStatus(page, text) {
  try {
    // Null-safe: the page may still be on its way back (the login or consent page has no #status).
    await page.waitForFunction((t) => document.getElementById('status')?.textContent === t, text, { timeout: 15_000 });
  } catch (_) {
    const shown = async (sel) => page.locator(sel).textContent({ timeout: 1000 }).catch(() => `(no ${sel} on ${page.url()})`);
    throw new Error(`expected status "${text}", got "${await shown('#status')}": ${await shown('#output')}`);
  }
}

// A temporary AUTH_KEYS_DIR, the environment authctl needs, and both services once started.
// AUTH_ISSUER is the origin the browser uses (http://127.0.0.1:<auth port>), for authctl too:
// `authctl install` registers <AUTH_ISSUER>/playground/callback for the playground client.
export class services {
  constructor(bin) {
    this.bin = bin;
    this.children = [];
  }

  async prepare() {
    this.tmp = await mkdtemp(join(tmpdir(), 'browser-e2e-'));
    this.keys = join(this.tmp, 'keys');
    await mkdir(this.keys, { mode: 0o700 });
    this.authPort = await freePort();
    this.resourcePort = await freePort();
    this.authOrigin = `http://127.0.0.1:${this.authPort}`;
    this.resourceOrigin = `http://127.0.0.1:${this.resourcePort}`;
    this.base = { PATH: process.env.PATH, LOG_LEVEL: 'warn' };
    this.databaseUrl = required('TEST_DATABASE_URL');
    this.redisUrl = required('TEST_REDIS_URL');
    this.adminEnv = { ...this.base, DATABASE_URL: this.databaseUrl, AUTH_KEYS_DIR: this.keys, AUTH_ISSUER: this.authOrigin };
  }

  authctl(...args) { return authctl(this.bin, this.adminEnv, ...args); }

  // `authEnv`: what the auth service gets besides the common variables.
  async start(authEnv = {}) {
    const common = { ...this.base, DATABASE_URL: this.databaseUrl, REDIS_URL: this.redisUrl, AUTH_ISSUER: this.authOrigin, THREADS: '2' };
    const auth = this.spawn('auth-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${this.authPort}`, AUTH_KEYS_DIR: this.keys, PASSWORD_HASH_THREADS: '1',
      PLAYGROUND_API_URL: this.resourceOrigin, ...authEnv,
    });
    const resource = this.spawn('resource-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${this.resourcePort}`, AUTH_JWKS_URL: `${this.authOrigin}/.well-known/jwks.json`,
      CORS_ALLOWED_ORIGINS: this.authOrigin,
    });
    await waitReady(auth, `${this.authOrigin}/readyz`);
    await waitReady(resource, `${this.resourceOrigin}/readyz`);
  }

  spawn(name, env) {
    const child = spawn(join(this.bin, name), [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const log = [];
    child.stderr.on('data', (d) => { log.push(String(d)); if (log.length > 200) log.shift(); });
    child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.label = name;
    child.log = log;
    this.children.push(child);
    return child;
  }

  async stop() {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    for (const c of this.children) {
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await c.exited;
      clearTimeout(t);
    }
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
  }
}

async function waitReady(child, url) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${child.label} exited (${child.exitCode}): ${child.log.join('').slice(-2000)}`);
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch (_) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.label} not ready at ${url}: ${child.log.join('').slice(-2000)}`);
}
