/**
 * `signpost tsig …` on the SQLite store the server shares: keys created by
 * the CLI open in the server's core (same data directory, same secret.key),
 * and no file of the data directory holds a secret in the clear.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { loadConfig } from '../../src/config/env.js';
import { createAdminCore, openStore } from '../../src/config/services.js';
import { main } from '../../src/entrypoints/node/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A data directory with a database holding the given users, as `signpost serve` and `user add` leave it. */
async function servedDataDir(users: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-cli-tsig-'));
  dirs.push(dir);
  const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dir }));
  for (const username of users) await store.createUser({ username, passwordHash: 'x', createdAt: 0 });
  await store.close();
  return dir;
}

async function signpost(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out = { text: '', isTTY: false, write: (chunk: string) => ((out.text += chunk), true) };
  const err = { text: '', isTTY: false, write: (chunk: string) => ((err.text += chunk), true) };
  const code = await main(['node', 'signpost', ...args], { env: { SIGNPOST_DATA_DIR: dataDir, ...env }, stdin: Readable.from([]), stdout: out as never, stderr: err as never });
  return { code, out: out.text, err: err.text };
}

describe('signpost tsig', () => {
  it('creates (secret shown once, with the nsupdate key), lists and revokes keys; the server opens them', async () => {
    const dir = await servedDataDir(['alice', 'bob']);
    const created = await signpost(dir, ['tsig', 'create', 'alice']);
    expect(created.code, created.err).toBe(0);
    const key = JSON.parse(created.out) as { name: string; algorithm: string; secret: string; nsupdateKey: string };
    expect(key).toEqual({ name: expect.stringMatching(/^alice-[0-9a-f]{16}$/), algorithm: 'hmac-sha256', secret: expect.any(String), nsupdateKey: `hmac-sha256:${key.name}:${key.secret}` });
    expect(Buffer.from(key.secret, 'base64')).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);

    const named = await signpost(dir, ['tsig', 'create', 'alice', '--name', 'Laptop.Alice.', '--algorithm', 'hmac-sha512']);
    expect(named.code, named.err).toBe(0);
    const laptop = JSON.parse(named.out) as { name: string; secret: string; nsupdateKey: string };
    expect([laptop.name, laptop.nsupdateKey]).toEqual(['laptop.alice', `hmac-sha512:laptop.alice:${laptop.secret}`]);

    const listed = await signpost(dir, ['tsig', 'list', 'alice']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out).map((k: { name: string; algorithm: string }) => `${k.name} ${k.algorithm}`)).toEqual([`${key.name} hmac-sha256`, 'laptop.alice hmac-sha512']);
    expect(listed.out).not.toContain(key.secret);

    // The server's core on the same data directory opens what the CLI sealed.
    const config = loadConfig({ SIGNPOST_DATA_DIR: dir });
    const core = await createAdminCore(config, { logger: createLogger('silent') });
    try {
      expect(await core.tsigKeys.resolve('laptop.alice')).toMatchObject({ username: 'alice', algorithm: 'hmac-sha512', secret: Buffer.from(laptop.secret, 'base64') });
    } finally {
      await core.close();
    }
    // Sealed at rest: no file of the data directory (database, WAL) holds a secret, in base64 or raw.
    for (const file of readdirSync(dir).filter((f) => f !== 'secret.key')) {
      const bytes = readFileSync(join(dir, file));
      for (const secret of [key.secret, laptop.secret]) {
        expect(bytes.includes(secret), file).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'base64')), file).toBe(false);
      }
    }

    const foreign = await signpost(dir, ['tsig', 'revoke', 'bob', 'laptop.alice']);
    expect([foreign.code, foreign.err]).toEqual([1, expect.stringContaining('tsig_key_not_found')]);
    const revoked = await signpost(dir, ['tsig', 'revoke', 'alice', 'LAPTOP.alice']);
    expect([revoked.code, revoked.out]).toEqual([0, 'revoked laptop.alice\n']);
    const again = await signpost(dir, ['tsig', 'revoke', 'alice', 'laptop.alice']);
    expect([again.code, again.err]).toEqual([1, expect.stringContaining('tsig_key_not_found')]);
    expect(JSON.parse((await signpost(dir, ['tsig', 'list', 'alice'])).out).map((k: { name: string }) => k.name)).toEqual([key.name]);
  });

  it('answers bad input with exit 2 and refusals with exit 1, creating nothing', async () => {
    const dir = await servedDataDir(['alice']);
    for (const args of [
      ['--algorithm', 'hmac-md5'],
      ['--name', 'a_b'],
      ['--name', 'x'.repeat(64)],
    ]) {
      const r = await signpost(dir, ['tsig', 'create', 'alice', ...args]);
      expect([r.code, r.err], args.join(' ')).toEqual([2, expect.stringContaining('invalid_request')]);
    }
    expect((await signpost(dir, ['tsig', 'create', 'alice', '--name', 'k1'])).code).toBe(0);
    const taken = await signpost(dir, ['tsig', 'create', 'alice', '--name', 'K1']);
    expect([taken.code, taken.err]).toEqual([1, expect.stringContaining('tsig_key_exists')]);
    const unknown = await signpost(dir, ['tsig', 'create', 'carol']);
    expect([unknown.code, unknown.err]).toEqual([1, expect.stringContaining('user_not_found')]);
    expect((await signpost(dir, ['tsig', 'list', 'carol'])).code).toBe(1);
    expect((await signpost(dir, ['tsig', 'revoke', 'alice'])).code).toBe(2); // missing argument
    expect(JSON.parse((await signpost(dir, ['tsig', 'list', 'alice'])).out).map((k: { name: string }) => k.name)).toEqual(['k1']);
  });

  it('stops with exit 78 on a SIGNPOST_SECRET_KEY that is not base64 of 32 bytes, without showing it', async () => {
    const dir = await servedDataDir(['alice']);
    const bad = 'not-a-32-byte-secret-key';
    const r = await signpost(dir, ['tsig', 'create', 'alice'], { SIGNPOST_SECRET_KEY: bad });
    expect([r.code, r.out]).toEqual([78, '']);
    expect(r.err).toContain('SIGNPOST_SECRET_KEY must be the base64 of 32 random bytes');
    expect(r.err).not.toContain(bad);
  });
});
