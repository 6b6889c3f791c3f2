// End-to-end: the playground's "Authorization code + PKCE" panel in a real headless Chromium
// (Debian's `chromium`, playwright-core), against this build's auth-service and
// resource-service binaries on the test PostgreSQL and Redis. The playground is the public
// client `authctl install` makes (redirect URI <AUTH_ISSUER>/playground/callback), and
// AUTH_ISSUER is the origin the browser uses.
//
//   node tests/browser/authorize_flow.test.mjs --bin <build>/bin --screenshot <build>/authorize-flow.png
//
//   1. Start → /login → sign in → the consent page (names the client and both scopes) →
//      Approve → back on /playground/callback, the URL cleaned at once → Exchange code →
//      Call /api/posts (200) → Refresh (rotated) → Call again; a reload replays nothing.
//   2. The same user in a new browser (no session): sign in, and the remembered consent skips
//      the consent page.
//   3. Another user denies: the callback shows access_denied and no token.
//
// Needs what tests/browser/playground.test.mjs needs (TEST_DATABASE_URL, TEST_REDIS_URL,
// playwright-core, /usr/bin/chromium). Exits non-zero with a message on any failure: it never skips.
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { arg, check } from '../support/e2e.mjs';
import { expectPlaygroundStatus, launchChromium, services, watchProblems } from './harness.mjs';

const bin = arg('--bin', process.env.OAUTH_BUILD_DIR ? join(process.env.OAUTH_BUILD_DIR, 'bin') : 'build/bin');
const screenshot = arg('--screenshot', join(dirname(bin), 'authorize-flow.png'));
console.log(`authorize flow e2e on node ${process.version}`);

// One browser context (its own cookies and sessionStorage) on the playground, recording the
// pages it lands on (redirects in between are not "landed on": only committed navigations).
async function openPlayground(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1100 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const landed = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) landed.push(new URL(f.url())); });
  const response = await page.goto(`${origin}/playground`);
  check(response.status() === 200, `GET /playground: ${response.status()}`);
  const panel = page.locator('#code-flow');
  return { context, page, problems, landed, panel };
}

async function waitForPath(page, path, what) {
  try {
    await page.waitForURL((u) => u.pathname === path, { timeout: 15_000 });
  } catch (_) {
    throw new Error(`${what}: expected ${path}, still on ${page.url()}: ${(await page.locator('main').textContent().catch(() => '')).slice(0, 500)}`);
  }
}

async function signIn(page, email, password) {
  await waitForPath(page, '/login', 'Start');
  const returnTo = new URL(page.url()).searchParams.get('return_to') || '';
  check(returnTo.startsWith('/oauth/authorize?'), `return_to: ${returnTo}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const note = (page) => page.locator('#code-note').textContent();

async function main() {
  const servers = new services(bin);
  let browser;
  try {
    await servers.prepare();
    const install = await servers.authctl('install');
    const playground = install.playground_client;
    check(playground && playground.id, `install made no playground client: ${JSON.stringify(install)}`);
    const redirectUri = `${servers.authOrigin}/playground/callback`;
    check(playground.redirect_uris.includes(redirectUri), `playground redirect URIs ${JSON.stringify(playground.redirect_uris)} lack ${redirectUri}`);
    const tag = randomBytes(4).toString('hex');
    const password = randomBytes(12).toString('base64url');
    const approver = `code-flow-${tag}@example.com`;
    const denier = `code-flow-deny-${tag}@example.com`;
    for (const email of [approver, denier])
      await servers.authctl('user', 'create', '--email', email, '--password', password, '--name', 'Code flow', '--scopes', 'read-posts,write-posts');
    await servers.start();
    const { authOrigin } = servers;
    browser = await launchChromium();

    // 1. Login, consent, code, exchange, API, refresh.
    const first = await openPlayground(browser, authOrigin);
    const { page, panel } = first;
    check((await page.locator('#code-client-id').textContent()) === playground.id, 'the panel names the playground client');
    check((await page.locator('#code-redirect-uri').textContent()) === redirectUri, 'the panel shows the redirect URI');
    check(await panel.getByRole('button', { name: 'Exchange code' }).isDisabled(), 'Exchange code waits for a code');
    check(await panel.getByRole('button', { name: 'Call /api/posts' }).isDisabled(), 'Call waits for a token');
    await panel.getByRole('button', { name: 'Start' }).click();
    await signIn(page, approver, password);
    await waitForPath(page, '/oauth/authorize', 'sign in');
    check((await page.title()) === 'Authorize Playground', `consent page title: ${await page.title()}`);
    const scopes = await page.locator('#scopes li').allTextContents();
    check(scopes.length === 2 && scopes.some((s) => s.includes('(read-posts)')) && scopes.some((s) => s.includes('(write-posts)')),
      `the consent page names both scopes: ${JSON.stringify(scopes)}`);
    check(scopes.every((s) => !s.startsWith('(')), `each scope has its description: ${JSON.stringify(scopes)}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await expectPlaygroundStatus(page, 'Authorization response: code received');
    const back = first.landed.find((u) => u.pathname === '/playground/callback');
    check(back && back.searchParams.get('code') && back.searchParams.get('state') && back.searchParams.get('iss') === authOrigin,
      `came back to the callback with code, state and iss: ${back}`);
    check(page.url() === `${authOrigin}/playground`, `the URL is cleaned: ${page.url()}`);
    check((await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'code-exchange', 'focus on Exchange code');
    check((await page.evaluate(() => sessionStorage.length)) === 0, 'the verifier and state are gone from sessionStorage');

    await panel.getByRole('button', { name: 'Exchange code' }).click();
    await expectPlaygroundStatus(page, 'Exchange code: HTTP 200');
    const exchanged = JSON.parse(await page.locator('#output').textContent());
    check(exchanged.token_type === 'Bearer' && exchanged.access_token && exchanged.refresh_token, `token response: ${JSON.stringify(exchanged)}`);
    check(exchanged.scope === 'read-posts write-posts', `scope: ${exchanged.scope}`);
    check((await page.locator('#code-token-state').textContent()).startsWith('present (scope: read-posts write-posts'), 'token state');
    check(await panel.getByRole('button', { name: 'Exchange code' }).isDisabled(), 'a code is exchanged once');
    check((await page.evaluate(() => localStorage.length + sessionStorage.length)) === 0, 'no token in web storage');

    await panel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectPlaygroundStatus(page, 'GET /api/posts (code flow): HTTP 200');
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expectPlaygroundStatus(page, 'Refresh (code flow): HTTP 200');
    const refreshed = JSON.parse(await page.locator('#output').textContent());
    check(refreshed.refresh_token && refreshed.refresh_token !== exchanged.refresh_token, 'the refresh token rotated');
    await panel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectPlaygroundStatus(page, 'GET /api/posts (code flow): HTTP 200');
    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    // A reload is a fresh /playground: no code is sent again.
    const tokenRequests = [];
    page.on('request', (r) => { if (r.url().endsWith('/oauth/token')) tokenRequests.push(r.url()); });
    await page.reload();
    await page.waitForLoadState('load');
    check(page.url() === `${authOrigin}/playground`, `after the reload: ${page.url()}`);
    check(await panel.getByRole('button', { name: 'Exchange code' }).isDisabled(), 'nothing to exchange after a reload');
    check(tokenRequests.length === 0, 'the reload made no token request');
    check(first.problems.length === 0, `browser problems (run 1):\n${first.problems.join('\n')}`);
    await first.context.close();

    // 2. A new browser, the same user: sign in again, and the remembered consent skips the page.
    const second = await openPlayground(browser, authOrigin);
    await second.panel.getByRole('button', { name: 'Start' }).click();
    await signIn(second.page, approver, password);
    await expectPlaygroundStatus(second.page, 'Authorization response: code received');
    check(!second.landed.some((u) => u.pathname === '/oauth/authorize'), `no consent page: ${second.landed.map(String).join(' → ')}`);
    await second.panel.getByRole('button', { name: 'Exchange code' }).click();
    await expectPlaygroundStatus(second.page, 'Exchange code: HTTP 200');
    await second.panel.getByRole('button', { name: 'Call /api/posts' }).click();
    await expectPlaygroundStatus(second.page, 'GET /api/posts (code flow): HTTP 200');
    check(second.problems.length === 0, `browser problems (run 2):\n${second.problems.join('\n')}`);
    await second.context.close();

    // 3. Another user denies: access_denied on the callback, no code, no token.
    const third = await openPlayground(browser, authOrigin);
    await third.panel.getByRole('button', { name: 'Start' }).click();
    await signIn(third.page, denier, password);
    await waitForPath(third.page, '/oauth/authorize', 'sign in (deny run)');
    await third.page.getByRole('button', { name: 'Deny' }).click();
    await expectPlaygroundStatus(third.page, 'Authorization response: access_denied');
    const denied = third.landed.find((u) => u.pathname === '/playground/callback');
    check(denied && denied.searchParams.get('error') === 'access_denied' && !denied.searchParams.has('code'),
      `the callback carried access_denied: ${denied}`);
    check((await note(third.page)).startsWith('access_denied'), `the panel says access_denied: ${await note(third.page)}`);
    check(await third.panel.getByRole('button', { name: 'Exchange code' }).isDisabled(), 'nothing to exchange after a denial');
    check((await third.page.locator('#code-token-state').textContent()) === 'none', 'no token after a denial');
    check(third.problems.length === 0, `browser problems (run 3):\n${third.problems.join('\n')}`);
    await third.context.close();

    console.log(`authorize flow e2e: ok (screenshot ${screenshot})`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await servers.stop();
  }
}

main().catch((e) => {
  console.error(`authorize flow e2e: FAILED: ${e.message}`);
  process.exit(1);
});
