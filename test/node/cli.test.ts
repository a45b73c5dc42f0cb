/** The signpost CLI as a user runs it: a child process on a SQLite data dir, with exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'signpost-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function signpost(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/signpost.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, SIGNPOST_DATA_DIR: dataDir, ...env },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('signpost CLI', () => {
  it('manages users, grants, tokens and hosts on the shared store', () => {
    const add = signpost(['user', 'add', 'alice', '--domain', 'home.dyn.example.test', '*.alice.dyn.example.test'], 'alice-password\n');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ username: 'alice', domains: ['*.alice.dyn.example.test', 'home.dyn.example.test'] });

    const dup = signpost(['user', 'add', 'alice'], 'alice-password\n');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('user_exists');

    expect(JSON.parse(signpost(['user', 'list']).out).map((u: { username: string }) => u.username)).toEqual(['alice']);
    expect(signpost(['grant', 'add', 'alice', 'office.dyn.example.test']).code).toBe(0);
    expect(signpost(['grant', 'remove', 'alice', 'office.dyn.example.test']).code).toBe(0);
    expect(signpost(['grant', 'add', 'alice', 'elsewhere.example.net']).code).toBe(1);

    const token = signpost(['token', 'create', 'alice', 'home.dyn.example.test']);
    expect(token.code).toBe(0);
    const { id, token: secret } = JSON.parse(token.out) as { id: string; token: string };
    expect(secret).toMatch(/^spt_/);
    expect(signpost(['token', 'list', 'alice']).out).not.toContain(secret);
    expect(signpost(['token', 'revoke', id]).code).toBe(0);
    expect(signpost(['token', 'revoke', id]).code).toBe(1);

    expect(signpost(['user', 'passwd', 'alice', '--password', 'new-password-1']).code).toBe(0);
    expect(JSON.parse(signpost(['host', 'list']).out)).toEqual([]);
    expect(signpost(['history', 'home.dyn.example.test']).code).toBe(1); // host_not_found: never updated
    expect(signpost(['user', 'remove', 'alice']).code).toBe(0);
    expect(signpost(['user', 'remove', 'alice']).code).toBe(1);
  });

  it('exits 2 on usage errors and invalid input, 78 on bad configuration', () => {
    expect(signpost(['user', 'frobnicate']).code).toBe(2);
    expect(signpost(['user', 'add', 'bob'], 'short\n').code).toBe(2);
    expect(signpost(['user', 'add', 'bad:name'], 'long-enough-1\n').code).toBe(2);
    const bad = signpost(['user', 'list'], undefined, { SIGNPOST_HTTP_PORT: 'eighty' });
    expect(bad.code).toBe(78);
    expect(bad.err).toContain('SIGNPOST_HTTP_PORT');
  });
});

describe('CLI changes reach a running server', () => {
  it('a user removed with the CLI stops resolving in the running server within seconds', async () => {
    const { startServer } = await import('../../src/entrypoints/node/server.js');
    const { loadConfig } = await import('../../src/config/env.js');
    const { createLogger } = await import('../../src/adapters/observability/logger.js');
    const dir = mkdtempSync(join(tmpdir(), 'signpost-cli-sync-'));
    const server = await startServer(
      loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0' }),
      { logger: createLogger('silent') },
    );
    try {
      await server.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['carol.dyn.example.test'] });
      const res = await fetch(`${server.url}/nic/update?hostname=carol.dyn.example.test&myip=192.0.2.8`, {
        headers: { authorization: `Basic ${Buffer.from('carol:carol-password').toString('base64')}`, 'user-agent': 'test/1.0' },
      });
      expect(await res.text()).toBe('good 192.0.2.8');
      expect(await server.core.publisher.records('dyn.example.test')).toHaveLength(1);
      const removed = spawnSync(process.execPath, ['bin/signpost.js', 'user', 'remove', 'carol'], {
        encoding: 'utf8',
        env: { ...process.env, SIGNPOST_DATA_DIR: dir },
      });
      expect(removed.status).toBe(0);
      const deadline = Date.now() + 5000;
      while ((await server.core.publisher.records('dyn.example.test')).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await server.core.publisher.records('dyn.example.test')).toEqual([]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
