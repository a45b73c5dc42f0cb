import { beforeEach, describe, expect, it } from 'vitest';
import { adminJsonSchemas } from '../../src/app/schemas.js';
import { createTestApp, type TestApp } from '../support/http-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});

const alice = { username: 'alice', password: 'alice-password', domains: ['home.dyn.example.test', '*.alice.dyn.example.test'] };

describe('admin key', () => {
  it('answers 401 without and 403 with a wrong X-API-KEY, on every admin route', async () => {
    for (const [method, path] of [
      ['POST', '/user'],
      ['GET', '/users'],
      ['GET', '/users/alice'],
      ['DELETE', '/users/alice'],
      ['GET', '/hosts'],
      ['POST', '/users/alice/tokens'],
    ] as const) {
      const body = method === 'GET' ? undefined : alice;
      const missing = await t.admin(method, path, body, null);
      expect([missing.status, missing.json.error.code]).toEqual([401, 'admin_key_missing']);
      const wrong = await t.admin(method, path, body, 'not-the-admin-key-000');
      expect([wrong.status, wrong.json.error.code]).toEqual([403, 'admin_key_invalid']);
    }
    expect(await t.store.getUser('alice')).toBeUndefined();
  });
});

describe('users', () => {
  it('POST /user creates an account with its domains (the original API)', async () => {
    const res = await t.admin('POST', '/user', alice);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ username: 'alice', domains: ['*.alice.dyn.example.test', 'home.dyn.example.test'] });
    expect(JSON.stringify(res.json)).not.toContain('alice-password');
    expect((await t.store.getUser('alice'))?.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
  });

  it('of two concurrent creates of one name exactly one gets 201, the other 409', async () => {
    const [a, b] = await Promise.all([t.admin('POST', '/user', alice), t.admin('POST', '/user', { ...alice, password: 'other-password' })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)?.json.error.code).toBe('user_exists');
  });

  it('is all-or-nothing: a domain granted to someone else creates no account', async () => {
    await t.admin('POST', '/user', alice);
    const res = await t.admin('POST', '/users', { username: 'bob', password: 'bob-password', domains: ['bob.dyn.example.test', 'home.dyn.example.test'] });
    expect([res.status, res.json.error.code]).toEqual([409, 'grant_conflict']);
    expect(await t.store.getUser('bob')).toBeUndefined();
    expect(await t.store.listGrants('bob')).toEqual([]);
  });

  it('lists, gets and deletes users; deleting unpublishes their hosts', async () => {
    await t.admin('POST', '/user', alice);
    await t.admin('POST', '/user', { username: 'bob', password: 'bob-password', domains: [] });
    expect((await t.admin('GET', '/users')).json.users.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob']);
    expect((await t.admin('GET', '/users/alice')).json.username).toBe('alice');
    expect((await t.admin('GET', '/users/carol')).status).toBe(404);
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    expect(await t.provider.records('dyn.example.test')).toHaveLength(1);
    expect((await t.admin('DELETE', '/users/alice')).status).toBe(204);
    expect(await t.provider.records('dyn.example.test')).toEqual([]);
    expect(await t.store.listHosts()).toEqual([]);
    expect((await t.admin('DELETE', '/users/alice')).json.error.code).toBe('user_not_found');
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('badauth');
  });

  it('changes a password: the old one stops working at once despite the credential cache', async () => {
    await t.admin('POST', '/user', alice);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    expect((await t.admin('PUT', '/users/alice/password', { password: 'new-password-1' })).status).toBe(204);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('badauth');
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2', { auth: ['alice', 'new-password-1'] })).body).toBe('good 192.0.2.2');
    expect((await t.admin('PUT', '/users/nobody/password', { password: 'new-password-1' })).status).toBe(404);
  });
});

describe('grants', () => {
  it('adds and removes names; removing one unpublishes the hosts it covered', async () => {
    await t.admin('POST', '/user', alice);
    const added = await t.admin('POST', '/users/alice/grants', { domain: 'Office.Dyn.Example.Test.' });
    expect(added.json.domains).toContain('office.dyn.example.test');
    await t.update('hostname=office.dyn.example.test,nas.alice.dyn.example.test&myip=192.0.2.1');
    const removed = await t.admin('DELETE', '/users/alice/grants/office.dyn.example.test');
    expect(removed.status).toBe(200);
    expect(removed.json.domains).not.toContain('office.dyn.example.test');
    expect((await t.store.listHosts()).map((h) => h.name)).toEqual(['nas.alice.dyn.example.test']);
    expect((await t.update('hostname=office.dyn.example.test&myip=192.0.2.1')).body).toBe('nohost');
    expect((await t.admin('DELETE', '/users/alice/grants/office.dyn.example.test')).json.error.code).toBe('grant_not_found');
  });

  it('refuses overlapping grants across users and names outside the zones', async () => {
    await t.admin('POST', '/user', alice);
    await t.admin('POST', '/user', { username: 'bob', password: 'bob-password', domains: [] });
    expect((await t.admin('POST', '/users/bob/grants', { domain: 'x.alice.dyn.example.test' })).json.error.code).toBe('grant_conflict');
    expect((await t.admin('POST', '/users/bob/grants', { domain: 'bob.example.net' })).status).toBe(422);
    expect((await t.admin('POST', '/users/nobody/grants', { domain: 'n.dyn.example.test' })).status).toBe(404);
  });
});

describe('tokens and hosts', () => {
  it('creates (shown once), lists (without secrets) and revokes tokens', async () => {
    await t.admin('POST', '/user', alice);
    const created = await t.admin('POST', '/users/alice/tokens', { hostname: 'home.dyn.example.test' });
    expect(created.status).toBe(201);
    const list = await t.admin('GET', '/users/alice/tokens');
    expect(list.json.tokens).toEqual([{ id: created.json.id, hostname: 'home.dyn.example.test', createdAt: expect.any(String) }]);
    expect(JSON.stringify(list.json)).not.toContain(created.json.token);
    expect((await t.admin('POST', '/users/alice/tokens', { hostname: 'bob.dyn.example.test' })).json.error.code).toBe('grant_not_found');
    expect((await t.admin('DELETE', `/tokens/${created.json.id}`)).status).toBe(204);
    expect((await t.admin('DELETE', `/tokens/${created.json.id}`)).status).toBe(404);
  });

  it('shows hosts with their current addresses', async () => {
    await t.admin('POST', '/user', alice);
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1,2001:db8::1');
    const hosts = await t.admin('GET', '/hosts?owner=alice');
    expect(hosts.json.hosts).toEqual([
      expect.objectContaining({ hostname: 'home.dyn.example.test', owner: 'alice', ipv4: '192.0.2.1', ipv6: '2001:db8::1', blocked: null }),
    ]);
    expect((await t.admin('GET', '/hosts/home.dyn.example.test')).json.ipv4).toBe('192.0.2.1');
    expect((await t.admin('GET', '/hosts/none.dyn.example.test')).json.error.code).toBe('host_not_found');
  });
});

describe('host history', () => {
  const updateHome = async (ip: string) => t.update(`hostname=home.dyn.example.test&myip=${ip}`);

  it('refuses a limit that is not a whole number from 1 to 1000 with 400 invalid_request', async () => {
    await t.admin('POST', '/user', alice);
    await updateHome('192.0.2.1');
    for (const limit of ['abc', '0', '-1', '1.5', '', '1001', '99999999999']) {
      const res = await t.admin('GET', `/hosts/home.dyn.example.test/history?limit=${limit}`);
      expect([limit, res.status, res.json.error.code]).toEqual([limit, 400, 'invalid_request']);
    }
    await updateHome('192.0.2.2');
    expect((await t.admin('GET', '/hosts/home.dyn.example.test/history?limit=1')).json.history).toHaveLength(1);
    expect((await t.admin('GET', '/hosts/home.dyn.example.test/history')).json.history).toHaveLength(2);
  });

  it('answers 404 host_not_found for a name with no host and no history, in the use case the CLI shares', async () => {
    const res = await t.admin('GET', '/hosts/nothing.dyn.example.test/history');
    expect([res.status, res.json.error.code]).toEqual([404, 'host_not_found']);
    await expect(t.core.accounts.history('nothing.dyn.example.test', 10)).rejects.toMatchObject({ code: 'host_not_found' });
    await expect(t.core.accounts.history('nothing.dyn.example.test', 0)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('keeps the history of a host that was removed', async () => {
    await t.admin('POST', '/user', alice);
    await updateHome('192.0.2.1');
    expect((await t.admin('DELETE', '/users/alice')).status).toBe(204);
    const res = await t.admin('GET', '/hosts/home.dyn.example.test/history');
    expect(res.status).toBe(200);
    expect(res.json.history).toHaveLength(1);
  });
});

describe('schemas', () => {
  it('exports the request bodies as JSON Schema', () => {
    const schemas = adminJsonSchemas() as Record<string, { type: string; required: string[]; properties: Record<string, unknown> }>;
    expect(schemas.createUser?.type).toBe('object');
    expect(schemas.createUser?.required).toEqual(expect.arrayContaining(['username', 'password']));
    expect(Object.keys(schemas.createUser?.properties ?? {})).toEqual(['username', 'password', 'domains', 'admin']);
    expect(schemas.setAdmin?.required).toEqual(['admin']);
    expect(schemas.grant?.required).toEqual(['domain']);
  });
});
