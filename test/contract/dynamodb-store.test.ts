import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../src/adapters/store/dynamodb.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { storeContract } from './store.contract.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const makeStore = async (historyLimit: number) => new DynamoDbStore({ client: dynamo.client, tableName: await dynamo.freshTable(), historyLimit });

storeContract('dynamodb (dynalite)', { makeStore });

describe('DynamoDbStore specifics', () => {
  it('lets at most one of concurrent overlapping grants by different users win', async () => {
    const store = await makeStore(5);
    const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
    for (const u of users) await store.createUser({ username: u, passwordHash: 'h', createdAt: 1 });
    const patterns = ['*.a.dyn.example.test', 'x.a.dyn.example.test', '*.x.a.dyn.example.test', 'x.a.dyn.example.test', '*.a.dyn.example.test', 'y.x.a.dyn.example.test'];
    const results = await Promise.allSettled(users.map((u, i) => store.addGrant({ username: u, pattern: patterns[i] ?? '' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const granted = (await Promise.all(users.map((u) => store.listGrants(u)))).flat();
    expect(granted).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: expect.stringMatching(/grant_conflict|concurrent_update/) });
  });

  it('adds the same grant concurrently for one user idempotently', async () => {
    const store = await makeStore(5);
    await store.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    await Promise.all(Array.from({ length: 5 }, () => store.addGrant({ username: 'alice', pattern: 'home.dyn.example.test' })));
    expect(await store.listGrants('alice')).toEqual([{ username: 'alice', pattern: 'home.dyn.example.test' }]);
    // the claim survives: another user is still refused
    await store.createUser({ username: 'bob', passwordHash: 'h', createdAt: 1 });
    await expect(store.addGrant({ username: 'bob', pattern: 'home.dyn.example.test' })).rejects.toMatchObject({ code: 'grant_conflict' });
  });

  it('frees a pattern when its owner is deleted', async () => {
    const store = await makeStore(5);
    await store.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    await store.createUser({ username: 'bob', passwordHash: 'h', createdAt: 1 });
    await store.addGrant({ username: 'alice', pattern: '*.a.dyn.example.test' });
    await store.deleteUser('alice');
    await store.addGrant({ username: 'bob', pattern: 'x.a.dyn.example.test' });
    expect((await store.listGrants('bob')).map((g) => g.pattern)).toEqual(['x.a.dyn.example.test']);
  });

  it('does not authenticate a revoked token even if a pointer is left behind', async () => {
    const store = await makeStore(5);
    await store.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    const token = { id: 't1', username: 'alice', hostname: 'h.dyn.example.test', secretHash: 'aa'.repeat(32), createdAt: 1 };
    await store.createToken(token);
    await expect(store.createToken({ ...token, id: 't2' })).rejects.toBeDefined(); // same secret hash twice
    expect(await store.findTokenBySecretHash(token.secretHash)).toEqual(token);
    expect(await store.revokeToken('t1')).toBe(true);
    expect(await store.findTokenBySecretHash(token.secretHash)).toBeUndefined();
  });

  it('keeps history in insertion order within one millisecond', async () => {
    const store = await makeStore(3);
    const e = (r: 'good' | 'nochg', n: number) => ({
      hostname: 'h.dyn.example.test', owner: 'alice', at: 5, sourceAddress: `192.0.2.${n}`, userAgent: 'ua', before: {}, after: { v4: '192.0.2.1' }, result: r,
    });
    for (let i = 0; i < 5; i++) await store.appendHistory(e('good', i));
    expect((await store.listHistory('h.dyn.example.test', 10)).map((x) => x.sourceAddress)).toEqual(['192.0.2.4', '192.0.2.3', '192.0.2.2']);
  });

  it('lists activity with queries only, examining at most its read budget when filtering', async () => {
    const table = await dynamo.freshTable();
    const store = new DynamoDbStore({ client: dynamo.client, tableName: table, historyLimit: 100, activityReadBudget: 12 });
    const e = (i: number, result: 'good' | 'abuse') => ({
      hostname: `h${i % 3}.dyn.example.test`, owner: 'alice', at: 1000 + i, sourceAddress: '192.0.2.1', userAgent: 'ua', before: {}, after: {}, result,
    });
    await store.appendHistory(e(0, 'abuse'));
    for (let i = 1; i <= 30; i++) await store.appendHistory(e(i, 'good'));
    const commands: string[] = [];
    const name = 'recordCommands';
    dynamo.client.middlewareStack.add((next, context) => (args) => (commands.push(String(context.commandName)), next(args)), { step: 'initialize', name });
    try {
      expect((await store.listActivity({}, 5)).map((x) => x.at)).toEqual([1030, 1029, 1028, 1027, 1026]);
      // the one abuse entry lies beyond the newest 12 entries examined
      expect(await store.listActivity({ result: 'abuse' }, 5)).toEqual([]);
      expect(await store.listActivity({ owner: 'alice', result: 'abuse' }, 5)).toEqual([]);
      // a host's own history is read whole
      expect((await store.listActivity({ hostname: 'h0.dyn.example.test', result: 'abuse' }, 5)).map((x) => x.at)).toEqual([1000]);
      const roomy = new DynamoDbStore({ client: dynamo.client, tableName: table, activityReadBudget: 100 });
      expect((await roomy.listActivity({ result: 'abuse' }, 5)).map((x) => x.at)).toEqual([1000]);
      expect((await roomy.listActivity({ owner: 'alice', result: 'abuse' }, 5)).map((x) => x.at)).toEqual([1000]);
    } finally {
      dynamo.client.middlewareStack.remove(name);
    }
    expect(commands.length).toBeGreaterThan(0);
    expect(new Set(commands)).toEqual(new Set(['QueryCommand']));
  });

  it('reads every challenge row for a sweep with one Query of one item collection, never a Scan', async () => {
    const store = await makeStore(5);
    const row = (i: number) => ({
      name: `_acme-challenge.h${String(i).padStart(2, '0')}.dyn.example.test`,
      zone: i % 2 === 0 ? 'dyn.example.test' : 'other.example',
      owner: i % 3 === 0 ? 'alice' : 'bob',
      values: [{ value: `v${i}`, writtenAt: i, expiresAt: 1000 + i }],
      version: 1,
    });
    for (let i = 0; i < 30; i++) await store.putChallenge(row(i), null);
    const commands: string[] = [];
    const name = 'recordChallengeCommands';
    dynamo.client.middlewareStack.add((next, context) => (args) => (commands.push(String(context.commandName)), next(args)), { step: 'initialize', name });
    try {
      expect(await store.listChallenges()).toHaveLength(30);
      expect(commands).toEqual(['QueryCommand']);
      expect((await store.listChallenges({ zone: 'other.example', owner: 'alice' })).map((c) => c.name)).toEqual(
        [3, 9, 15, 21, 27].map((i) => row(i).name),
      );
    } finally {
      dynamo.client.middlewareStack.remove(name);
    }
    expect(new Set(commands)).toEqual(new Set(['QueryCommand']));
  });

  it('never leaves a TSIG key or acme-dns account behind a user deleted while it was created', async () => {
    const store = await makeStore(5);
    for (let round = 0; round < 24; round++) {
      const username = `racer${round}`;
      await store.createUser({ username, passwordHash: 'h', createdAt: 1 });
      const key = { name: `${username}.keys.example.test`, username, algorithm: 'hmac-sha256' as const, sealedSecret: 'v1.s', createdAt: 1 };
      const account = { username: `acct-${round}`, owner: username, secretHash: 'ab'.repeat(32), subdomain: `sub-${round}`, allowFrom: [], createdAt: 1 };
      // the delete starts first, mid-way, or last relative to the creates
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const results = await Promise.allSettled([
        pause(round % 8).then(() => store.deleteUser(username)),
        store.createTsigKey(key),
        store.createAcmeDnsAccount(account),
      ]);
      expect(await store.getUser(username)).toBeUndefined();
      expect(await store.getTsigKey(key.name)).toBeUndefined();
      expect(await store.getAcmeDnsAccount(account.username)).toBeUndefined();
      expect(await store.findAcmeDnsAccountBySubdomain(account.subdomain)).toBeUndefined();
      for (const r of results.slice(1)) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'user_not_found' });
    }
  });
});
