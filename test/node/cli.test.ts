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
    expect(JSON.parse(signpost(['history', 'home.dyn.example.test']).out)).toEqual([]);
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
