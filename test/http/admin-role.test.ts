/** The admin role in the admin API (create, show, promote, demote) and activity across hosts (GET /activity). */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/http-app.js';
import { WebClient } from '../support/web-client.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});

const user = (username: string, extra: Record<string, unknown> = {}) => ({ username, password: `${username}-password`, domains: [`*.${username}.dyn.example.test`], ...extra });

describe('admin role', () => {
  it('POST /users creates an admin with "admin": true; every user view shows the role', async () => {
    const root = await t.admin('POST', '/users', user('root', { admin: true }));
    expect([root.status, root.json.admin]).toEqual([201, true]);
    expect((await t.admin('POST', '/user', user('alice'))).json.admin).toBe(false);
    expect((await t.store.getUser('root'))?.admin).toBe(true);
    expect((await t.admin('GET', '/users/root')).json.admin).toBe(true);
    expect((await t.admin('GET', '/users')).json.users.map((u: { username: string; admin: boolean }) => [u.username, u.admin])).toEqual([
      ['alice', false],
      ['root', true],
    ]);
    for (const admin of ['yes', 1, null]) {
      const res = await t.admin('POST', '/users', user('bob', { admin }));
      expect([res.status, res.json.error.code]).toEqual([400, 'invalid_request']);
    }
    expect(await t.store.getUser('bob')).toBeUndefined();
  });

  it('PUT /users/:username/admin promotes and demotes', async () => {
    await t.admin('POST', '/users', user('alice'));
    const promoted = await t.admin('PUT', '/users/alice/admin', { admin: true });
    expect([promoted.status, promoted.json.admin, promoted.json.username]).toEqual([200, true, 'alice']);
    expect((await t.store.getUser('alice'))?.admin).toBe(true);
    expect((await t.admin('PUT', '/users/alice/admin', { admin: true })).json.admin).toBe(true); // idempotent
    expect((await t.admin('PUT', '/users/alice/admin', { admin: false })).json.admin).toBe(false);
    expect((await t.store.getUser('alice'))?.admin).toBe(false);
    // the admin key may demote the last admin: the key and the CLI can always promote again
    await t.admin('PUT', '/users/alice/admin', { admin: true });
    expect((await t.admin('PUT', '/users/alice/admin', { admin: false })).status).toBe(200);
  });

  it('refuses a bad body or an unknown user, changing nothing', async () => {
    await t.admin('POST', '/users', user('alice'));
    for (const body of [{}, { admin: 'true' }, { admin: true, extra: 1 }, 'not json']) {
      const res = await t.admin('PUT', '/users/alice/admin', body);
      expect([res.status, res.json.error.code]).toEqual([400, 'invalid_request']);
    }
    expect((await t.store.getUser('alice'))?.admin).toBe(false);
    const missing = await t.admin('PUT', '/users/nobody/admin', { admin: true });
    expect([missing.status, missing.json.error.code]).toEqual([404, 'user_not_found']);
    expect((await t.admin('PUT', '/users/bad%20name/admin', { admin: true })).status).toBe(400);
  });

  it('needs the admin key', async () => {
    await t.admin('POST', '/users', user('alice'));
    expect((await t.admin('PUT', '/users/alice/admin', { admin: true }, null)).status).toBe(401);
    expect((await t.admin('PUT', '/users/alice/admin', { admin: true }, 'not-the-admin-key-000')).status).toBe(403);
    expect((await t.admin('GET', '/activity', undefined, null)).status).toBe(401);
    expect((await t.admin('GET', '/activity', undefined, 'not-the-admin-key-000')).status).toBe(403);
    expect((await t.store.getUser('alice'))?.admin).toBe(false);
  });

  it('a signed-in admin (the actor) cannot demote or delete their own account; others can', async () => {
    const { accounts } = t.core;
    await accounts.createUser({ ...user('root'), admin: true });
    await accounts.createUser({ ...user('ops'), admin: true });
    await expect(accounts.setAdmin('root', false, 'root')).rejects.toMatchObject({ code: 'own_account' });
    await expect(accounts.deleteUser('root', 'root')).rejects.toMatchObject({ code: 'own_account' });
    expect((await t.store.getUser('root'))?.admin).toBe(true);
    expect((await accounts.setAdmin('root', true, 'root')).admin).toBe(true); // keeping one's own role is no change
    expect((await accounts.setAdmin('ops', false, 'root')).admin).toBe(false);
    await accounts.deleteUser('ops', 'root');
    expect(await t.store.getUser('ops')).toBeUndefined();
  });
});

describe('PUT /users/:username/password', () => {
  it("ends every web session of the user (the CLI's user passwd shares the use case)", async () => {
    await t.admin('POST', '/users', user('alice'));
    const browser = new WebClient(t.app);
    await browser.signIn('alice', 'alice-password');
    expect((await browser.get('/')).body).toContain('Your hosts');
    expect((await t.admin('PUT', '/users/alice/password', { password: 'reset-password-1' })).status).toBe(204);
    expect((await browser.get('/')).body).toContain('Sign in');
    expect(await t.store.listSessions('alice')).toEqual([]);
  });
});

describe('GET /activity', () => {
  beforeEach(async () => {
    await t.admin('POST', '/users', user('alice'));
    await t.admin('POST', '/users', user('bob'));
    const as = (name: string): [string, string] => [name, `${name}-password`];
    await t.update('hostname=home.alice.dyn.example.test&myip=192.0.2.1', { auth: as('alice') });
    await t.update('hostname=nas.bob.dyn.example.test&myip=192.0.2.2', { auth: as('bob') });
    await t.update('hostname=home.alice.dyn.example.test&myip=192.0.2.1', { auth: as('alice') }); // nochg
    await t.admin('PUT', '/hosts/nas.bob.dyn.example.test/addresses', { v4: '192.0.2.3' });
  });
  const rows = (res: { json: { activity: { hostname: string; owner: string; result: string }[] } }) =>
    res.json.activity.map((e) => `${e.hostname} ${e.owner} ${e.result}`);

  it('lists the newest entries across hosts, with owner and ISO time', async () => {
    const res = await t.admin('GET', '/activity');
    expect(res.status).toBe(200);
    expect(rows(res)).toEqual([
      'nas.bob.dyn.example.test bob good', // the admin's change belongs to the host's owner
      'home.alice.dyn.example.test alice nochg',
      'nas.bob.dyn.example.test bob good',
      'home.alice.dyn.example.test alice good',
    ]);
    expect(res.json.activity[0]).toMatchObject({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), after: { v4: '192.0.2.3' }, before: { v4: '192.0.2.2' } });
    expect(rows(await t.admin('GET', '/activity?limit=2'))).toHaveLength(2);
  });

  it('filters by user, host and result (an empty field is no filter)', async () => {
    expect(rows(await t.admin('GET', '/activity?user=alice'))).toEqual(['home.alice.dyn.example.test alice nochg', 'home.alice.dyn.example.test alice good']);
    expect(rows(await t.admin('GET', '/activity?host=NAS.bob.dyn.example.test.'))).toEqual(['nas.bob.dyn.example.test bob good', 'nas.bob.dyn.example.test bob good']);
    expect(rows(await t.admin('GET', '/activity?result=nochg'))).toEqual(['home.alice.dyn.example.test alice nochg']);
    expect(rows(await t.admin('GET', '/activity?user=bob&result=nochg'))).toEqual([]);
    expect(rows(await t.admin('GET', '/activity?user=&host=&result=&limit='))).toHaveLength(4);
    expect(rows(await t.admin('GET', '/activity?user=carol'))).toEqual([]);
  });

  it('refuses bad filters and limits with 400 invalid_request', async () => {
    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=99999999', 'result=great', 'user=a%20b', 'host=not_a_name', 'host=single']) {
      const res = await t.admin('GET', `/activity?${query}`);
      expect([query, res.status, res.json.error.code]).toEqual([query, 400, 'invalid_request']);
    }
    expect(rows(await t.admin('GET', '/activity?limit=1000'))).toHaveLength(4);
    await expect(t.core.accounts.activity({}, 1001)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
