/**
 * Authorization of updates at the use-case level (Authenticator + UpdateHosts
 * + Accounts on the memory store): the shared table, then the account
 * lifecycle cases around it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { createCore, type Core } from '../../src/config/services.js';
import { AUTHZ_CASES, NAME, NEW_ADDRESS, PASSWORDS, ZONE, addressInDns, caseTitle, placeHost, plainHasher, runCase, type AuthzWorld } from '../support/authorization-table.js';

async function world(now: () => number = Date.now): Promise<AuthzWorld & { core: Core }> {
  const store = new MemoryStore();
  const publisher = new MemoryDnsProvider([ZONE]);
  const core = await createCore(loadConfig({ SIGNPOST_ZONES: ZONE }), { store, provider: publisher, hasher: plainHasher, logger: createLogger('silent'), now });
  return {
    core,
    accounts: core.accounts,
    store,
    publisher,
    update: async (username, password, name) => {
      const principal = await core.authenticator.authenticate(username, password);
      if (!principal) return 'badauth';
      const [result] = await core.updateHosts.execute({ principal, query: { hostnames: [name], v4: NEW_ADDRESS }, sourceAddress: '203.0.113.9', userAgent: 'test/1.0' });
      return result!.code;
    },
  };
}

describe('authorization table (use cases, memory store)', () => {
  it.each(AUTHZ_CASES.map((c) => [caseTitle(c), c] as const))('%s', async (_title, c) => {
    await runCase(await world(), c);
  });
});

describe('authorization around the table', () => {
  it('the user a name is granted to next gets good on it, whoever owns the host left in the store', async () => {
    for (const leftBy of [undefined, 'alice', 'bob'] as const) {
      const w = await world();
      await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [NAME] });
      const { token } = await w.accounts.createToken('alice', NAME);
      await w.accounts.removeGrant('alice', NAME);
      await w.accounts.createUser({ username: 'bob', password: PASSWORDS.bob, domains: [NAME] });
      if (leftBy) await placeHost(w, leftBy);
      expect(await w.update('alice', token, NAME), `host left by ${leftBy}`).toBe('badauth');
      expect(await w.update('bob', PASSWORDS.bob, NAME), `host left by ${leftBy}`).toBe('good');
      expect(await w.store.getHost(NAME)).toMatchObject({ owner: 'bob', addresses: { v4: NEW_ADDRESS } });
      expect(await w.update('alice', token, NAME)).toBe('badauth');
      expect(await w.update('alice', PASSWORDS.alice, NAME)).toBe('nohost');
    }
  });

  it('removing a grant revokes exactly the tokens it alone covered, and unpublishes the hosts', async () => {
    const w = await world();
    await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [NAME, `*.alice.${ZONE}`] });
    const gone = await w.accounts.createToken('alice', NAME);
    const kept = await w.accounts.createToken('alice', `nas.alice.${ZONE}`);
    expect(await w.update('alice', gone.token, NAME)).toBe('good');
    await w.accounts.removeGrant('alice', NAME);
    expect((await w.accounts.listTokens('alice')).map((t) => t.id)).toEqual([kept.id]);
    expect(await w.store.getHost(NAME)).toBeUndefined();
    expect(await addressInDns(w)).toBeUndefined();
    expect(await w.update('alice', gone.token, NAME)).toBe('badauth');
    expect(await w.update('alice', kept.token, `nas.alice.${ZONE}`)).toBe('good');
  });

  it('a token whose user was deleted answers badauth, also when a new user of the same name gets the name', async () => {
    let clock = 1_000_000;
    const w = await world(() => clock);
    await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [NAME] });
    const { token, id } = await w.accounts.createToken('alice', NAME);
    const stored = (await w.store.listTokens('alice'))[0]!;
    await w.accounts.deleteUser('alice');
    expect(await w.update('alice', token, NAME)).toBe('badauth');
    clock += 1000;
    await w.accounts.createUser({ username: 'alice', password: 'another-password', domains: [NAME] });
    expect(await w.update('alice', token, NAME)).toBe('badauth');
    // Even a token the store failed to delete with its account (DynamoDB deletes item by item) stays dead:
    await w.store.createToken(stored);
    expect((await w.store.listTokens('alice')).map((t) => t.id)).toEqual([id]);
    expect(await w.update('alice', token, NAME)).toBe('badauth');
    expect(await w.update(NAME, token, NAME)).toBe('badauth');
    expect(await w.store.getHost(NAME)).toBeUndefined();
  });

  it('a user removed and created again under the same name starts with no grants', async () => {
    const w = await world();
    await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [NAME] });
    expect(await w.update('alice', PASSWORDS.alice, NAME)).toBe('good');
    await w.accounts.deleteUser('alice');
    expect(await addressInDns(w)).toBeUndefined();
    await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [] });
    expect(await w.update('alice', PASSWORDS.alice, NAME)).toBe('nohost');
    expect(await w.store.getHost(NAME)).toBeUndefined();
  });

  it('a token updates only its own name, even where its user holds a wildcard', async () => {
    const w = await world();
    await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [`*.alice.${ZONE}`] });
    const { token } = await w.accounts.createToken('alice', `nas.alice.${ZONE}`);
    expect(await w.update('alice', token, `cam.alice.${ZONE}`)).toBe('nohost');
    expect(await w.update('alice', token, `nas.alice.${ZONE}`)).toBe('good');
  });
});
