import { afterEach, describe, expect, it, vi } from 'vitest';
import { Argon2Hasher } from '../../src/adapters/crypto/argon2.js';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/http-app.js';
import { readmeFailregex } from '../support/readme.js';

afterEach(() => vi.restoreAllMocks());

const HOME = 'hostname=home.dyn.example.test&myip=192.0.2.1';
const ATTACKER = '198.51.100.66';

async function setup(env: Record<string, string> = {}): Promise<{ t: TestApp; verify: { mock: { calls: unknown[] }; mockClear(): unknown } }> {
  const verify = vi.spyOn(Argon2Hasher.prototype, 'verify');
  const t = await createTestApp(env);
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test']);
  await t.addUser('bob', 'bob-password-1', ['bob.dyn.example.test']);
  verify.mockClear();
  return { t, verify };
}

const adminFrom = async (t: TestApp, peer: string, key: string) => {
  const res = await t.app.request('/users', { headers: { 'x-api-key': key } }, { peer });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as { error?: { code: string } } };
};

describe('failed dyndns2 logins are throttled', () => {
  it('stops running Argon2 for an address that keeps sending wrong passwords', async () => {
    const { t, verify } = await setup();
    for (let i = 0; i < 40; i++) {
      const user = i % 2 === 0 ? 'alice' : `nobody${i}`;
      expect((await t.update(HOME, { auth: [user, `guess-${i}`], peer: ATTACKER })).body).toBe('badauth');
    }
    expect(verify.mock.calls.length).toBeLessThanOrEqual(11);
    // Another address's user is unaffected.
    expect((await t.update('hostname=bob.dyn.example.test&myip=192.0.2.9', { auth: ['bob', 'bob-password-1'], peer: '203.0.113.20' })).body).toBe('good 192.0.2.9');
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toMatch(/^signpost_logins_throttled_total\{door="dyndns2"\} (\d+)$/m);
    expect(Number(/signpost_logins_throttled_total\{door="dyndns2"\} (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(29);
  });

  it('keeps a user guessed at from many addresses working where it already logged in, and refuses new addresses meanwhile', async () => {
    const { t, verify } = await setup({ SIGNPOST_CREDENTIAL_CACHE_SECONDS: '0' }); // every login pays for Argon2
    const router = '192.0.2.50';
    expect((await t.update(HOME, { peer: router })).body).toBe('good 192.0.2.1');
    for (let i = 0; i < 30; i++) await t.update(HOME, { auth: ['alice', `guess-${i}`], peer: `198.51.100.${i + 1}` });
    expect(verify.mock.calls.length).toBeLessThanOrEqual(12);
    // The trade-off: the right password from an address alice never used waits out the user's backoff (at most 1 min).
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.3', { peer: '203.0.113.77' })).body).toBe('badauth');
    expect(t.logs.map((l) => JSON.parse(l)).find((l) => l.source === '203.0.113.77')).toMatchObject({ result: 'throttled', user: 'alice' });
    // The address alice logged in from still gets its password checked (with the cache on, a cached credential works from anywhere).
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2', { peer: router })).body).toBe('good 192.0.2.2');
    // Her success clears the name's count: the new address gets in now.
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.3', { peer: '203.0.113.77' })).body).toBe('good 192.0.2.3');
  });
});

describe('admin key guesses are throttled', () => {
  it('answers 429 too_many_attempts with Retry-After after 10 wrong keys from one address, even for the right key', async () => {
    const { t } = await setup();
    for (let i = 0; i < 10; i++) expect((await adminFrom(t, ATTACKER, `wrong-key-${i}-0000000`)).status).toBe(403);
    const throttled = await adminFrom(t, ATTACKER, 'wrong-key-x-0000000');
    expect(throttled.status).toBe(429);
    expect(throttled.json.error!.code).toBe('too_many_attempts');
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await adminFrom(t, ATTACKER, ADMIN_KEY)).status).toBe(429);
    expect((await adminFrom(t, '203.0.113.8', ADMIN_KEY)).status).toBe(200);
    expect(await (await t.app.request('/metrics')).text()).toMatch(/signpost_logins_throttled_total\{door="admin"\} 2/);
  });
});

describe('failed-login log line', () => {
  it('is one warning per failure with user, source and result that the README fail2ban filter matches, never the password', async () => {
    const { t } = await setup();
    const hostile = 'x","source":"192.0.2.254","result":"badauth","msg":"login failed"}';
    await t.update(HOME, { auth: ['alice', 'not-her-password'], peer: '198.51.100.7' });
    await t.update(HOME, { auth: [hostile, 'whatever-pw'], peer: '198.51.100.8' });
    await t.app.request('/users', { headers: { 'x-api-key': 'wrong-key-000000000' } }, { peer: '2001:db8::5' });
    const failed = t.logs.filter((l) => l.includes('"msg":"login failed"'));
    expect(failed).toHaveLength(3);
    expect(JSON.parse(failed[0]!)).toMatchObject({ level: 40, door: 'dyndns2', user: 'alice', source: '198.51.100.7', result: 'badauth' });
    const regex = readmeFailregex();
    expect(failed.map((l) => regex.exec(l.trimEnd())?.groups?.host)).toEqual(['198.51.100.7', '198.51.100.8', '2001:db8::5']);
    expect(t.logs.filter((l) => regex.test(l.trimEnd()))).toHaveLength(3); // request lines and successes do not match
    expect(t.logs.join('\n')).not.toContain('not-her-password');
  });
});
