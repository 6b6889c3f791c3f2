// Scenario 5 of the chaos harness, driven by deploy/compose-test.sh: the mixed load of
// load.mjs through the gateway while the script restarts every replica one at a time. Runs
// until STOP_FILE exists, then checks every acknowledged write and prints one line.
// Exit status 0 only with zero failed requests and zero acknowledged writes lost.
//   node tests/chaos/rolling.mjs GATEWAY_URL CREDENTIALS_JSON STOP_FILE
import fs from 'node:fs';
import { Client, Ledger, Load, Recorder, now, percentile, sleep, verifyLedger } from './load.mjs';

const [base, credsFile, stopFile] = process.argv.slice(2);
if (!stopFile) throw new Error('usage: rolling.mjs GATEWAY_URL CREDENTIALS_JSON STOP_FILE');
const creds = JSON.parse(fs.readFileSync(credsFile, 'utf8'));
const recorder = new Recorder();
const ledger = new Ledger();
const auth = new Client(base);
const resource = new Client(base);
const load = new Load({ auth, resource, creds, recorder, ledger, workers: 1, gapMs: 20 });

await load.start();
const t0 = now();
while (!fs.existsSync(stopFile)) await sleep(200);
await load.stop();
const seconds = (now() - t0) / 1000;
const lost = [...ledger.lost, ...(await verifyLedger(load))];
auth.close();
resource.close();

const failures = {};
for (const e of recorder.events) if (e.outcome !== 'ok') {
  const key = `${e.kind}:${e.outcome}`;
  failures[key] = failures[key] || { n: 0, detail: e.detail };
  failures[key].n++;
}
const failed = Object.values(failures).reduce((a, f) => a + f.n, 0);
const byKind = Object.entries(failures).map(([k, f]) => `${k}×${f.n} (${f.detail})`).join(', ') || 'none';
console.log(`${recorder.events.length} requests in ${seconds.toFixed(0)} s (${(recorder.events.length / seconds).toFixed(0)} req/s, ` +
  `p99 ${percentile(recorder.events.map((e) => e.ms), 99).toFixed(0)} ms); failed: ${failed} [${byKind}]; ` +
  `acknowledged writes lost: ${lost.length} of ${ledger.chains.length} chains, ${ledger.posts.length} posts, ${ledger.pats.length} PATs`);
process.exit(failed === 0 && lost.length === 0 ? 0 : 1);
