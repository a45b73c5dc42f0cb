/**
 * `npm start`, the documented way to run Signpost, under a supervisor: a
 * SIGTERM to the process it started must stop the server cleanly — exit 0,
 * its ports free, no Signpost process left behind (npm used to exit while
 * the server, below a shell and tsx, kept running).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../support/child-server.js';

let dataDir = '';
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** PIDs of processes whose environment carries this variable setting (Linux /proc). */
async function processesWith(setting: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(setting)) pids.push(Number(entry));
  }
  return pids;
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

describe('npm start', () => {
  it('stops the server cleanly on SIGTERM, leaving no process and no port behind', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'signpost-start-'));
    const [httpPort, dnsPort] = [await freePort(), await freePort()];
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNPOST_') && !k.startsWith('npm_')));
    const npm = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: {
        ...inherited,
        SIGNPOST_DATA_DIR: dataDir,
        SIGNPOST_HOST: '127.0.0.1',
        SIGNPOST_HTTP_PORT: String(httpPort),
        SIGNPOST_DNS_PORT: String(dnsPort),
        SIGNPOST_ADMIN_KEY: 'start-test-admin-key-0123456789',
        SIGNPOST_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));

    const deadline = Date.now() + 90_000;
    for (;;) {
      if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      if (await fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`npm start did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const setting = `SIGNPOST_DATA_DIR=${dataDir}`;
    expect((await processesWith(setting)).length).toBeGreaterThan(0);

    npm.kill('SIGTERM');
    expect(await exited, output).toEqual({ code: 0, signal: null });
    expect(await processesWith(setting)).toEqual([]);
    expect(await portIsFree(httpPort)).toBe(true);
    expect(await portIsFree(dnsPort)).toBe(true);
  }, 120_000);
});
