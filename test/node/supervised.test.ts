/**
 * `signpost serve` started the way systemd (ExecStart=) or a container
 * runtime starts it: the command itself, no npm or shell left in between, in
 * a session of its own. SIGTERM and SIGINT to that process must stop the
 * server gracefully: exit 0 within the grace period, with the store closed
 * cleanly (SQLite folds its write-ahead log back and removes it only on a
 * clean close of the last connection).
 */
import { spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../support/child-server.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const GRACE_SECONDS = 3;

async function startSupervised() {
  const dataDir = await mkdtemp(join(tmpdir(), 'signpost-supervised-'));
  dirs.push(dataDir);
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNPOST_') && !k.startsWith('npm_')));
  const child = spawn(join(REPO_ROOT, 'bin/signpost.js'), ['serve'], {
    cwd: dataDir, // a unit's working directory is not the checkout
    detached: true, // its own session and process group, as under systemd
    env: {
      ...inherited,
      SIGNPOST_DATA_DIR: dataDir,
      SIGNPOST_HOST: '127.0.0.1',
      SIGNPOST_HTTP_PORT: String(port),
      SIGNPOST_DNS_PORT: '0',
      SIGNPOST_ADMIN_KEY: 'supervised-test-admin-key-0123456789',
      SIGNPOST_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`signpost serve exited early:\n${output}`);
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`signpost serve did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, dataDir, port, exited, output: () => output };
}

describe('signpost serve under a supervisor', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops gracefully on ${signal} to the process the supervisor started`, async () => {
      const { child, dataDir, port, exited, output } = await startSupervised();
      // The supervisor's process is the server itself: /bin/sh replaced itself with node.
      expect(readlinkSync(`/proc/${child.pid}/exe`)).toMatch(/\/node$/);
      expect(existsSync(join(dataDir, 'signpost.db-wal'))).toBe(true);

      // A request sent just before the signal (an Argon2 check: tens of milliseconds) is answered, not cut off.
      const slow = fetch(`http://127.0.0.1:${port}/nic/update?hostname=a.dyn.example.test`, {
        headers: { authorization: `Basic ${Buffer.from('nobody:wrong-password').toString('base64')}` },
      }).then(async (r) => r.text());
      await new Promise((r) => setTimeout(r, 20));
      const sent = Date.now();
      child.kill(signal);
      expect(await exited, output()).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(GRACE_SECONDS * 1000 + 5_000);
      expect(await slow).toBe('badauth');
      expect(output()).toContain('"msg":"shutting down"');

      // Closed cleanly: the write-ahead log was checkpointed and removed, and the database is whole.
      expect(existsSync(join(dataDir, 'signpost.db-wal'))).toBe(false);
      const db = new DatabaseSync(join(dataDir, 'signpost.db'), { readOnly: true });
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      db.close();
    }, 90_000);
  }
});
