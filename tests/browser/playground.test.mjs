// End-to-end: the token playground in a real headless Chromium (Debian's `chromium`) driven by
// playwright-core, against the real auth-service and resource-service binaries of this build,
// on the test PostgreSQL and Redis that scripts/test.sh starts.
//
//   node tests/browser/playground.test.mjs --bin <build>/bin --screenshot <build>/playground.png
//
// Needs TEST_DATABASE_URL and TEST_REDIS_URL (scripts/services.sh env), `npm ci` in
// tests/browser and /usr/bin/chromium (WITH_BROWSER=1 scripts/deps.sh does both; CHROMIUM
// overrides the path). Exits non-zero with a message on any failure: it never skips.
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { arg, check } from '../support/e2e.mjs';
import { expectPlaygroundStatus, launchChromium, services, watchProblems } from './harness.mjs';

const bin = arg('--bin', process.env.OAUTH_BUILD_DIR ? join(process.env.OAUTH_BUILD_DIR, 'bin') : 'build/bin');
const screenshot = arg('--screenshot', join(dirname(bin), 'playground.png'));
// The README promises Debian 12's node 18 (scripts/node.sh): the log says which one ran.
console.log(`playground e2e on node ${process.version}`);

async function main() {
  const servers = new services(bin);
  let browser;
  try {
    // Schema, key (in the temporary AUTH_KEYS_DIR) and the built-in clients; the test's own
    // password client, since `install` shows an existing client's secret only once.
    await servers.prepare();
    await servers.authctl('install');
    const tag = randomBytes(4).toString('hex');
    const client = await servers.authctl('client', 'create', '--name', `playground e2e ${tag}`, '--grants', 'password,refresh_token');
    const email = `playground-${tag}@example.com`;
    const password = randomBytes(12).toString('base64url');
    await servers.authctl('user', 'create', '--email', email, '--password', password, '--name', 'Playground',
      '--scopes', 'read-posts,write-posts');

    await servers.start({ OAUTH_PASSWORD_CLIENT_ID: client.id, OAUTH_PASSWORD_CLIENT_SECRET: client.secret });
    const { authOrigin, resourceOrigin } = servers;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    // The password panel and the API panel (the code flow's panel has buttons of the same names).
    const passwordPanel = page.locator('#password-flow');
    const apiPanel = page.locator('#api');

    const expectStatus = (text) => expectPlaygroundStatus(page, text);
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
    await servers.stop();
  }
}

main().catch((e) => {
  console.error(`playground e2e: FAILED: ${e.message}`);
  process.exit(1);
});
