// End-to-end: the token playground in a real headless Chromium (Debian's `chromium`) driven by
// playwright-core, against the real auth-service and resource-service binaries of this build,
// on the test PostgreSQL and Redis that scripts/test.sh starts.
//
//   node tests/browser/playground.test.mjs --bin <build>/bin --screenshot <build>/playground.png
//
// Needs TEST_DATABASE_URL and TEST_REDIS_URL (scripts/services.sh env), `npm ci` in
// tests/browser and /usr/bin/chromium (WITH_BROWSER=1 scripts/deps.sh does both; CHROMIUM
// overrides the path). Exits non-zero with a message on any failure: it never skips.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, access } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { arg, authctl, check, freePort, required } from '../support/e2e.mjs';

const bin = arg('--bin', process.env.OAUTH_BUILD_DIR ? join(process.env.OAUTH_BUILD_DIR, 'bin') : 'build/bin');
const screenshot = arg('--screenshot', join(dirname(bin), 'playground.png'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
// Debian's Chromium as root in a closed network: no sandbox (root), and no background
// networking (its connections would be refused, many at a time).
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
// The README promises Debian 12's node 18 (scripts/node.sh): the log says which one ran.
console.log(`playground e2e on node ${process.version}`);

const children = [];
function start(name, env) {
  const child = spawn(join(bin, name), [], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  child.stderr.on('data', (d) => { log.push(String(d)); if (log.length > 200) log.shift(); });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.label = name;
  child.log = log;
  children.push(child);
  return child;
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

async function main() {
  const databaseUrl = required('TEST_DATABASE_URL');
  const redisUrl = required('TEST_REDIS_URL');
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (_) {
    throw new Error('playwright-core is not installed: run WITH_BROWSER=1 ./scripts/deps.sh (npm ci in tests/browser)');
  }
  await access(chromiumPath).catch(() => {
    throw new Error(`${chromiumPath} not found: run WITH_BROWSER=1 ./scripts/deps.sh (Debian's chromium)`);
  });

  const tmp = await mkdtemp(join(tmpdir(), 'playground-e2e-'));
  const keys = join(tmp, 'keys');
  await mkdir(keys, { mode: 0o700 });
  const base = { PATH: process.env.PATH, LOG_LEVEL: 'warn' };
  let browser;
  try {
    // Schema, key (in the temporary AUTH_KEYS_DIR) and the built-in clients; the test's own
    // password client, since `install` shows an existing client's secret only once.
    const adminEnv = { ...base, DATABASE_URL: databaseUrl, AUTH_KEYS_DIR: keys };
    await authctl(bin, adminEnv, 'install');
    const tag = randomBytes(4).toString('hex');
    const client = await authctl(bin, adminEnv, 'client', 'create', '--name', `playground e2e ${tag}`, '--grants', 'password,refresh_token');
    const email = `playground-${tag}@example.com`;
    const password = randomBytes(12).toString('base64url');
    await authctl(bin, adminEnv, 'user', 'create', '--email', email, '--password', password, '--name', 'Playground',
      '--scopes', 'read-posts,write-posts');

    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const authOrigin = `http://127.0.0.1:${authPort}`;
    const resourceOrigin = `http://127.0.0.1:${resourcePort}`;
    const common = { ...base, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, AUTH_ISSUER: authOrigin, THREADS: '2' };
    const auth = start('auth-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${authPort}`, AUTH_KEYS_DIR: keys, PASSWORD_HASH_THREADS: '1',
      OAUTH_PASSWORD_CLIENT_ID: client.id, OAUTH_PASSWORD_CLIENT_SECRET: client.secret, PLAYGROUND_API_URL: resourceOrigin,
    });
    const resource = start('resource-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${resourcePort}`, AUTH_JWKS_URL: `${authOrigin}/.well-known/jwks.json`,
      CORS_ALLOWED_ORIGINS: authOrigin,
    });
    await waitReady(auth, `${authOrigin}/readyz`);
    await waitReady(resource, `${resourceOrigin}/readyz`);

    browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    // The password panel and the API panel (the code flow's panel has buttons of the same names).
    const passwordPanel = page.locator('#password-flow');
    const apiPanel = page.locator('#api');
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));

    const status = page.locator('#status');
    const expectStatus = async (text) => {
      try {
        await page.waitForFunction((t) => document.getElementById('status').textContent === t, text, { timeout: 15_000 });
      } catch (_) {
        throw new Error(`expected status "${text}", got "${await status.textContent()}": ${await page.locator('#output').textContent()}`);
      }
    };
    const refreshCookie = async () => (await context.cookies()).find((c) => c.name === 'oauth_refresh_token');

    const response = await page.goto(`${authOrigin}/playground`);
    check(response.status() === 200, `GET /playground: ${response.status()}`);
    check((await page.title()) === 'Token playground', 'page title');
    check((await page.locator('#api-base').textContent()) === `${resourceOrigin}/api/posts`, 'API base shown');

    // 1. Log in through the first-party proxy.
    await page.fill('#email', email);
    await page.fill('#password', password);
    await passwordPanel.getByRole('button', { name: 'Get token' }).click();
    await expectStatus('Get token: HTTP 200');
    check((await page.locator('#token-state').textContent()).startsWith('present (scope: read-posts write-posts'), 'token state');
    check(!(await page.locator('#output').textContent()).includes('refresh_token'), 'no refresh_token in the response body');
    const first = await refreshCookie();
    check(first, 'the refresh cookie is set');
    check(first.httpOnly && first.sameSite === 'Strict' && first.path === '/api/oauth', `cookie attributes: ${JSON.stringify({ ...first, value: '…' })}`);
    check(!(await page.evaluate(() => document.cookie)).includes('oauth_refresh_token'), 'script cannot read the refresh cookie');

    // 2. The posts API with the bearer token (cross-origin: CORS on the resource service).
    await apiPanel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectStatus('GET /api/posts: HTTP 200');
    const title = `Playground e2e ${tag}`;
    await page.fill('#post-title', title);
    await page.fill('#post-body', 'Written by headless Chromium through the token playground.');
    await apiPanel.getByRole('button', { name: 'Create post' }).click();
    await expectStatus('POST /api/posts: HTTP 201');
    check((await page.locator('#output').textContent()).includes(title), 'the created post is shown');
    await apiPanel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectStatus('GET /api/posts: HTTP 200');
    check((await page.locator('#posts li .title').first().textContent()) === title, 'the new post is listed first');

    // 3. Refresh from the cookie: a new access token, the cookie rotated.
    await passwordPanel.getByRole('button', { name: 'Refresh' }).click();
    await expectStatus('Refresh: HTTP 200');
    const second = await refreshCookie();
    check(second && second.value !== first.value, 'the refresh cookie rotated');
    await apiPanel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectStatus('GET /api/posts: HTTP 200');

    check(problems.length === 0, `browser problems:\n${problems.join('\n')}`);
    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`playground e2e: ok (screenshot ${screenshot})`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (const c of children) {
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await c.exited;
      clearTimeout(t);
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`playground e2e: FAILED: ${e.message}`);
  process.exit(1);
});
