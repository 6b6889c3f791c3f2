// End to end with a real third-party client library: oauth4webapi (tests/client, pinned by its
// package-lock.json) drives the authorization code flow with PKCE against this build's
// auth-service and resource-service, as an application written by someone else would:
// discovery (RFC 8414), the authorization URL (PKCE S256, state), the authorization response
// (state and RFC 9207 `iss` checked by the library), the code exchange as a public client, a
// call to the posts API, the refresh, and the replayed code (invalid_grant, and the tokens
// issued with it revoked). A second run denies consent and the library must report
// access_denied. The user in between is played with plain fetch: no redirect followed by
// itself, cookies kept by hand, the login and consent forms submitted as a browser would.
//
//   scripts/node.sh tests/e2e/oauth4webapi.test.mjs --bin <build>/bin
//
// Needs TEST_DATABASE_URL and TEST_REDIS_URL (scripts/services.sh env) and tests/client's
// node_modules (WITH_BROWSER=1 scripts/deps.sh). Exits non-zero with a message on any
// deviation; it never skips, and it works around nothing the library refuses.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { randomBytes, webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, authctl, check, freePort, required } from '../support/e2e.mjs';

// Node 18 has Web Crypto only as node:crypto's webcrypto; oauth4webapi uses the global one
// (node 19 and later define it), so it is installed before the library is loaded.
globalThis.crypto ??= webcrypto;

const bin = arg('--bin', process.env.OAUTH_BUILD_DIR ? join(process.env.OAUTH_BUILD_DIR, 'bin') : 'build/bin');
console.log(`oauth4webapi e2e on node ${process.version}`);

async function loadLibrary() {
  const fromClientDir = createRequire(new URL('../client/package.json', import.meta.url));
  let path;
  try {
    path = fromClientDir.resolve('oauth4webapi');
  } catch (_) {
    throw new Error('oauth4webapi is not installed: run WITH_BROWSER=1 ./scripts/deps.sh (npm ci in tests/client)');
  }
  const version = fromClientDir('oauth4webapi/package.json').version;
  return { oauth: await import(pathToFileURL(path).href), version };
}

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
      if ((await fetch(url)).status === 200) return;
    } catch (_) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.label} not ready at ${url}: ${child.log.join('').slice(-2000)}`);
}

// The user's browser, reduced to what the flow needs: one origin's cookies, redirects seen one
// at a time, forms posted with the headers a browser adds to a same-origin form submission.
class Browser {
  constructor(origin) {
    this.origin = origin;
    this.cookies = new Map();
  }

  keepCookies(response) {
    const lines = typeof response.headers.getSetCookie === 'function'
      ? response.headers.getSetCookie()
      : (response.headers.get('set-cookie') || '').split(/,(?=\s*[A-Za-z0-9_.-]+=)/);
    for (const line of lines) {
      const pair = line.split(';')[0].trim();
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      const expired = /;\s*max-age=0\b/i.test(line) || value === '';
      if (expired) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }

  async request(method, url, form) {
    const target = new URL(url, this.origin);
    check(target.origin === this.origin, `the browser was sent off the auth service: ${target}`);
    const headers = {};
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers.Origin = this.origin;
      headers['Sec-Fetch-Site'] = 'same-origin';
    }
    const response = await fetch(target, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    this.keepCookies(response);
    const body = await response.text();
    return { status: response.status, location: response.headers.get('location'), body, url: target.href };
  }
}

function expectRedirect(r, status, what) {
  check(r.status === status && r.location, `${what}: HTTP ${r.status} (want ${status} with a Location) at ${r.url}: ${r.body.slice(0, 500)}`);
  return r.location;
}

const entities = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescape = (s) => s.replace(/&(quot|#39|lt|gt|amp);/g, (m) => entities[m]);

// The hidden inputs of the page's form posting to `action`, in document order.
function hiddenInputs(html, action) {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  const form = forms.find((f) => new RegExp(`\\baction="${action.replace(/[/?]/g, '\\$&')}"`).test(f[1]));
  check(form, `no <form action="${action}"> in the page: ${html.slice(0, 1500)}`);
  check(/\bmethod="post"/i.test(form[1]), `the form posting to ${action} is not method="post": ${form[0].slice(0, 300)}`);
  const fields = [];
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const attr = (name) => { const m = new RegExp(`\\b${name}="([^"]*)"`).exec(input[1]); return m && unescape(m[1]); };
    if (attr('type') === 'hidden') fields.push([attr('name'), attr('value') ?? '']);
  }
  return { fields, html: form[0] };
}

async function main() {
  const databaseUrl = required('TEST_DATABASE_URL');
  const redisUrl = required('TEST_REDIS_URL');
  const { oauth, version } = await loadLibrary();
  console.log(`oauth4webapi ${version}`);

  const tmp = await mkdtemp(join(tmpdir(), 'oauth4webapi-e2e-'));
  const keys = join(tmp, 'keys');
  await mkdir(keys, { mode: 0o700 });
  const base = { PATH: process.env.PATH, LOG_LEVEL: 'warn' };
  try {
    const adminEnv = { ...base, DATABASE_URL: databaseUrl, AUTH_KEYS_DIR: keys };
    await authctl(bin, adminEnv, 'install');
    const tag = randomBytes(4).toString('hex');
    const email = `oauth4webapi-${tag}@example.com`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    await authctl(bin, adminEnv, 'user', 'create', '--email', email, '--password', password, '--name', 'Third-party user',
      '--scopes', 'read-posts,write-posts');
    // A native app's public client with a loopback redirect URI: any port matches (RFC 8252 §7.3).
    const app = await authctl(bin, adminEnv, 'client', 'create', '--name', 'Third-party app',
      '--grants', 'authorization_code,refresh_token', '--public', '--redirect-uri', 'http://127.0.0.1/cb');
    check(typeof app.id === 'string' && app.id && !app.secret, `client create --public: ${JSON.stringify(app)}`);

    const [authPort, resourcePort, appPort] = [await freePort(), await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    const api = `http://127.0.0.1:${resourcePort}`;
    const common = { ...base, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, AUTH_ISSUER: issuer, THREADS: '2' };
    const authChild = start('auth-service', { ...common, LISTEN_ADDR: `127.0.0.1:${authPort}`, AUTH_KEYS_DIR: keys, PASSWORD_HASH_THREADS: '1' });
    const resourceChild = start('resource-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${resourcePort}`, AUTH_JWKS_URL: `${issuer}/.well-known/jwks.json`,
    });
    await waitReady(authChild, `${issuer}/readyz`);
    await waitReady(resourceChild, `${api}/readyz`);

    // --- The application: discovery. Plain http on loopback needs the library's opt-in.
    const insecure = { [oauth.allowInsecureRequests]: true };
    const issuerUrl = new URL(issuer);
    const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', ...insecure }));
    check(as.authorization_endpoint === `${issuer}/oauth/authorize`, `authorization_endpoint: ${as.authorization_endpoint}`);
    check(as.token_endpoint === `${issuer}/oauth/token`, `token_endpoint: ${as.token_endpoint}`);
    check(as.code_challenge_methods_supported?.includes('S256'), `code_challenge_methods_supported: ${as.code_challenge_methods_supported}`);
    check(as.authorization_response_iss_parameter_supported === true, 'authorization_response_iss_parameter_supported is not true');
    const client = { client_id: app.id };
    const clientAuth = oauth.None();
    const redirectUri = `http://127.0.0.1:${appPort}/cb`;

    // An authorization request as the library's users write it; the URL is what the app opens.
    async function authorizationRequest(extra = {}) {
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint);
      url.searchParams.set('client_id', client.client_id);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'read-posts');
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('state', state);
      for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
      return { url, codeVerifier, state };
    }

    // The URL the browser lands on at the app: the redirect URI with the response parameters.
    function callback(location) {
      const url = new URL(location);
      check(`${url.origin}${url.pathname}` === redirectUri, `redirected to ${location}, not to the app's ${redirectUri}`);
      return url;
    }

    // --- The user: not signed in → the login form → back to the authorization request → consent.
    const browser = new Browser(issuer);
    async function consentPage(authorizeUrl, { signIn }) {
      let r = await browser.request('GET', authorizeUrl.href);
      if (signIn) {
        const loginUrl = new URL(expectRedirect(r, 302, 'authorize without a session'), issuer);
        check(loginUrl.pathname === '/login' && loginUrl.searchParams.get('return_to'), `authorize sent the user to ${loginUrl}`);
        r = await browser.request('GET', loginUrl.href);
        check(r.status === 200, `GET /login: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
        check(browser.cookies.has('oauth_login_csrf'), 'GET /login set no oauth_login_csrf cookie');
        const login = hiddenInputs(r.body, '/login');
        check(login.fields.some(([k]) => k === 'csrf_token'), `the login form has no hidden csrf_token: ${login.html}`);
        r = await browser.request('POST', '/login', [['email', email], ['password', password], ...login.fields]);
        const back = new URL(expectRedirect(r, 303, 'POST /login'), issuer);
        check(browser.cookies.has('oauth_session'), 'POST /login set no oauth_session cookie');
        check(back.pathname === '/oauth/authorize' && back.searchParams.get('state') === authorizeUrl.searchParams.get('state'),
          `after the login the user went to ${back}, not back to the authorization request`);
        r = await browser.request('GET', back.href);
      }
      check(r.status === 200, `the consent page: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
      check(r.body.includes('Third-party app'), 'the consent page does not name the client');
      const consent = hiddenInputs(r.body, '/oauth/authorize');
      check(/name="decision"[^>]*value="approve"|value="approve"[^>]*name="decision"/.test(consent.html) &&
        /name="decision"[^>]*value="deny"|value="deny"[^>]*name="decision"/.test(consent.html), `the consent form has no approve and deny buttons: ${consent.html}`);
      return consent.fields;
    }

    // === Run 1: approve. ===
    const first = await authorizationRequest();
    const fields = await consentPage(first.url, { signIn: true });
    const approved = await browser.request('POST', '/oauth/authorize', [...fields, ['decision', 'approve']]);
    const callbackUrl = callback(expectRedirect(approved, 302, 'approve'));
    check(callbackUrl.searchParams.get('code'), `no code in ${callbackUrl}`);

    // --- The application again: the library checks state and iss, exchanges the code.
    const params = oauth.validateAuthResponse(as, client, callbackUrl, first.state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, first.codeVerifier, insecure));
    check(tokens.token_type === 'bearer', `token_type: ${tokens.token_type}`);
    check(typeof tokens.refresh_token === 'string' && tokens.refresh_token.length > 0, 'no refresh_token for a client with that grant');
    check(typeof tokens.expires_in === 'number' && tokens.expires_in > 0, `expires_in: ${tokens.expires_in}`);
    check(tokens.scope === undefined || tokens.scope.split(' ').includes('read-posts'), `scope: ${tokens.scope}`);

    const posts = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${api}/api/posts`), undefined, undefined, insecure);
    const postsBody = await posts.text();
    check(posts.status === 200, `GET /api/posts with the access token: HTTP ${posts.status}: ${postsBody}`);
    const listed = JSON.parse(postsBody);
    check(Array.isArray(listed.data), `GET /api/posts: ${JSON.stringify(listed).slice(0, 300)}`);

    const refreshed = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, insecure));
    check(typeof refreshed.access_token === 'string' && refreshed.access_token !== tokens.access_token, 'the refresh gave no new access token');
    check(typeof refreshed.refresh_token === 'string' && refreshed.refresh_token !== tokens.refresh_token, 'the refresh did not rotate the refresh token');
    const again = await oauth.protectedResourceRequest(refreshed.access_token, 'GET', new URL(`${api}/api/posts`), undefined, undefined, insecure);
    check(again.status === 200, `GET /api/posts with the refreshed access token: HTTP ${again.status}: ${await again.text()}`);

    // The same code a second time: invalid_grant, as the library reports an OAuth error body.
    let replay;
    try {
      await oauth.processAuthorizationCodeResponse(as, client,
        await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, first.codeVerifier, insecure));
    } catch (e) {
      replay = e;
    }
    check(replay instanceof oauth.ResponseBodyError && replay.error === 'invalid_grant' && replay.status === 400,
      `the code presented again: ${replay ? `${replay.name} ${replay.error ?? ''} ${replay.message}` : 'accepted'}`);
    // ... and the tokens issued with it are revoked (RFC 6749 §4.1.2; CONTRACT: within 1 s).
    let dead;
    try {
      await oauth.processRefreshTokenResponse(as, client,
        await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshed.refresh_token, insecure));
    } catch (e) {
      dead = e;
    }
    check(dead instanceof oauth.ResponseBodyError && dead.error === 'invalid_grant',
      `the refresh token of a replayed code: ${dead ? `${dead.name} ${dead.error ?? ''} ${dead.message}` : 'still refreshes'}`);
    let refused = false;
    for (const until = Date.now() + 3000; !refused && Date.now() < until;) {
      try {
        const r = await oauth.protectedResourceRequest(refreshed.access_token, 'GET', new URL(`${api}/api/posts`), undefined, undefined, insecure);
        await r.body?.cancel();
      } catch (e) {
        refused = e instanceof oauth.WWWAuthenticateChallengeError && e.status === 401;
        if (!refused) throw e;
      }
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    check(refused, 'the access token of a replayed code is still accepted by the resource service after 3 s');

    // === Run 2: deny (prompt=consent, since the first run's consent is remembered). ===
    const second = await authorizationRequest({ prompt: 'consent' });
    const denyFields = await consentPage(second.url, { signIn: false });
    const denied = await browser.request('POST', '/oauth/authorize', [...denyFields, ['decision', 'deny']]);
    const deniedUrl = callback(expectRedirect(denied, 302, 'deny'));
    let refusal;
    try {
      oauth.validateAuthResponse(as, client, deniedUrl, second.state);
    } catch (e) {
      refusal = e;
    }
    check(refusal instanceof oauth.AuthorizationResponseError && refusal.error === 'access_denied',
      `the denied authorization (${deniedUrl.search}): ${refusal ? `${refusal.name} ${refusal.error ?? ''} ${refusal.message}` : 'accepted'}`);

    for (const c of children) c.kill('SIGTERM');
    for (const c of children) {
      const { code } = await c.exited;
      check(code === 0, `${c.label} exited with ${code}: ${c.log.join('').slice(-2000)}`);
    }
    console.log('oauth4webapi: discovery, PKCE, approve, code exchange, posts, refresh, replayed code refused and its tokens revoked, deny: all passed');
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const detail = e.cause ? ` (cause: ${JSON.stringify(e.cause, (k, v) => (v instanceof URLSearchParams ? v.toString() : v))})` : '';
  console.error(`oauth4webapi e2e: FAILED: ${e.name}: ${e.message}${detail}`);
  if (!(e.message || '').length || e instanceof TypeError) console.error(e.stack);
  process.exit(1);
});
