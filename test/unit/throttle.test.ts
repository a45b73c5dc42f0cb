import { describe, expect, it } from 'vitest';
import { Backoff, LoginThrottle, type BackoffPolicy } from '../../src/domain/throttle.js';

const policy: BackoffPolicy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, maxKeys: 3 };

describe('Backoff', () => {
  it('lets the free failures through, then doubles the wait up to the cap', () => {
    const b = new Backoff(policy);
    expect([b.fail('a', 0), b.fail('a', 0)]).toEqual([0, 0]);
    expect(b.retryAfter('a', 0)).toBe(0);
    expect(b.fail('a', 0)).toBe(1000);
    expect(b.retryAfter('a', 500)).toBe(500);
    expect(b.fail('a', 1000)).toBe(2000);
    expect(b.fail('a', 3000)).toBe(4000);
    expect(b.fail('a', 7000)).toBe(8000);
    expect(b.fail('a', 15_000)).toBe(8000);
    expect(b.retryAfter('a', 23_000)).toBe(0);
  });

  it('forgets a key that stayed quiet, and can be cleared', () => {
    const b = new Backoff(policy);
    for (let i = 0; i < 5; i++) b.fail('a', 0);
    expect(b.retryAfter('a', 59_000)).toBe(0);
    expect(b.fail('a', 61_000)).toBe(0); // counting starts over
    b.clear('a');
    expect(b.size).toBe(0);
  });

  it('tracks at most maxKeys keys, dropping the least recently failed', () => {
    const b = new Backoff(policy);
    for (const k of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) b.fail(k, 0);
    b.fail('a', 1); // a is now the most recent
    for (let i = 0; i < 100_000; i++) b.fail(`flood-${i}`, 2);
    expect(b.size).toBe(3);
    expect(b.retryAfter('b', 2)).toBe(0);
  });
});

describe('LoginThrottle', () => {
  const throttle = () =>
    new LoginThrottle({ source: { ...policy, maxKeys: 100 }, user: { ...policy, freeFailures: 2, maxKeys: 100 }, maxTrustedPairs: 10, trustForMs: 60_000 });

  it('refuses an address that keeps failing, whatever the user or cache', () => {
    const t = throttle();
    for (const u of ['a', 'b', 'c']) t.failed(u, '198.51.100.1', 0);
    expect(t.decide('d', '198.51.100.1', 0, true)).toEqual({ allowed: false, scope: 'source', retryAfterMs: 1000 });
    expect(t.decide('d', '198.51.100.2', 0, false)).toEqual({ allowed: true });
  });

  it('refuses a user guessed at from everywhere only where it would cost a hash from a new address', () => {
    const t = throttle();
    t.succeeded('alice', '192.0.2.1', 0);
    for (let i = 0; i < 4; i++) t.failed('alice', `198.51.100.${i}`, 0);
    expect(t.decide('alice', '203.0.113.5', 0, false)).toMatchObject({ allowed: false, scope: 'user' });
    expect(t.decide('alice', '203.0.113.5', 0, true)).toEqual({ allowed: true }); // a cached credential
    expect(t.decide('alice', '192.0.2.1', 0, false)).toEqual({ allowed: true }); // where alice logged in before
    t.succeeded('alice', '192.0.2.1', 1);
    expect(t.decide('alice', '203.0.113.5', 1, false)).toEqual({ allowed: true }); // success cleared the name
  });

  it('keeps an address backed off after it logs in successfully', () => {
    const t = throttle();
    for (const u of ['a', 'b', 'c']) t.failed(u, '198.51.100.1', 0);
    t.succeeded('mallory', '198.51.100.1', 0);
    expect(t.decide('a', '198.51.100.1', 0, false)).toMatchObject({ allowed: false, scope: 'source' });
  });
});
