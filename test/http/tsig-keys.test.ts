/** The admin API's TSIG key routes, the secret key behind them, and who may do what with a key. */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { ConfigError } from '../../src/config/config-error.js';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/http-app.js';

/** A fixed secret key, so no test writes a key file into the working directory. */
const SECRET_KEY = Buffer.alloc(32, 5).toString('base64');
const KEY = 'laptop.alice';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function app(env: Record<string, string> = { SIGNPOST_SECRET_KEY: SECRET_KEY }, store = new MemoryStore()): Promise<TestApp> {
  const t = await createTestApp(env, { store });
  for (const username of ['alice', 'bob']) await store.createUser({ username, passwordHash: 'x', createdAt: 0 });
  return t;
}

describe('TSIG key routes', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await app();
  });

  it('creates a key from an empty body: 201 with the name, algorithm and secret, shown once', async () => {
    const res = await t.admin('POST', '/users/alice/tsig-keys', {});
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ name: expect.stringMatching(/^alice-[0-9a-f]{16}$/), algorithm: 'hmac-sha256', secret: expect.any(String) });
    expect(Buffer.from(res.json.secret, 'base64')).toHaveLength(32);
    const key = await t.core.tsigKeys.resolve(res.json.name);
    expect(key).toMatchObject({ username: 'alice', algorithm: 'hmac-sha256' });
    expect(Buffer.from(key!.secret).toString('base64')).toBe(res.json.secret);

    const listed = await t.admin('GET', '/users/alice/tsig-keys');
    expect(listed).toEqual({ status: 200, json: { keys: [{ name: res.json.name, algorithm: 'hmac-sha256', createdAt: expect.any(String) }] } });
    expect(t.logs.join('\n')).not.toContain(res.json.secret);
  });

  it('takes a chosen name (canonicalised) and hmac-sha512', async () => {
    const res = await t.admin('POST', '/users/alice/tsig-keys', { name: 'Laptop.Alice.', algorithm: 'HMAC-SHA512' });
    expect([res.status, res.json.name, res.json.algorithm]).toEqual([201, KEY, 'hmac-sha512']);
    const taken = await t.admin('POST', '/users/bob/tsig-keys', { name: KEY });
    expect([taken.status, taken.json.error.code]).toEqual([409, 'tsig_key_exists']);
  });

  it('answers 400 invalid_request for a bad body, name or algorithm, and creates nothing', async () => {
    for (const body of ['', 'not json', '[]', { algorithm: 'hmac-md5' }, { algorithm: 'hmac-sha1' }, { name: 'a_b' }, { name: 'x'.repeat(64) }, { name: 7 }, { extra: true }]) {
      const res = await t.admin('POST', '/users/alice/tsig-keys', body);
      expect([res.status, res.json.error.code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    expect((await t.admin('GET', '/users/alice/tsig-keys')).json.keys).toEqual([]);
    const badPath = await t.admin('DELETE', `/users/alice/tsig-keys/${encodeURIComponent('a b')}`);
    expect([badPath.status, badPath.json.error.code]).toEqual([400, 'invalid_request']);
  });

  it('answers 413 for a body over the admin limit', async () => {
    const res = await t.admin('POST', '/users/alice/tsig-keys', { name: 'x'.repeat(70 * 1024) });
    expect([res.status, res.json.error.code]).toEqual([413, 'body_too_large']);
  });

  it('answers 404 user_not_found for an unknown user on every route', async () => {
    for (const [method, path] of [
      ['POST', '/users/carol/tsig-keys'],
      ['GET', '/users/carol/tsig-keys'],
      ['DELETE', `/users/carol/tsig-keys/${KEY}`],
    ] as const) {
      const res = await t.admin(method, path, method === 'POST' ? {} : undefined);
      expect([res.status, res.json.error.code], `${method} ${path}`).toEqual([404, 'user_not_found']);
    }
  });

  it('revokes: 204, then 404 tsig_key_not_found; the key stops resolving at once', async () => {
    await t.admin('POST', '/users/alice/tsig-keys', { name: KEY });
    expect((await t.admin('DELETE', `/users/alice/tsig-keys/${KEY}`)).status).toBe(204);
    expect(await t.core.tsigKeys.resolve(KEY)).toBeUndefined();
    const again = await t.admin('DELETE', `/users/alice/tsig-keys/${KEY}`);
    expect([again.status, again.json.error.code]).toEqual([404, 'tsig_key_not_found']);
  });

  it('removes a user’s keys with the user', async () => {
    await t.admin('POST', '/users/alice/tsig-keys', { name: KEY });
    expect((await t.admin('DELETE', '/users/alice')).status).toBe(204);
    expect(await t.core.tsigKeys.resolve(KEY)).toBeUndefined();
  });
});

describe('the secret key', () => {
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-tsig-'));
    dirs.push(dir);
    return dir;
  };

  it('without SIGNPOST_SECRET_KEY: secret.key is created 0600 in the data directory on first use, and opens the keys after a restart', async () => {
    const dir = dataDir();
    const store = new MemoryStore();
    const first = await app({ SIGNPOST_DATA_DIR: dir }, store);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false); // no secret handled yet, no file
    const created = await first.admin('POST', '/users/alice/tsig-keys', { name: KEY });
    expect(created.status).toBe(201);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const restarted = await createTestApp({ SIGNPOST_DATA_DIR: dir }, { store });
    expect(Buffer.from((await restarted.core.tsigKeys.resolve(KEY))!.secret).toString('base64')).toBe(created.json.secret);
    // Another secret key cannot open them: the key is unknown, not an error.
    const other = await createTestApp({ SIGNPOST_DATA_DIR: dataDir(), SIGNPOST_SECRET_KEY: SECRET_KEY }, { store });
    expect(await other.core.tsigKeys.resolve(KEY)).toBeUndefined();
    expect(other.logs.join('\n')).toContain(KEY);
    expect(other.logs.join('\n')).not.toContain(created.json.secret);
  });

  it('with SIGNPOST_SECRET_KEY: writes no key file, and refuses a value that is not base64 of 32 bytes without showing it', async () => {
    const dir = dataDir();
    const t = await app({ SIGNPOST_DATA_DIR: dir, SIGNPOST_SECRET_KEY: SECRET_KEY });
    expect((await t.admin('POST', '/users/alice/tsig-keys', {})).status).toBe(201);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
    for (const bad of ['too-short-secret-value', Buffer.alloc(16, 1).toString('base64'), `${SECRET_KEY}!!`]) {
      const error = await createTestApp({ SIGNPOST_DATA_DIR: dir, SIGNPOST_SECRET_KEY: bad }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('SIGNPOST_SECRET_KEY');
      expect((error as Error).message).not.toContain(bad);
    }
  });
});

// ---------------------------------------------------------------------------
// Authorization table: principal × the key's state × whose path the request names.

type Principal = 'no key' | 'wrong key' | 'admin key';
type KeyState = 'none' | 'created' | 'revoked' | 're-created';
type PathOwner = 'own user' | 'other user';

interface Expected {
  /** GET /users/:user/tsig-keys: the status and, on 200, the names listed. */
  readonly list: readonly [number, ...string[]];
  /** DELETE /users/:user/tsig-keys/K. */
  readonly revoke: number;
  /** POST /users/:user/tsig-keys {"name": K}. */
  readonly create: number;
}

/** K belongs to alice whenever it exists; "own user" requests name alice's path, "other user" bob's. */
const EXPECTED: Record<Principal, Record<KeyState, Record<PathOwner, Expected>>> = {
  'no key': everyCell({ list: [401], revoke: 401, create: 401 }),
  'wrong key': everyCell({ list: [403], revoke: 403, create: 403 }),
  'admin key': {
    none: { 'own user': { list: [200], revoke: 404, create: 201 }, 'other user': { list: [200], revoke: 404, create: 201 } },
    created: { 'own user': { list: [200, KEY], revoke: 204, create: 409 }, 'other user': { list: [200], revoke: 404, create: 409 } },
    revoked: { 'own user': { list: [200], revoke: 404, create: 201 }, 'other user': { list: [200], revoke: 404, create: 201 } },
    're-created': { 'own user': { list: [200, KEY], revoke: 204, create: 409 }, 'other user': { list: [200], revoke: 404, create: 409 } },
  },
};

function everyCell(expected: Expected): Record<KeyState, Record<PathOwner, Expected>> {
  const row = { 'own user': expected, 'other user': expected };
  return { none: row, created: row, revoked: row, 're-created': row };
}

const CASES = (Object.keys(EXPECTED) as Principal[]).flatMap((principal) =>
  (Object.keys(EXPECTED[principal]) as KeyState[]).flatMap((state) =>
    (['own user', 'other user'] as const).map((owner) => ({ principal, state, owner, expected: EXPECTED[principal][state][owner] })),
  ),
);

const keyHeader: Record<Principal, string | null> = { 'no key': null, 'wrong key': 'not-the-admin-key-000', 'admin key': ADMIN_KEY };

/** Brings K into the state; the secret K has now (re-created: the second one), if any. */
async function arrange(t: TestApp, state: KeyState): Promise<string | undefined> {
  if (state === 'none') return undefined;
  const first = await t.core.tsigKeys.create('alice', { name: KEY });
  if (state === 'created') return first.secret;
  await t.core.tsigKeys.revoke('alice', KEY);
  if (state === 'revoked') return undefined;
  const second = await t.core.tsigKeys.create('alice', { name: KEY });
  expect(second.secret).not.toBe(first.secret);
  return second.secret;
}

/** Who K resolves to now, with which secret. */
async function holder(t: TestApp): Promise<string | undefined> {
  const key = await t.core.tsigKeys.resolve(KEY);
  return key && `${key.username}:${Buffer.from(key.secret).toString('base64')}`;
}

describe('TSIG key authorization table', () => {
  it.each(CASES.map((c) => [`${c.principal} · ${c.state} · ${c.owner}`, c] as const))('%s', async (_title, c) => {
    const user = c.owner === 'own user' ? 'alice' : 'bob';
    const key = keyHeader[c.principal];
    const admin = c.principal === 'admin key';

    // Listing changes nothing.
    let t = await app();
    let secret = await arrange(t, c.state);
    const before = await holder(t);
    expect(before).toBe(secret && `alice:${secret}`);
    const list = await t.admin('GET', `/users/${user}/tsig-keys`, undefined, key);
    const [listStatus, ...names] = c.expected.list;
    expect(list.status).toBe(listStatus);
    if (list.status === 200) expect(list.json.keys.map((k: { name: string }) => k.name)).toEqual(names);
    expect(JSON.stringify(list.json)).not.toContain(secret ?? '(none)');
    expect(await holder(t)).toBe(before);

    // Revoking: only the owner's path with the admin key removes K.
    const revoke = await t.admin('DELETE', `/users/${user}/tsig-keys/${KEY}`, undefined, key);
    expect(revoke.status).toBe(c.expected.revoke);
    expect(await holder(t)).toBe(c.expected.revoke === 204 ? undefined : before);

    // Creating K by name: only with the admin key, only while no one holds it.
    t = await app();
    secret = await arrange(t, c.state);
    const create = await t.admin('POST', `/users/${user}/tsig-keys`, { name: KEY }, key);
    expect(create.status).toBe(c.expected.create);
    expect(await holder(t)).toBe(c.expected.create === 201 ? `${user}:${create.json.secret}` : secret && `alice:${secret}`);
    if (!admin) expect(create.json.error.code).toBe(c.principal === 'no key' ? 'admin_key_missing' : 'admin_key_invalid');
  });
});
