/**
 * The authorization table end to end: dyndns2 over `app.request()`, on the
 * memory store and on SQLite (a fresh database per case in a temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Store } from '../../src/ports/store.js';
import { AUTHZ_CASES, NAME, NEW_ADDRESS, PASSWORDS, caseTitle, plainHasher, runCase, type AuthzWorld } from '../support/authorization-table.js';
import { createTestApp } from '../support/http-app.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const stores: Record<string, () => Store | undefined> = {
  memory: () => undefined,
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-authz-'));
    dirs.push(dir);
    return new SqliteStore(join(dir, 'signpost.db'));
  },
};

async function httpWorld(makeStore: () => Store | undefined): Promise<AuthzWorld & { close(): Promise<void> }> {
  const store = makeStore();
  const t = await createTestApp({}, { hasher: plainHasher, ...(store ? { store } : {}) });
  return {
    accounts: t.core.accounts,
    store: t.store,
    publisher: t.provider,
    update: async (username, password, name) => (await t.update(`hostname=${name}&myip=${NEW_ADDRESS}`, { auth: [username, password] })).body.split(' ')[0]!,
    close: () => t.core.close(),
  };
}

for (const [kind, makeStore] of Object.entries(stores)) {
  describe(`authorization table over HTTP (${kind} store)`, () => {
    it.each(AUTHZ_CASES.map((c) => [caseTitle(c), c] as const))('%s', async (_title, c) => {
      const w = await httpWorld(makeStore);
      try {
        await runCase(w, c);
      } finally {
        await w.close();
      }
    });

    it('the reported case: a token outlives its grant no more, and the next grantee owns the name', async () => {
      const w = await httpWorld(makeStore);
      try {
        await w.accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [NAME] });
        const { token } = await w.accounts.createToken('alice', NAME);
        expect(await w.update('alice', token, NAME)).toBe('good');
        await w.accounts.removeGrant('alice', NAME);
        expect(await w.update('alice', token, NAME)).toBe('badauth');
        expect(await w.store.getHost(NAME)).toBeUndefined();
        await w.accounts.createUser({ username: 'bob', password: PASSWORDS.bob, domains: [NAME] });
        expect(await w.update('bob', PASSWORDS.bob, NAME)).toBe('good');
        expect(await w.update(NAME, token, NAME)).toBe('badauth');
        expect(await w.store.getHost(NAME)).toMatchObject({ owner: 'bob' });
      } finally {
        await w.close();
      }
    });
  });
}
