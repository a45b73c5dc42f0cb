/** Users' TSIG keys: names, algorithms, owners, and secrets that are sealed at rest and opened only to verify. */
import { describe, expect, it } from 'vitest';
import { AesGcmBox } from '../../src/adapters/crypto/aes-gcm-box.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { TsigKeys } from '../../src/app/tsig-keys.js';
import { SignpostError } from '../../src/domain/errors.js';
import type { TsigKeyRecord } from '../../src/domain/model.js';
import { defaultTsigKeyName, isTsigKeyName } from '../../src/domain/tsig-keys.js';
import { SecretBoxError, type SecretBox } from '../../src/ports/secret-box.js';
import type { Store } from '../../src/ports/store.js';

const NOW = Date.UTC(2026, 10, 30, 6, 0, 0);

async function world(options: { box?: SecretBox | null; store?: Store } = {}) {
  const store = options.store ?? new MemoryStore();
  for (const username of ['alice', 'bob']) await store.createUser({ username, passwordHash: 'x', createdAt: 0 });
  const box = options.box === undefined ? new AesGcmBox(Buffer.alloc(32, 3)) : options.box;
  const errors: { message: string; context: Record<string, unknown> }[] = [];
  const keys = new TsigKeys({ store, ...(box ? { box } : {}), now: () => NOW, onError: (message, _error, context) => void errors.push({ message, context }) });
  return { store, box, keys, errors };
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof SignpostError ? error.code : String(error)),
  );

describe('TsigKeys.create', () => {
  it('makes a named hmac-sha256 key with a 32-byte secret, shown once and stored only sealed', async () => {
    const { store, box, keys } = await world();
    const created = await keys.create('alice');
    expect(created.name).toMatch(/^alice-[0-9a-f]{16}$/);
    expect(created.algorithm).toBe('hmac-sha256');
    const secret = Buffer.from(created.secret, 'base64');
    expect(secret).toHaveLength(32);
    expect(secret.toString('base64')).toBe(created.secret);

    const row = (await store.getTsigKey(created.name))!;
    expect(row).toMatchObject({ name: created.name, username: 'alice', algorithm: 'hmac-sha256', createdAt: NOW });
    const stored = JSON.stringify(row);
    for (const form of [secret.toString('base64'), secret.toString('base64url').slice(0, 40), secret.toString('hex')]) expect(stored).not.toContain(form);
    // Sealed for this key's name: it opens there only, and only with the same secret key.
    expect(box!.open(row.sealedSecret, `tsig:${created.name}`)).toEqual(secret);
    expect(() => box!.open(row.sealedSecret, 'tsig:another-key')).toThrow(SecretBoxError);
    expect(() => new AesGcmBox(Buffer.alloc(32, 4)).open(row.sealedSecret, `tsig:${created.name}`)).toThrow(SecretBoxError);
  });

  it('takes a chosen name in canonical form and hmac-sha512; every secret is new', async () => {
    const { keys } = await world();
    const a = await keys.create('alice', { name: 'Laptop.Alice.', algorithm: 'hmac-sha512' });
    expect([a.name, a.algorithm]).toEqual(['laptop.alice', 'hmac-sha512']);
    const b = await keys.create('alice', { name: 'k' });
    expect(b.secret).not.toBe(a.secret);
  });

  it('refuses names that are not DNS names and algorithms other than hmac-sha256/512', async () => {
    const { store, keys } = await world();
    for (const name of ['', '.', 'a..b', '-a', 'a-', 'a_b', 'ä', 'a b', 'x'.repeat(64), `${'a'.repeat(63)}.`.repeat(4) + 'b']) {
      expect(await code(keys.create('alice', { name })), JSON.stringify(name)).toBe('invalid_request');
    }
    for (const algorithm of ['hmac-md5', 'hmac-sha1', 'hmac-sha384', 'HMAC-SHA256', '']) expect(await code(keys.create('alice', { algorithm })), algorithm).toBe('invalid_request');
    expect(await store.listTsigKeys('alice')).toEqual([]);
  });

  it('keeps names unique across users', async () => {
    const { keys } = await world();
    await keys.create('alice', { name: 'shared' });
    expect(await code(keys.create('bob', { name: 'SHARED' }))).toBe('tsig_key_exists');
    expect(await code(keys.create('alice', { name: 'shared' }))).toBe('tsig_key_exists');
  });

  it('answers user_not_found for an unknown user, and leaves no key when the user goes while it is made', async () => {
    const { keys } = await world();
    expect(await code(keys.create('carol'))).toBe('user_not_found');
    const store = new MemoryStore();
    const racing = Object.assign(Object.create(store) as MemoryStore, {
      createTsigKey: async (key: TsigKeyRecord) => {
        await store.createTsigKey(key);
        await store.deleteUser('alice'); // an admin deletes the user at this moment
      },
    });
    const { keys: raced } = await world({ store: racing });
    expect(await code(raced.create('alice', { name: 'orphan' }))).toBe('user_not_found');
    expect(await store.getTsigKey('orphan')).toBeUndefined();
  });

  it('draws another default name when one is taken', async () => {
    const store = new MemoryStore();
    let calls = 0;
    const taken = Object.assign(Object.create(store) as MemoryStore, {
      createTsigKey: async (key: TsigKeyRecord) => {
        if (++calls === 1) throw new SignpostError('tsig_key_exists', 'taken');
        await store.createTsigKey(key);
      },
    });
    const { keys } = await world({ store: taken });
    const created = await keys.create('alice');
    expect(calls).toBe(2);
    expect(await store.getTsigKey(created.name)).toBeDefined();
  });

  it('answers a clear error where no secret key is configured', async () => {
    const { keys } = await world({ box: null });
    await expect(keys.create('alice')).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('self-hosted') });
  });
});

describe('default key names', () => {
  it('map any user name into one DNS label with 16 random hex digits', () => {
    const hex = '0123456789abcdef';
    expect(defaultTsigKeyName('alice', hex)).toBe(`alice-${hex}`);
    expect(defaultTsigKeyName('Alice.Smith@Example.com', hex)).toBe(`alice-smith-example-com-${hex}`);
    expect(defaultTsigKeyName('a+_b', hex)).toBe(`a-b-${hex}`);
    expect(defaultTsigKeyName('9', hex)).toBe(`9-${hex}`);
    const long = defaultTsigKeyName(`a${'.b'.repeat(31)}c`, hex);
    expect(long.length).toBeLessThanOrEqual(63);
    for (const username of ['alice', 'Alice.Smith@Example.com', 'a+_b', `a${'.b'.repeat(31)}c`, `x${'-'.repeat(63)}`, `${'z'.repeat(45)}@q`]) {
      const name = defaultTsigKeyName(username, hex);
      expect(isTsigKeyName(name), `${username} → ${name}`).toBe(true);
      expect(name.includes('.')).toBe(false);
    }
  });
});

describe('TsigKeys.list and revoke', () => {
  it('lists a user’s own keys without secrets', async () => {
    const { keys } = await world();
    const a = await keys.create('alice', { name: 'b-key' });
    await keys.create('alice', { name: 'a-key', algorithm: 'hmac-sha512' });
    await keys.create('bob', { name: 'bobs' });
    const listed = await keys.list('alice');
    expect(listed).toEqual([
      { name: 'a-key', algorithm: 'hmac-sha512', createdAt: new Date(NOW).toISOString() },
      { name: 'b-key', algorithm: 'hmac-sha256', createdAt: new Date(NOW).toISOString() },
    ]);
    expect(JSON.stringify(listed)).not.toContain(a.secret);
    expect(await code(keys.list('carol'))).toBe('user_not_found');
  });

  it('revokes only the user’s own key; another user’s key is not found and keeps working', async () => {
    const { keys } = await world();
    await keys.create('alice', { name: 'alice-key' });
    await keys.create('bob', { name: 'bob-key' });
    expect(await code(keys.revoke('alice', 'bob-key'))).toBe('tsig_key_not_found');
    expect(await keys.resolve('bob-key')).toBeDefined();
    expect(await code(keys.revoke('alice', 'Alice-Key.'))).toBe('resolved');
    expect(await keys.resolve('alice-key')).toBeUndefined();
    expect(await code(keys.revoke('alice', 'alice-key'))).toBe('tsig_key_not_found');
    expect(await code(keys.revoke('alice', 'nothing'))).toBe('tsig_key_not_found');
    expect(await code(keys.revoke('carol', 'bob-key'))).toBe('user_not_found');
    expect(await code(keys.revoke('alice', 'a_b'))).toBe('invalid_request');
  });
});

describe('TsigKeys.resolve', () => {
  it('opens the secret of the key a message names, in any case, with its owner', async () => {
    const { keys } = await world();
    const created = await keys.create('alice', { name: 'nsupdate.alice', algorithm: 'hmac-sha512' });
    const key = await keys.resolve('NSUPDATE.Alice.');
    expect(key).toEqual({ name: 'nsupdate.alice', algorithm: 'hmac-sha512', secret: Buffer.from(created.secret, 'base64'), username: 'alice' });
    expect(await keys.resolve('unknown.alice')).toBeUndefined();
    expect(await keys.resolve('not a name')).toBeUndefined();
  });

  it('forgets a user’s keys with the user', async () => {
    const { store, keys } = await world();
    await keys.create('alice', { name: 'k1' });
    await store.deleteUser('alice');
    expect(await keys.resolve('k1')).toBeUndefined();
  });

  it('treats a key that no longer opens (secret key replaced) as unknown, and reports it once', async () => {
    const { store, keys } = await world();
    await keys.create('alice', { name: 'k1' });
    await keys.create('bob', { name: 'k2' });
    const replaced = new TsigKeys({ store, box: new AesGcmBox(Buffer.alloc(32, 9)), now: () => NOW, onError: (message, _e, context) => void errors.push({ message, context }) });
    const errors: { message: string; context: Record<string, unknown> }[] = [];
    expect(await replaced.resolve('k1')).toBeUndefined();
    expect(await replaced.resolve('k1')).toBeUndefined();
    expect(await replaced.resolve('k2')).toBeUndefined();
    expect(errors.map((e) => e.context)).toEqual([
      { key: 'k1', user: 'alice' },
      { key: 'k2', user: 'bob' },
    ]);
    expect(errors[0]!.message).toContain('secret key');
    // A sealed secret moved onto another key's row does not open either.
    const k2 = (await store.getTsigKey('k2'))!;
    await store.deleteTsigKey('k1', 'alice');
    await store.createTsigKey({ ...k2, name: 'k1', username: 'alice' });
    expect(await keys.resolve('k1')).toBeUndefined();
    expect(await keys.resolve('k2')).toBeDefined();
  });

  it('without a secret key, knows no key', async () => {
    const { store, keys, errors } = await world({ box: null });
    await store.createTsigKey({ name: 'k1', username: 'alice', algorithm: 'hmac-sha256', sealedSecret: 'v1.a.b.c', createdAt: 0 });
    expect(await keys.resolve('k1')).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
