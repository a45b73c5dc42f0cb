/**
 * `signpost host unblock` from the CLI, a separate process, while the server
 * (another process) runs on the same data directory: the server's next
 * answer for the host is `good`, not `abuse` from counters it held before.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnServer, type ChildServer } from '../support/child-server.js';

const HOST = 'home.dyn.example.test';
const dataDir = mkdtempSync(join(tmpdir(), 'signpost-unblock-'));
const env = { SIGNPOST_DATA_DIR: dataDir, SIGNPOST_ABUSE_MAX_UPDATES: '2', SIGNPOST_ABUSE_BLOCK_SECONDS: '0', SIGNPOST_LOG_LEVEL: 'silent' };

/** The CLI as its own process; asynchronous, so this process keeps serving its sockets meanwhile. */
function cli(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNPOST_')));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/signpost.js', ...args], { cwd: REPO_ROOT, env: { ...inherited, ...env }, timeout: 30_000 }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
    child.stdin?.end(input ?? '');
  });
}

describe('CLI unblock while the server runs', () => {
  let server: ChildServer;

  beforeAll(async () => {
    server = await spawnServer(env); // creates the database the CLI then administers
    expect((await cli(['user', 'add', 'alice', '-d', HOST], 'correct horse battery\n')).code).toBe(0);
  });
  afterAll(async () => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const update = async (myip: string) => {
    const res = await fetch(`${server.url}/nic/update?hostname=${HOST}&myip=${myip}`, {
      headers: { authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`, 'user-agent': 'test/1.0' },
    });
    return res.text();
  };

  it('the next update after `signpost host unblock` is good', async () => {
    expect(await update('192.0.2.1')).toBe('good 192.0.2.1');
    expect(await update('192.0.2.2')).toBe('good 192.0.2.2');
    expect(await update('192.0.2.3')).toBe('abuse');
    expect(JSON.parse((await cli(['host', 'list'])).out)[0].blocked).toMatchObject({ reason: 'too many updates', until: null });

    const unblock = await cli(['host', 'unblock', HOST]);
    expect(unblock.code, unblock.err).toBe(0);
    expect(JSON.parse(unblock.out).blocked).toBeNull();

    expect(await update('192.0.2.3')).toBe('good 192.0.2.3');
    expect(await update('192.0.2.3')).toBe('nochg 192.0.2.3');
  });
});
