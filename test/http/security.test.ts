import { describe, expect, it, vi } from 'vitest';
import { Argon2Hasher } from '../../src/adapters/crypto/argon2.js';
import { redactUrl } from '../../src/adapters/observability/logger.js';
import { Authenticator } from '../../src/app/authenticator.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { ADMIN_KEY, createTestApp } from '../support/http-app.js';

describe('secrets never reach the logs', () => {
  it('redacts query-string passwords, Basic credentials, tokens and the admin key', async () => {
    const t = await createTestApp();
    await t.addUser('alice', 'sup3r-s3cret-pw', ['home.dyn.example.test']);
    const token = (await t.admin('POST', '/users/alice/tokens', { hostname: 'home.dyn.example.test' })).json.token as string;
    await t.update('username=alice&password=sup3r-s3cret-pw&hostname=home.dyn.example.test&myip=192.0.2.1', { auth: null });
    await t.update('user=alice&pass=sup3r-s3cret-pw&hostname=home.dyn.example.test&myip=192.0.2.2', { auth: null });
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.3', { auth: ['alice', 'sup3r-s3cret-pw'] });
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.4', { auth: ['alice', token] });
    await t.update(`hostname=home.dyn.example.test&myip=192.0.2.5&username=alice&password=${encodeURIComponent(token)}`, { auth: null });
    await t.admin('PUT', '/users/alice/password', { password: 'an0ther-s3cret' });
    const logs = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(5);
    expect(logs).toContain('[REDACTED]');
    expect(logs).toContain('"url":"/nic/update?username=alice&password=[REDACTED]&hostname=home.dyn.example.test&myip=192.0.2.1"');
    for (const secret of ['sup3r-s3cret-pw', 'an0ther-s3cret', token, ADMIN_KEY, Buffer.from('alice:sup3r-s3cret-pw').toString('base64')]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('redactUrl leaves other parameters and malformed encodings alone', () => {
    expect(redactUrl('/nic/update?hostname=a.b.c&pwd=x&Password=y&myip=1.2.3.4')).toBe('/nic/update?hostname=a.b.c&pwd=[REDACTED]&Password=[REDACTED]&myip=1.2.3.4');
    expect(redactUrl('/nic/update?%ZZ=1&pass=%ZZ')).toBe('/nic/update?%ZZ=1&pass=[REDACTED]');
    expect(redactUrl('/healthz')).toBe('/healthz');
  });
});

describe('credential verification', () => {
  const setup = async () => {
    const store = new MemoryStore();
    const hasher = new Argon2Hasher();
    await store.createUser({ username: 'alice', passwordHash: await hasher.hash('alice-password'), createdAt: 0 });
    const verify = vi.spyOn(hasher, 'verify');
    let now = 0;
    const auth = new Authenticator(store, hasher, { cacheTtlMs: 1000, cacheMaxEntries: 10, now: () => now });
    return { store, hasher, verify, auth, advance: (ms: number) => (now += ms) };
  };

  it('caches a verified password so a repeat update does not pay for Argon2 again', async () => {
    const { verify, auth, advance } = await setup();
    expect(await auth.authenticate('alice', 'alice-password')).toEqual({ kind: 'user', username: 'alice' });
    expect(await auth.authenticate('alice', 'alice-password')).toEqual({ kind: 'user', username: 'alice' });
    expect(verify).toHaveBeenCalledTimes(1);
    advance(1001);
    await auth.authenticate('alice', 'alice-password');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never caches failures, and spends one Argon2 verification on unknown users too', async () => {
    const { verify, auth } = await setup();
    expect(await auth.authenticate('alice', 'wrong')).toBeUndefined();
    expect(await auth.authenticate('alice', 'wrong')).toBeUndefined();
    expect(await auth.authenticate('mallory', 'whatever')).toBeUndefined();
    expect(verify).toHaveBeenCalledTimes(3);
    expect(verify.mock.calls[2]?.[0]).toMatch(/^\$argon2id\$/);
  });

  it('forgets a cached password when the stored hash changes', async () => {
    const { store, hasher, auth } = await setup();
    await auth.authenticate('alice', 'alice-password');
    await store.setPasswordHash('alice', await hasher.hash('new-password'));
    expect(await auth.authenticate('alice', 'alice-password')).toBeUndefined();
  });
});
