// Fault injection under load (issue 13): scripts/chaos.sh sets up the datastores and the
// credentials, then runs this file. Each scenario holds the mixed load of load.mjs, injects
// one fault, and prints one line: load held, failures by kind, recovery time, acknowledged
// writes lost. A scenario FAILs on any lost acknowledged write, any 500, any request hanging
// past its bound, or a recovery slower than its bound.
//   node tests/chaos/chaos.mjs [--ci] [scenario...]   (scenarios: redis-kill pg-restart
//   redis-pause sigterm soak flood; default all but soak, --ci: redis-kill pg-restart sigterm)
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client, Ledger, Load, Recorder, label, now, percentile, sleep, verifyLedger } from './load.mjs';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`chaos: ${name} is not set (run scripts/chaos.sh)`);
  return v;
};
const args = process.argv.slice(2);
const ci = args.includes('--ci');
const all = ['redis-kill', 'pg-restart', 'redis-pause', 'sigterm', 'flood', 'soak'];
let wanted = args.filter((a) => !a.startsWith('--'));
if (wanted.length === 0) wanted = ci ? ['redis-kill', 'pg-restart', 'sigterm'] : all.filter((s) => s !== 'soak');
for (const w of wanted) if (!all.includes(w)) throw new Error(`chaos: unknown scenario ${w} (${all.join(', ')})`);

const buildBin = env('CHAOS_BIN_DIR');
const logDir = env('CHAOS_LOG_DIR');
const creds = JSON.parse(fs.readFileSync(env('CHAOS_CREDENTIALS'), 'utf8'));
const redisTimeoutMs = Number(env('REDIS_COMMAND_TIMEOUT_MS', '2000'));
const pgTimeoutMs = Number(env('PG_QUERY_TIMEOUT_MS', '5000'));
const maxConnections = Number(env('HTTP_MAX_CONNECTIONS', '1000'));
// A 2-core box shared with CI: one second of slack on every bound set by a timeout.
const slackMs = Number(env('CHAOS_SLACK_MS', '1000'));
const workers = Number(env('CHAOS_WORKERS', ci ? '1' : '2'));
const gapMs = Number(env('CHAOS_GAP_MS', ci ? '40' : '10'));
const authPort = Number(env('CHAOS_AUTH_PORT', '18281'));
const resourcePort = Number(env('CHAOS_RESOURCE_PORT', '18282'));

// ---- the two services, started and signalled by the harness itself -------------------------
class Service {
  constructor(name, bin, port, extra) {
    Object.assign(this, { name, bin, port, extra, proc: null, exited: null });
  }
  async start() {
    const out = fs.openSync(path.join(logDir, `${this.name}.log`), 'a');
    this.proc = spawn(path.join(buildBin, this.bin), [], {
      env: { ...process.env, LISTEN_ADDR: `127.0.0.1:${this.port}`, ...this.extra },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    const probe = new Client(`http://127.0.0.1:${this.port}`, { timeoutMs: 1000 });
    try {
      for (let i = 0; i < 200; i++) {
        const r = await probe.request('GET', '/readyz');
        if (r.status === 200) return;
        await sleep(50);
      }
    } finally { probe.close(); }
    throw new Error(`chaos: ${this.name} did not become ready (see ${logDir}/${this.name}.log)`);
  }
  async stop(signal = 'SIGTERM', limitMs = 20000) {
    if (!this.proc) return null;
    this.proc.kill(signal);
    const result = await Promise.race([this.exited, sleep(limitMs).then(() => ({ code: null, signal: 'still running' }))]);
    if (result.signal === 'still running') this.proc.kill('SIGKILL');
    this.proc = null;
    return result;
  }
}

const common = {
  LOG_LEVEL: 'warn', THREADS: '2', HTTP_MAX_CONNECTIONS: String(maxConnections),
  // The flood's idle connections must hold their slots for the whole scenario (the header
  // timeout itself is tested in tests/integration/http_server_test.cpp).
  HTTP_HEADER_TIMEOUT_MS: '60000',
  REDIS_COMMAND_TIMEOUT_MS: String(redisTimeoutMs), PG_QUERY_TIMEOUT_MS: String(pgTimeoutMs),
};
const auth = new Service('auth-service', 'auth-service', authPort, {
  ...common, AUTH_ISSUER: `http://127.0.0.1:${authPort}`,
  // A client whose refresh got no answer (Redis died between the rotation and its reply) sends
  // the same token again; the grace returns the same successor instead of ending the family.
  REFRESH_REUSE_GRACE: env('CHAOS_REFRESH_REUSE_GRACE', '30'),
});
const resource = new Service('resource-service', 'resource-service', resourcePort, {
  ...common, AUTH_ISSUER: `http://127.0.0.1:${authPort}`,
  AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
});

// ---- the datastores, through scripts/services.sh (its env: VAR_DIR, ports, PG_DURABLE) ------
const services = (...a) => new Promise((resolve, reject) =>
  execFile(env('CHAOS_SERVICES'), a, (err, stdout, stderr) =>
    err ? reject(new Error(`services.sh ${a.join(' ')}: ${stderr || err.message}`)) : resolve(stdout.trim())));
const pidOf = async (which) => {
  const pid = Number(await services('pid', which));
  if (!pid) throw new Error(`chaos: no ${which} process`);
  return pid;
};
async function startUntilUp(which) {
  // After a kill -9 of the postmaster its orphaned backends hold the shared memory for a moment.
  for (let i = 0; ; i++) {
    try { await services('start', which); return; } catch (e) { if (i >= 40) throw e; await sleep(250); }
  }
}

// ---- one scenario's figures --------------------------------------------------------------------
function summarize(name, recorder, ledgerLost, t0, t1, { fault, clear, allowed, hangLimitMs, recoveryLimitMs, extra = [] }) {
  const events = recorder.between(t0, t1);
  const seconds = (t1 - t0) / 1000;
  const failures = {};
  const problems = [];
  for (const e of events) {
    if (e.outcome === 'ok') continue;
    const key = `${e.kind}:${e.outcome}`;
    failures[key] = (failures[key] || 0) + 1;
  }
  for (const [key, n] of Object.entries(failures)) {
    const outcome = key.slice(key.indexOf(':') + 1);
    const bad = events.filter((e) => `${e.kind}:${e.outcome}` === key && !allowed(outcome, e));
    if (bad.length === 0) continue;
    const first = bad[0];
    problems.push(`${bad.length} of ${n}× ${key} (first ${((first.start - fault) / 1000).toFixed(3)} s after the fault, ${first.ms.toFixed(0)} ms: ${first.detail})`);
  }
  const slowest = events.reduce((m, e) => (fault === undefined || e.start >= fault ? Math.max(m, e.ms) : m), 0);
  if (hangLimitMs && slowest > hangLimitMs) problems.push(`a request took ${slowest.toFixed(0)} ms (bound ${hangLimitMs})`);
  // Recovery: for every kind that failed after the fault, the first success that started after
  // the fault was cleared; the slowest kind decides.
  let recovery = 0;
  if (clear !== undefined) {
    const failedKinds = new Set(events.filter((e) => e.outcome !== 'ok' && e.start >= fault).map((e) => e.kind));
    for (const kind of failedKinds) {
      const first = events.find((e) => e.kind === kind && e.outcome === 'ok' && e.start >= clear);
      const r = first ? first.end - clear : Infinity;
      recovery = Math.max(recovery, r);
    }
    if (recoveryLimitMs && recovery > recoveryLimitMs)
      problems.push(`recovery ${Number.isFinite(recovery) ? (recovery / 1000).toFixed(2) + ' s' : 'never'} (bound ${recoveryLimitMs / 1000} s)`);
  }
  if (ledgerLost.length) problems.push(`${ledgerLost.length} acknowledged writes lost: ${[...new Set(ledgerLost.map((l) => `${l.what} ${l.detail}`))].join('; ')}`);
  problems.push(...extra);
  const ok = events.filter((e) => e.outcome === 'ok').length;
  const byKind = Object.entries(failures).map(([k, n]) => `${k}×${n}`).join(', ') || 'none';
  const line = `${name}: load ${(events.length / seconds).toFixed(0)} req/s (${(ok / seconds).toFixed(0)} ok); ` +
    `failures: ${byKind}; recovery ${clear === undefined ? 'n/a' : Number.isFinite(recovery) ? (recovery / 1000).toFixed(2) + ' s' : 'never'}; ` +
    `slowest ${(slowest / 1000).toFixed(2)} s; acknowledged writes lost: ${ledgerLost.length}`;
  return { name, line, problems, pass: problems.length === 0 };
}

// A load on both services with clients of its own; close() ends their connections.
function newLoad(options) {
  const { sockets, ...rest } = options;
  const auth = new Client(`http://127.0.0.1:${authPort}`, sockets ? { sockets } : {});
  const resource = new Client(`http://127.0.0.1:${resourcePort}`, sockets ? { sockets } : {});
  const load = new Load({ auth, resource, creds, ledger: new Ledger(), workers, gapMs, ...rest });
  return { load, close: () => { load.running = false; auth.close(); resource.close(); } };
}

// The load alone for `ms`, its outcomes in `recorder`.
async function runLoadFor(ms, recorder, options = {}) {
  const { load, close } = newLoad({ recorder, ...options });
  try {
    await load.start();
    await sleep(ms);
    await load.stop();
  } finally { close(); }
  return recorder;
}

async function withLoad(fn, options = {}) {
  const recorder = new Recorder();
  const { load, close } = newLoad({ recorder, ...options });
  const { ledger } = load;
  try {
    await load.start();
    const t0 = now();
    const result = await fn({ load, recorder, ledger, t0 });
    await load.stop();
    const t1 = now();
    const lost = [...ledger.lost, ...(await verifyLedger(load))];
    const acked = `${ledger.chains.length} chains, ${ledger.posts.length} posts, ${ledger.pats.length} PATs`;
    const s = summarize(result.name, recorder, lost, t0, t1, result);
    s.line += ` (of ${acked})`;
    return s;
  } finally {
    close();
  }
}

const only503 = (o) => o === '503 temporarily_unavailable';

// 1. Redis kill -9, restarted 3 s later from its append-only file.
const redisKill = () => withLoad(async () => {
  await sleep(ci ? 3000 : 5000);
  const fault = now();
  process.kill(await pidOf('redis'), 'SIGKILL');
  await sleep(3000);
  await services('start', 'redis');
  const clear = now();
  await sleep(ci ? 5000 : 8000);
  return { name: 'redis kill -9', fault, clear, allowed: only503, hangLimitMs: redisTimeoutMs + slackMs, recoveryLimitMs: 2000 };
});

// 2. PostgreSQL: fast shutdown and restart, then kill -9 of the postmaster and restart.
const pgRestart = (how) => withLoad(async () => {
  await sleep(ci ? 3000 : 5000);
  const fault = now();
  if (how === 'fast') await services('stop', 'pg');
  else process.kill(await pidOf('pg'), 'SIGKILL');
  await sleep(3000);
  await startUntilUp('pg');
  const clear = now();
  await sleep(ci ? 5000 : 8000);
  return {
    name: how === 'fast' ? 'postgres fast shutdown' : 'postgres kill -9', fault, clear, allowed: only503,
    hangLimitMs: pgTimeoutMs + slackMs, recoveryLimitMs: 5000,
  };
});

// 3. Redis paused (SIGSTOP 5 s): 503 within the command timeout, /healthz answering throughout.
const redisPause = () => withLoad(async () => {
  await sleep(5000);
  const pid = await pidOf('redis');
  const fault = now();
  process.kill(pid, 'SIGSTOP');
  const health = [];
  const probes = [authPort, resourcePort].map((port) => new Client(`http://127.0.0.1:${port}`, { timeoutMs: 1000 }));
  const until = now() + 5000;
  while (now() < until) {
    const rs = await Promise.all(probes.map((c) => c.request('GET', '/healthz')));
    health.push(...rs.map((r) => ({ ok: r.status === 200, ms: r.ms, what: label(r, 200) })));
    await sleep(100);
  }
  process.kill(pid, 'SIGCONT');
  const clear = now();
  probes.forEach((c) => c.close());
  await sleep(8000);
  const bad = health.filter((h) => !h.ok || h.ms > 500);
  return {
    name: 'redis SIGSTOP 5 s', fault, clear, allowed: only503, hangLimitMs: redisTimeoutMs + slackMs, recoveryLimitMs: 2000,
    extra: bad.length ? [`/healthz failed or slow ${bad.length} of ${health.length} times (${bad[0].what}, ${bad[0].ms.toFixed(0)} ms)`] : [],
  };
});

// 4. SIGTERM under load: what each service accepted completes, exit status 0; restarted after.
const sigterm = (service) => withLoad(async () => {
  await sleep(ci ? 2000 : 4000);
  const fault = now();
  const exit = await service.stop('SIGTERM');
  const stopped = now();
  await service.start();
  const clear = now();
  await sleep(ci ? 3000 : 5000);
  const extra = [];
  if (exit.code !== 0) extra.push(`exit ${JSON.stringify(exit)}`);
  return {
    name: `SIGTERM ${service.name} (drained in ${((stopped - fault) / 1000).toFixed(2)} s, exit ${exit.code})`,
    fault, clear,
    // Refused connections are requests the stopped service never accepted (its listener was
    // closed); everything it accepted must have had its answer.
    // 503 only from the new process, before its revocation list is loaded (its /readyz says
    // 503 as long: a gateway would not send it traffic yet).
    allowed: (o, e) => o === 'ECONNREFUSED' || (o === '503 temporarily_unavailable' && e.start >= stopped),
    hangLimitMs: 10000 + slackMs, recoveryLimitMs: 3000, extra,
  };
});

// 7. Connection flood: HTTP_MAX_CONNECTIONS idle connections beside the load.
async function flood() {
  const measure = async (seconds, recorder) => (await runLoadFor(seconds * 1000, recorder,
    { sockets: 4, workers: 1, gapMs: 10, kinds: ['client_credentials', 'get_posts'] })).events.map((e) => e.ms);
  const baseBefore = percentile(await measure(8, new Recorder()), 99);
  // Fill each service up to its limit, less the load's own connections, and keep it full:
  // the header timeout closes an idle connection, which is opened again at once.
  const sockets = [];
  let stopping = false;
  const open = (port) => {
    const s = net.connect(port, '127.0.0.1');
    let refusedByServer = false;
    s.on('data', () => { refusedByServer = true; });  // an idle connection hears only the 503
    s.on('error', () => {});
    s.on('close', () => { if (!stopping && !refusedByServer) open(port); });
    sockets.push(s);
  };
  const floodEach = maxConnections - 8;
  for (const port of [authPort, resourcePort]) for (let i = 0; i < floodEach; i++) open(port);
  await sleep(1000);
  const underRecorder = new Recorder();
  const under = await measure(8, underRecorder);
  const p99 = percentile(under, 99);
  const failedUnder = underRecorder.events.filter((e) => e.outcome !== 'ok');
  // Past the limit: more connections than HTTP_MAX_CONNECTIONS → 503 with Retry-After.
  // 20 more each: 8 take the slots the load left, 12 are refused; then the service is full.
  for (const port of [authPort, resourcePort]) for (let i = 0; i < 20; i++) open(port);
  await sleep(500);
  const beyond = await Promise.all(Array.from({ length: 10 }, () => new Promise((resolve) => {
    const s = net.connect(authPort, '127.0.0.1', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
    s.setTimeout(3000, () => s.destroy());
  })));
  stopping = true;
  sockets.forEach((s) => s.destroy());
  // The baseline again after the flood: on a shared box the load's p99 drifts with whatever
  // else runs; the flood is judged against both sides of it.
  await sleep(1000);
  const baseAfter = percentile(await measure(8, new Recorder()), 99);
  const base = (baseBefore + baseAfter) / 2;
  const refused = beyond.filter((d) => /^HTTP\/1\.1 503/.test(d) && /\r\nretry-after: *\d+/i.test(d)).length;
  const problems = [];
  if (p99 > 2 * base) problems.push(`p99 under the flood ${p99.toFixed(1)} ms > 2 × ${base.toFixed(1)} ms`);
  if (failedUnder.length) problems.push(`${failedUnder.length} requests of the load failed under the flood (${failedUnder[0].outcome})`);
  if (refused !== beyond.length) {
    const odd = beyond.find((d) => !(/^HTTP\/1\.1 503/.test(d) && /\r\nretry-after: *\d+/i.test(d)));
    problems.push(`${beyond.length - refused} of ${beyond.length} connections past the limit did not get 503 + Retry-After ` +
      `(one got ${JSON.stringify(odd.slice(0, 80))})`);
  }
  const line = `connection flood (${floodEach} idle connections per service, limit ${maxConnections}): load p99 ${p99.toFixed(1)} ms vs ` +
    `${base.toFixed(1)} ms without (${(p99 / base).toFixed(2)}×; ${baseBefore.toFixed(1)} ms before, ${baseAfter.toFixed(1)} after); ${refused} of ${beyond.length} past the limit got 503 + Retry-After; acknowledged writes lost: 0`;
  return { name: 'flood', line, problems, pass: problems.length === 0 };
}

// 6. Soak: mixed load at about half of capacity for CHAOS_SOAK_MINUTES (default 10).
async function soak() {
  const minutes = Number(env('CHAOS_SOAK_MINUTES', '10'));
  // Capacity: the same mix, unpaced, for 10 s.
  const probe = await runLoadFor(10000, new Recorder(), { workers: 4, gapMs: 0 });
  const capacity = probe.events.filter((e) => e.outcome === 'ok').length / 10;
  // Half of it: each of the mix's loops paced to its share.
  const loops = 5 * workers + 2; // load.mjs: refresh 2 per worker, cc/get/post 1 each, password, pat
  const interval = loops / (capacity / 2) * 1000;
  const samples = [];
  const sample = (t) => {
    for (const s of [auth, resource]) {
      const pid = s.proc.pid;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
      const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
      samples.push({ t, service: s.name, rss, fds });
    }
  };
  const result = await withLoad(async ({ recorder, t0 }) => {
    const end = t0 + minutes * 60000;
    while (now() < end) { sample(now() - t0); await sleep(5000); }
    sample(now() - t0);
    const minute = (from) => recorder.between(t0 + from, t0 + from + 60000).map((e) => e.ms);
    const firstP99 = percentile(minute(0), 99);
    const lastP99 = percentile(minute((minutes - 1) * 60000), 99);
    // Per kind, to tell a slower request kind from a busier box.
    const kindMinute = (kind, from) =>
      recorder.between(t0 + from, t0 + from + 60000).filter((e) => e.kind === kind).map((e) => e.ms);
    const perKind = [...new Set(recorder.events.map((e) => e.kind))].map((k) =>
      `${k} ${percentile(kindMinute(k, 0), 99).toFixed(0)}→${percentile(kindMinute(k, (minutes - 1) * 60000), 99).toFixed(0)}`).join(', ');
    const aofRewrites = await new Promise((resolve) => execFile('redis-cli', ['-u', env('REDIS_URL'), 'info', 'persistence'],
      (err, out) => resolve(err ? '?' : (/aof_rewrites:(\d+)/.exec(out) || [])[1] ?? '?')));
    const extra = [];
    const growth = {};
    const warm = Math.min(120000, (minutes * 60000) / 5);
    for (const s of [auth, resource]) {
      const mine = samples.filter((x) => x.service === s.name);
      const after = mine.filter((x) => x.t >= warm && x.t < warm + 60000);
      const last = mine.filter((x) => x.t >= minutes * 60000 - 60000);
      const avg = (xs, f) => xs.reduce((a, x) => a + x[f], 0) / Math.max(1, xs.length);
      for (const f of ['rss', 'fds']) {
        const g = (avg(last, f) - avg(after, f)) / Math.max(1, avg(after, f));
        growth[`${s.name} ${f}`] = `${avg(after, f).toFixed(0)}→${avg(last, f).toFixed(0)} (${(g * 100).toFixed(1)} %)`;
        if (g > 0.05) extra.push(`${s.name} ${f} grew ${(g * 100).toFixed(1)} % after warm-up`);
      }
    }
    if (lastP99 > firstP99 * 1.2) extra.push(`p99 of the last minute ${lastP99.toFixed(1)} ms > 1.2 × the first's ${firstP99.toFixed(1)} ms`);
    return {
      name: `soak ${minutes} min at ~half of ${capacity.toFixed(0)} req/s (p99 first minute ${firstP99.toFixed(1)} ms, last ${lastP99.toFixed(1)} ms; ` +
        `per kind, ms: ${perKind}; ${Object.entries(growth).map(([k, v]) => `${k} ${v}`).join(', ')}; Redis AOF rewrites ${aofRewrites})`,
      allowed: () => false, extra,
    };
  }, { intervalMs: interval });
  return result;
}


// ---- main ---------------------------------------------------------------------------------
const started = now();
const results = [];
await auth.start();
await resource.start();
try {
  for (const name of wanted) {
    switch (name) {
      case 'redis-kill': results.push(await redisKill()); break;
      case 'pg-restart': results.push(await pgRestart('fast'), await pgRestart('kill')); break;
      case 'redis-pause': results.push(await redisPause()); break;
      case 'sigterm': results.push(await sigterm(auth), await sigterm(resource)); break;
      case 'flood': results.push(await flood()); break;
      case 'soak': results.push(await soak()); break;
    }
    for (const x of results) if (!x.printed) {
      x.printed = true;
      console.log(`${x.pass ? 'PASS' : 'FAIL'} ${x.line}${x.pass ? '' : `\n     ${x.problems.join('\n     ')}`}`);
    }
  }
} finally {
  const exits = [await auth.stop(), await resource.stop()];
  for (const [i, e] of exits.entries())
    if (e && e.code !== 0) results.push({ pass: false, line: `${['auth', 'resource'][i]}-service exit ${JSON.stringify(e)} at the end` });
}
const failed = results.filter((r) => !r.pass);
console.log(`chaos: ${results.length - failed.length} of ${results.length} scenarios passed in ${((now() - started) / 1000).toFixed(0)} s`);
process.exit(failed.length ? 1 : 0);
