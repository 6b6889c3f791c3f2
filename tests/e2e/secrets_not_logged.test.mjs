// End to end: no secret ever reaches a log. The real auth-service and resource-service run with
// LOG_LEVEL=debug and the access log on; the test logs in (right and wrong passwords), refreshes
// (API and first-party cookie), fails and passes client authentication both ways, creates a
// personal access token, introspects and revokes, and lives through a Redis outage; then every
// byte the services wrote to stderr is searched for every secret it handled: passwords (right and
// wrong), client secrets (right and wrong), refresh tokens, access tokens, the personal access
// token and the PostgreSQL password of DATABASE_URL.
//
//   scripts/node.sh tests/e2e/secrets_not_logged.test.mjs --bin <build>/bin
//
// Needs TEST_DATABASE_URL, TEST_REDIS_URL and TEST_SERVICES_SCRIPT (scripts/services.sh env).
// Plain node 18 (fetch, child_process): no npm package. Exits non-zero with a message on any
// failure; it never skips.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { arg, authctl, check, freePort, required } from '../support/e2e.mjs';

const run = promisify(execFile);

const bin = arg('--bin', process.env.OAUTH_BUILD_DIR ? join(process.env.OAUTH_BUILD_DIR, 'bin') : 'build/bin');

async function services(verb, which) {
  await run(required('TEST_SERVICES_SCRIPT'), [verb, which], { timeout: 60_000 });
}

// Every byte of stderr, kept whole: the assertion is about all of it.
const children = [];
function start(name, env) {
  const child = spawn(join(bin, name), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = [];
  child.stdout.on('data', (d) => child.output.push(String(d)));
  child.stderr.on('data', (d) => child.output.push(String(d)));
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.label = name;
  children.push(child);
  return child;
}

async function waitFor(url, want, child) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${child.label} exited: ${child.output.join('').slice(-2000)}`);
    try {
      if ((await fetch(url)).status === want) return;
    } catch (_) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${want} within 30 s`);
}

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function main() {
  const databaseUrl = required('TEST_DATABASE_URL');
  const redisUrl = required('TEST_REDIS_URL');
  // The test cluster trusts loopback, so a password in the URL is accepted and never asked
  // for: the services hold it exactly as an operator's would, and must not print it.
  const dbPassword = `pgpw-${randomBytes(9).toString('hex')}`;
  const dbUrl = databaseUrl.replace('postgresql://oauth@', `postgresql://oauth:${dbPassword}@`);
  check(dbUrl.includes(dbPassword), `cannot add a password to ${databaseUrl}`);

  const tmp = await mkdtemp(join(tmpdir(), 'secrets-e2e-'));
  const keys = join(tmp, 'keys');
  await mkdir(keys, { mode: 0o700 });
  const base = { PATH: process.env.PATH, LOG_LEVEL: 'debug' };
  const secrets = new Map();  // label → value
  const keep = (label, value) => {
    check(typeof value === 'string' && value.length >= 8, `${label}: no usable value (${value})`);
    secrets.set(label, value);
    return value;
  };
  let redisStopped = false;
  try {
    const adminEnv = { ...base, DATABASE_URL: dbUrl, AUTH_KEYS_DIR: keys };
    await authctl(bin, adminEnv, 'install');
    const tag = randomBytes(4).toString('hex');
    // --first-party: the proxy's client, whose users' tokens may create personal access tokens.
    const web = await authctl(bin, adminEnv, 'client', 'create', '--name', `secrets e2e web ${tag}`, '--grants', 'password,refresh_token',
      '--first-party');
    const m2m = await authctl(bin, adminEnv, 'client', 'create', '--name', `secrets e2e m2m ${tag}`, '--grants', 'client_credentials');
    keep('web client secret', web.secret);
    keep('m2m client secret', m2m.secret);
    const email = `secrets-${tag}@example.com`;
    const password = keep('user password', `pw-${randomBytes(12).toString('base64url')}`);
    await authctl(bin, adminEnv, 'user', 'create', '--email', email, '--password', password, '--scopes', 'read-posts,write-posts');
    keep('PostgreSQL password', dbPassword);

    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const auth = `http://127.0.0.1:${authPort}`;
    const api = `http://127.0.0.1:${resourcePort}`;
    const common = { ...base, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, AUTH_ISSUER: auth, THREADS: '2' };
    const authChild = start('auth-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${authPort}`, AUTH_KEYS_DIR: keys, PASSWORD_HASH_THREADS: '1',
      OAUTH_PASSWORD_CLIENT_ID: web.id, OAUTH_PASSWORD_CLIENT_SECRET: web.secret, REDIS_COMMAND_TIMEOUT_MS: '1000',
    });
    const resourceChild = start('resource-service', {
      ...common, LISTEN_ADDR: `127.0.0.1:${resourcePort}`, AUTH_JWKS_URL: `${auth}/.well-known/jwks.json`,
    });
    await waitFor(`${auth}/readyz`, 200, authChild);
    await waitFor(`${api}/readyz`, 200, resourceChild);

    const form = (fields) => new URLSearchParams(fields).toString();
    const post = (path, body, headers = {}) =>
      fetch(`${auth}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } });
    const json = async (r, want, what) => {
      const text = await r.text();
      check(r.status === want, `${what}: HTTP ${r.status} (want ${want}): ${text}`);
      return text ? JSON.parse(text) : {};
    };

    // Password grant: right, then wrong guesses (each a secret of its own).
    const login = await json(await post('/oauth/token', form({ grant_type: 'password', username: email, password, scope: 'read-posts write-posts' }),
      { Authorization: basic(web.id, web.secret) }), 200, 'password grant');
    keep('access token (password grant)', login.access_token);
    keep('refresh token (password grant)', login.refresh_token);
    for (let i = 0; i < 2; i++) {
      const guess = keep(`wrong password ${i}`, `guess-${randomBytes(9).toString('hex')}`);
      await json(await post('/oauth/token', form({ grant_type: 'password', username: email, password: guess }),
        { Authorization: basic(web.id, web.secret) }), 400, 'wrong password');
    }

    // Refresh rotation.
    const rotated = await json(await post('/oauth/token', form({ grant_type: 'refresh_token', refresh_token: login.refresh_token }),
      { Authorization: basic(web.id, web.secret) }), 200, 'refresh');
    keep('access token (refresh)', rotated.access_token);
    keep('refresh token (rotated)', rotated.refresh_token);

    // Client authentication: wrong secrets by Basic and by post, then client credentials.
    const wrongSecret = keep('wrong client secret', `cs-${randomBytes(12).toString('hex')}`);
    await json(await post('/oauth/token', form({ grant_type: 'client_credentials' }), { Authorization: basic(m2m.id, wrongSecret) }), 401, 'bad Basic');
    await json(await post('/oauth/token', form({ grant_type: 'client_credentials', client_id: m2m.id, client_secret: wrongSecret })), 401, 'bad post');
    const cc = await json(await post('/oauth/token', form({ grant_type: 'client_credentials', client_id: m2m.id, client_secret: m2m.secret })),
      200, 'client credentials');
    keep('access token (client credentials)', cc.access_token);

    // A personal access token, used at the resource service.
    const pat = await json(await fetch(`${auth}/oauth/personal-access-tokens`, {
      method: 'POST', body: JSON.stringify({ name: `cli ${tag}`, scopes: ['read-posts'] }),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${rotated.access_token}` },
    }), 201, 'PAT');
    keep('personal access token', pat.token);
    await json(await fetch(`${api}/api/posts`, { headers: { Authorization: `Bearer ${pat.token}` } }), 200, 'posts with the PAT');
    await json(await fetch(`${api}/api/posts`, { headers: { Authorization: `Bearer ${cc.access_token}x` } }), 401, 'posts with a bad token');

    // Introspection and revocation, with tokens in the bodies.
    await json(await post('/oauth/introspect', form({ token: rotated.access_token }), { Authorization: basic(m2m.id, m2m.secret) }), 200, 'introspect');
    await json(await post('/oauth/revoke', form({ token: login.access_token }), { Authorization: basic(web.id, web.secret) }), 200, 'revoke');

    // The first-party proxy and its refresh cookie.
    const same = { Origin: auth, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
    const proxied = await fetch(`${auth}/api/oauth/password/token`, {
      method: 'POST', headers: same, body: JSON.stringify({ username: email, password, scope: 'read-posts' }),
    });
    const proxiedBody = await json(proxied, 200, 'first-party login');
    keep('access token (first-party)', proxiedBody.access_token);
    const cookie = (proxied.headers.get('set-cookie') || '').split(';')[0];
    check(cookie.startsWith('oauth_refresh_token='), `no refresh cookie: ${proxied.headers.get('set-cookie')}`);
    keep('refresh cookie', cookie.slice('oauth_refresh_token='.length));
    const cookieRefresh = await fetch(`${auth}/api/oauth/refresh`, { method: 'POST', headers: { ...same, Cookie: cookie }, body: '{}' });
    const cookieRefreshBody = await json(cookieRefresh, 200, 'first-party refresh');
    keep('access token (first-party refresh)', cookieRefreshBody.access_token);
    const rotatedCookie = (cookieRefresh.headers.get('set-cookie') || '').split(';')[0];
    keep('rotated refresh cookie', rotatedCookie.slice('oauth_refresh_token='.length));

    // A Redis outage: requests that need it fail (and are logged as failing), then it returns.
    await services('stop', 'redis');
    redisStopped = true;
    const during = await post('/oauth/token', form({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token }),
      { Authorization: basic(web.id, web.secret) });
    check(during.status === 503, `refresh while Redis is down: HTTP ${during.status}`);
    await waitFor(`${auth}/readyz`, 503, authChild);
    await services('start', 'redis');
    redisStopped = false;
    await waitFor(`${auth}/readyz`, 200, authChild);
    await json(await post('/oauth/token', form({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token }),
      { Authorization: basic(web.id, web.secret) }), 200, 'refresh after the outage');

    for (const c of children) c.kill('SIGTERM');
    for (const c of children) {
      const { code } = await c.exited;
      check(code === 0, `${c.label} exited with ${code}`);
    }
    const logs = children.map((c) => c.output.join('')).join('');
    // The logs are there to search: access lines of the requests above and debug lines.
    check(logs.includes('/oauth/token') && logs.includes('/api/posts'), 'no access log lines: the search would prove nothing');
    check(logs.includes('"level":"debug"'), 'no debug line: LOG_LEVEL=debug did not take effect');
    const leaks = [];
    for (const [label, value] of secrets) {
      if (logs.includes(value)) leaks.push(label);
      // Also any long piece of it (a token cut short by a log line is still a leak).
      else if (value.length > 40 && logs.includes(value.slice(0, 32))) leaks.push(`${label} (a prefix)`);
    }
    check(leaks.length === 0, `secrets found in the service logs: ${leaks.join(', ')}`);
    console.log(`secrets not logged: ${secrets.size} secrets, ${logs.length} bytes of logs searched`);
  } finally {
    if (redisStopped) await services('start', 'redis').catch(() => {});
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  console.error(`secrets not logged: FAILED: ${e.message}`);
  process.exit(1);
});
