// What the node end-to-end tests share: arguments and environment, a free loopback port, and
// authctl (the real binary) answering one JSON document.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through ./scripts/test.sh, which starts PostgreSQL and Redis`);
  return v;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// `authctl ARGS... --json` from the build's bin directory → its JSON document.
export async function authctl(bin, env, ...args) {
  try {
    const { stdout } = await run(join(bin, 'authctl'), [...args, '--json'], { env, timeout: 60_000 });
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`authctl ${args[0]} ${args[1] || ''} failed: ${e.stderr || e.message}`);
  }
}
