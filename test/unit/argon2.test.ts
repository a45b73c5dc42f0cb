/** The Argon2 hasher's precomputed unknown-user hash has the parameters of a fresh hash, so an unknown user costs one verification like a known one. */
import { describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../src/adapters/crypto/argon2.js';
import { Authenticator } from '../../src/app/authenticator.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import type { Store } from '../../src/ports/store.js';

const params = (phc: string) => phc.split('$').slice(0, 4).join('$');

describe('Argon2Hasher.unknownUserHash', () => {
  it('uses the same algorithm, version and cost parameters as hash()', async () => {
    const hasher = new Argon2Hasher();
    const fresh = await hasher.hash('some password');
    expect(params(hasher.unknownUserHash)).toBe(params(fresh));
    expect(params(fresh)).toBe('$argon2id$v=19$m=19456,t=2,p=1');
    expect(await hasher.verify(hasher.unknownUserHash, 'some password')).toBe(false);
  });

  it('is what the authenticator verifies an unknown user against, with no hash computed', async () => {
    const calls: string[] = [];
    const real = new Argon2Hasher();
    const hasher: PasswordHasher = {
      unknownUserHash: real.unknownUserHash,
      hash: async (p) => (calls.push('hash'), real.hash(p)),
      verify: async (h, p) => (calls.push(`verify ${h === real.unknownUserHash ? 'unknown-user hash' : h}`), real.verify(h, p)),
    };
    const store = { getUser: async () => undefined } as unknown as Store;
    const auth = new Authenticator(store, hasher, { cacheTtlMs: 1000, cacheMaxEntries: 10, now: Date.now });
    expect(await auth.authenticate('nobody', 'a password')).toBeUndefined();
    expect(await auth.authenticate('nobody', 'another password')).toBeUndefined();
    expect(calls).toEqual(['verify unknown-user hash', 'verify unknown-user hash']);
  });
});
