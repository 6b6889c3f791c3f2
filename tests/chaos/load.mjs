// The chaos harness's load: a steady mix of the platform's requests, every outcome recorded,
// and a ledger of everything the platform acknowledged (refresh tokens received, post ids
// answered 201, personal access tokens created), checked again after each fault.
import http from 'node:http';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => Number(process.hrtime.bigint() / 1000n) / 1000; // ms, monotonic

// One HTTP/1.1 client per service, keep-alive. A request that fails on a reused socket before
// any response byte (the server closed the idle connection as the request left: RFC 9112
// §9.3.1 lets it) never reached the server: it is sent again once, on a new connection, as
// keep-alive clients do (Node's documentation, "request.reusedSocket"). Another pooled
// connection would be no better: a draining server is closing all of them. Anything else is
// recorded as it happened.
export class Client {
  constructor(base, { sockets = 64, timeoutMs = 15000 } = {}) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.timeoutMs = timeoutMs;
  }

  async request(method, path, { headers = {}, body } = {}) {
    const start = now();
    for (let attempt = 0; ; attempt++) {
      const r = await this.once(method, path, headers, body, attempt === 0 ? this.agent : false);
      if (r.retryable && attempt === 0) continue;
      r.ms = now() - start;
      return r;
    }
  }

  once(method, path, headers, body, agent) {
    return new Promise((resolve) => {
      const payload = body === undefined ? undefined : Buffer.from(body);
      const req = http.request(
        {
          host: this.url.hostname, port: this.url.port, method, path, agent,
          headers: payload ? { ...headers, 'content-length': payload.length } : headers,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try { json = JSON.parse(text); } catch { /* not JSON */ }
            resolve({ status: res.statusCode, json, headers: res.headers });
          });
          res.on('error', (e) => resolve({ status: 0, error: `response ${e.code || e.message}` }));
        });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (e) => {
        const code = e.code || e.message;
        resolve({ status: 0, error: code, reused: req.reusedSocket,
          retryable: req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') });
      });
      req.end(payload);
    });
  }

  close() { this.agent.destroy(); }
}

export const form = (o) => new URLSearchParams(o).toString();
export const basic = (id, secret) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

// The outcome's label: "ok", "503 temporarily_unavailable", "500", "ECONNREFUSED"...
export function label(r, okStatus) {
  if (r.status === okStatus) return 'ok';
  if (r.status === 0) return r.error;
  const err = r.json && r.json.error;
  return err ? `${r.status} ${err}` : String(r.status);
}

// What a failure said: its error_description, or how the connection failed.
export function detail(r) {
  if (r.status === 0) return `${r.error}${r.reused ? ' on a reused connection' : ' on a new connection'}`;
  return (r.json && r.json.error_description) || '';
}

// Everything recorded: per request kind, per outcome, with each request's start, end and
// latency, so a scenario can cut the timeline into before, during and after its fault.
export class Recorder {
  constructor() { this.events = []; }
  add(kind, outcome, start, ms, detail) { this.events.push({ kind, outcome, start, end: start + ms, ms, detail }); }
  between(from, to) { return this.events.filter((e) => e.end >= from && e.start < to); }
}

export function percentile(values, p) {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// The acknowledged writes. A refresh chain keeps only its latest token: that is the one the
// client holds, and the one that must still refresh after any fault.
export class Ledger {
  constructor() {
    this.chains = [];
    this.posts = [];
    this.pats = [];
    this.lost = []; // { what, detail }
  }
}

// The load: `workers` of each kind, each sending one request after another with `gapMs`
// between them (the load held is what the box can do at that pacing).
export class Load {
  constructor({ auth, resource, creds, recorder, ledger, workers = 2, gapMs = 20, intervalMs = 0, kinds }) {
    Object.assign(this, { auth, resource, creds, recorder, ledger, workers, gapMs, intervalMs });
    this.kinds = kinds || ['client_credentials', 'refresh', 'password', 'get_posts', 'post_posts', 'pat'];
    this.running = false;
    this.loops = [];
  }

  async token(body, authorization) {
    return this.auth.request('POST', '/oauth/token', {
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(body),
    });
  }

  async userLogin(i = 0) {
    const { user, password_client: pc } = this.creds;
    for (;;) {
      const r = await this.token({ grant_type: 'password', username: user.email, password: user.password,
        scope: 'read-posts write-posts' }, basic(pc.id, pc.secret));
      if (r.status === 200) return r.json;
      if (i > 300) throw new Error(`password login failed: ${JSON.stringify(r.json || r.error)}`);
      i++;
      await sleep(100);
    }
  }

  async start() {
    this.running = true;
    this.session = await this.userLogin();
    // Password grants (Argon2) and PATs at one loop each; refresh chains at two per worker, so
    // that a fault finds several chains in flight.
    const loops = { password: 1, pat: 1, refresh: 2 * this.workers };
    for (const kind of this.kinds)
      for (let w = 0; w < (loops[kind] ?? this.workers); w++)
        this.loops.push(this.loop(kind, w));
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async loop(kind, w) {
    const state = { chain: kind === 'refresh' ? await this.newChain() : null };
    while (this.running) {
      const start = now();
      const r = await this.step(kind, state, w);
      this.recorder.add(kind, r.outcome, start, r.ms, r.outcome === 'ok' ? undefined : r.detail);
      if (this.intervalMs) {
        // Paced: one request per interval, whatever each one took.
        await sleep(Math.max(0, start + this.intervalMs - now()));
      } else {
        // After a failure, wait a little longer: a real client backs off.
        await sleep(r.outcome === 'ok' ? this.gapMs : Math.max(this.gapMs, 50));
      }
    }
  }

  async newChain() {
    const t = await this.userLogin();
    const chain = { token: t.refresh_token, ackedAt: now(), inDoubt: false };
    this.ledger.chains.push(chain);
    return chain;
  }

  async step(kind, state) {
    const chain = state.chain;
    const { password_client: pc, cc_client: cc, user } = this.creds;
    const bearer = { authorization: `Bearer ${this.session.access_token}` };
    switch (kind) {
      case 'client_credentials': {
        const r = await this.token({ grant_type: 'client_credentials', scope: 'read-posts' }, basic(cc.id, cc.secret));
        return { outcome: label(r, 200), ms: r.ms, detail: detail(r) };
      }
      case 'refresh': {
        const r = await this.token({ grant_type: 'refresh_token', refresh_token: chain.token }, basic(pc.id, pc.secret));
        if (r.status === 200) {
          chain.token = r.json.refresh_token;
          chain.ackedAt = now();
          chain.inDoubt = false;
        } else if (r.status === 400 && r.json && r.json.error === 'invalid_grant') {
          // The token this chain was last given no longer refreshes: an acknowledged write lost.
          this.ledger.lost.push({ what: 'refresh token',
            detail: `refused during the load (${chain.inDoubt ? 'after an answer-less rotation' : 'acknowledged'})` });
          chain.dead = true;
          state.chain = await this.newChain();
        } else {
          // 503 or no answer: the rotation may or may not have happened; the client keeps the
          // token it holds and tries again (REFRESH_REUSE_GRACE covers the retry).
          chain.inDoubt = true;
        }
        return { outcome: label(r, 200), ms: r.ms, detail: detail(r) };
      }
      case 'password': {
        const r = await this.token({ grant_type: 'password', username: user.email, password: user.password,
          scope: 'read-posts' }, basic(pc.id, pc.secret));
        return { outcome: label(r, 200), ms: r.ms, detail: detail(r) };
      }
      case 'get_posts': {
        const r = await this.resource.request('GET', '/api/posts?limit=5', { headers: bearer });
        return { outcome: label(r, 200), ms: r.ms, detail: detail(r) };
      }
      case 'post_posts': {
        const r = await this.resource.request('POST', '/api/posts', {
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `chaos ${now().toFixed(0)}`, body: 'written under fault injection' }),
        });
        if (r.status === 201) this.ledger.posts.push(r.json.id);
        return { outcome: label(r, 201), ms: r.ms, detail: detail(r) };
      }
      case 'pat': {
        const r = await this.auth.request('POST', '/oauth/personal-access-tokens', {
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'chaos', scopes: ['read-posts'] }),
        });
        if (r.status === 201) this.ledger.pats.push(r.json.token);
        return { outcome: label(r, 201), ms: r.ms, detail: detail(r) };
      }
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  }
}

// Every acknowledged write checked once the fault is over: each chain's latest token still
// refreshes (and the chain moves on with the new one), each post is there, each personal access
// token still reads the API. Transient 503s are retried for `patienceMs`.
export async function verifyLedger(load, { patienceMs = 15000 } = {}) {
  const { ledger } = load;
  const { password_client: pc } = load.creds;
  const lost = [];
  const retrying = async (fn) => {
    const deadline = now() + patienceMs;
    for (;;) {
      const r = await fn();
      if (r.status !== 0 && r.status !== 503) return r;
      if (now() > deadline) return r;
      await sleep(200);
    }
  };
  const pool = async (items, n, fn) => {
    let i = 0;
    await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
  };
  await pool(ledger.chains.filter((c) => !c.dead), 4, async (chain) => {
    const r = await retrying(() => load.token({ grant_type: 'refresh_token', refresh_token: chain.token }, basic(pc.id, pc.secret)));
    if (r.status === 200) { chain.token = r.json.refresh_token; chain.inDoubt = false; }
    else lost.push({ what: 'refresh token', detail: label(r, 200) });
  });
  const bearer = { authorization: `Bearer ${load.session.access_token}` };
  await pool(ledger.posts, 8, async (id) => {
    const r = await retrying(() => load.resource.request('GET', `/api/posts/${id}`, { headers: bearer }));
    if (r.status !== 200) lost.push({ what: 'post', detail: `${id}: ${label(r, 200)}` });
  });
  await pool(ledger.pats, 4, async (pat) => {
    const r = await retrying(() => load.resource.request('GET', '/api/posts?limit=1', { headers: { authorization: `Bearer ${pat}` } }));
    if (r.status !== 200) lost.push({ what: 'personal access token', detail: label(r, 200) });
  });
  return lost;
}
