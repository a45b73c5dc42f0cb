/**
 * The admin pages over app.request(): every route refused to non-admins (404)
 * and to signed-out visitors, every action for admins, form tokens and
 * Origin checked, output escaped, and the rules for one's own account.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { WEB_ROUTES } from '../../src/adapters/http/web/paths.js';
import { createTestApp, type TestApp } from '../support/http-app.js';
import { WebClient, formToken } from '../support/web-client.js';

const HOST = 'home.alice.dyn.example.test';
const XSS = '<script>alert(1)</script>';

let t: TestApp;
let admin: WebClient;
let alice: WebClient;
beforeEach(async () => {
  t = await createTestApp();
  await t.core.accounts.createUser({ username: 'root', password: 'root-password', domains: [], admin: true });
  await t.addUser('alice', 'alice-password', ['*.alice.dyn.example.test']);
  await t.update(`hostname=${HOST}&myip=192.0.2.1`, { headers: { 'user-agent': XSS } });
  admin = new WebClient(t.app);
  alice = new WebClient(t.app);
  expect((await admin.signIn('root', 'root-password')).status).toBe(303);
  expect((await alice.signIn('alice', 'alice-password')).status).toBe(303);
});

const GETS = ['/admin', '/admin/users', '/admin/users/alice', '/admin/users/root', '/admin/hosts', '/admin/activity', '/admin/activity?user=alice'];
const POSTS: [string, Record<string, string>][] = [
  ['/admin/users', { username: 'mallory', password: 'mallory-password', names: 'x.dyn.example.test', admin: 'true' }],
  ['/admin/users/root/delete', {}],
  ['/admin/users/root/password', { password: 'taken-over-1' }],
  ['/admin/users/alice/grants', { name: 'bob.dyn.example.test' }],
  ['/admin/users/alice/grants/remove', { name: '*.alice.dyn.example.test' }],
  ['/admin/users/alice/role', { admin: 'true' }],
  [`/admin/hosts/${HOST}/unblock`, {}],
];

/** What the admin routes could change, to show a refused request changed nothing. */
const snapshot = async () => ({
  users: await t.core.accounts.listUsers(),
  hosts: await t.store.listHosts(),
});

describe('admin pages refuse everyone but admins', () => {
  it('answer a signed-in non-admin 404 on every page and every form, with a valid form token, changing nothing', async () => {
    await t.store.putHost({ ...(await t.store.getHost(HOST))!, blocked: { at: 1, reason: 'test' }, version: 2 }, 1);
    const before = await snapshot();
    const token = formToken((await alice.get('/')).body);
    for (const path of GETS) {
      const page = await alice.get(path);
      expect([path, page.status]).toEqual([path, 404]);
      expect(page.body).not.toContain('root-password');
    }
    for (const [path, fields] of POSTS) expect([path, (await alice.post(path, { form_token: token, ...fields })).status]).toEqual([path, 404]);
    expect(await snapshot()).toEqual(before);
    // nor does the navigation offer them
    expect((await alice.get('/')).body).not.toContain('/admin/');
  });

  it('cover every admin route the CDK app routes to the app', () => {
    const pattern = (path: string) => path.split('?')[0]!.replace(/^\/admin\/users\/[a-z]+/, '/admin/users/{username}').replace(HOST, '{name}');
    const tested = [...GETS.map((p) => `GET ${pattern(p)}`), ...POSTS.map(([p]) => `POST ${pattern(p)}`)];
    const routed = WEB_ROUTES.filter(([, p]) => p.startsWith('/admin')).map(([m, p]) => `${m} ${p}`);
    expect(new Set(tested)).toEqual(new Set(routed));
  });

  it('send a signed-out visitor to sign in (GET) or refuse (POST)', async () => {
    const anonymous = new WebClient(t.app);
    for (const path of GETS) {
      const page = await anonymous.get(path);
      expect([path, page.status, page.headers.get('location')]).toEqual([path, 303, '/']);
    }
    for (const [path, fields] of POSTS) expect([path, (await anonymous.post(path, fields)).status]).toEqual([path, 401]);
  });

  it('refuse an admin form without the form token or from another origin', async () => {
    const before = await snapshot();
    const token = formToken((await admin.get('/admin/users')).body);
    for (const [path, fields] of POSTS) {
      expect([path, (await admin.post(path, fields)).status]).toEqual([path, 403]);
      expect([path, (await admin.post(path, { ...fields, form_token: 'forged' })).status]).toEqual([path, 403]);
      expect([path, (await admin.post(path, { ...fields, form_token: token }, { origin: 'https://evil.example' })).status]).toEqual([path, 403]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('stop at once for an admin who is demoted', async () => {
    expect((await admin.get('/admin/users')).status).toBe(200);
    await t.core.accounts.setAdmin('root', false);
    expect((await admin.get('/admin/users')).status).toBe(404);
    expect((await admin.get('/')).body).not.toContain('/admin/');
  });
});

describe('admin pages for an admin', () => {
  const submit = (path: string, action: string, fields: Record<string, string>) => admin.submit(path, action, fields);

  it('list users and all hosts, linked from the navigation', async () => {
    const home = await admin.get('/');
    for (const link of ['/admin/users', '/admin/hosts', '/admin/activity']) expect(home.body).toContain(`href="${link}"`);
    expect((await admin.get('/admin')).headers.get('location')).toBe('/admin/users');
    const users = await admin.get('/admin/users');
    expect(users.status).toBe(200);
    expect(users.body).toMatch(/alice<\/a><\/td><td data-label="Role">user/);
    expect(users.body).toMatch(/root<\/a><\/td><td data-label="Role">admin/);
    const hosts = await admin.get('/admin/hosts');
    expect(hosts.body).toContain(HOST);
    expect(hosts.body).toContain('192.0.2.1');
  });

  it('create a user with names and the admin role, refusing bad input with a page', async () => {
    const created = await submit('/admin/users', '/admin/users', { username: 'carol', password: 'carol-password', names: 'carol.dyn.example.test\n*.c.dyn.example.test', admin: 'true' });
    expect([created.status, created.headers.get('location')]).toEqual([303, '/admin/users/carol?done=created']);
    expect(await t.core.accounts.getUser('carol')).toMatchObject({ admin: true, domains: ['*.c.dyn.example.test', 'carol.dyn.example.test'] });
    expect((await admin.get('/admin/users/carol?done=created')).body).toContain('User created.');
    expect((await t.update('hostname=carol.dyn.example.test&myip=192.0.2.7', { auth: ['carol', 'carol-password'] })).body).toBe('good 192.0.2.7');

    const short = await submit('/admin/users', '/admin/users', { username: 'dave', password: 'short', names: '' });
    expect(short.status).toBe(400);
    expect(short.body).toContain('at least 8 characters');
    const taken = await submit('/admin/users', '/admin/users', { username: 'dave', password: 'dave-password', names: 'home.alice.dyn.example.test' });
    expect(taken.status).toBe(409);
    expect(await t.store.getUser('dave')).toBeUndefined();
    const exists = await submit('/admin/users', '/admin/users', { username: 'alice', password: 'other-password', names: '' });
    expect(exists.status).toBe(409);
  });

  it('grant and remove names (removing unpublishes the hosts it covered)', async () => {
    expect((await submit('/admin/users/alice', '/admin/users/alice/grants', { name: 'Office.dyn.example.test' })).status).toBe(303);
    expect((await t.core.accounts.getUser('alice')).domains).toContain('office.dyn.example.test');
    expect((await admin.get('/admin/users/alice')).body).toContain('office.dyn.example.test');
    expect((await submit('/admin/users/alice', '/admin/users/alice/grants', { name: 'not a name' })).status).toBe(400);
    expect((await submit('/admin/users/alice', '/admin/users/alice/grants/remove', { name: '*.alice.dyn.example.test' })).status).toBe(303);
    expect(await t.store.getHost(HOST)).toBeUndefined();
    expect(await t.provider.records('dyn.example.test')).toEqual([]);
    expect((await submit('/admin/users/alice', '/admin/users/alice/grants/remove', { name: '*.alice.dyn.example.test' })).status).toBe(404);
  });

  it("reset a password: the old one stops working and the user's sessions end", async () => {
    expect((await alice.get('/')).body).toContain('Your hosts');
    const reset = await submit('/admin/users/alice', '/admin/users/alice/password', { password: 'reset-password-1' });
    expect(reset.status).toBe(303);
    expect((await alice.get(`/host/${HOST}`)).status).toBe(303); // signed out
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.2`)).body).toBe('badauth');
    expect((await new WebClient(t.app).signIn('alice', 'reset-password-1')).status).toBe(303);
    expect((await submit('/admin/users/alice', '/admin/users/alice/password', { password: 'short' })).status).toBe(400);
  });

  it('promote and demote another user, and delete them', async () => {
    expect((await submit('/admin/users/alice', '/admin/users/alice/role', { admin: 'true' })).status).toBe(303);
    expect((await alice.get('/admin/users')).status).toBe(200); // alice's own session now reaches the admin pages
    expect((await submit('/admin/users/alice', '/admin/users/alice/role', { admin: 'false' })).status).toBe(303);
    expect((await alice.get('/admin/users')).status).toBe(404);
    expect((await submit('/admin/users/alice', '/admin/users/alice/role', { admin: 'maybe' })).status).toBe(400);
    expect((await submit('/admin/users/alice', '/admin/users/alice/delete', {})).headers.get('location')).toBe('/admin/users?done=deleted');
    expect(await t.store.getUser('alice')).toBeUndefined();
    expect(await t.store.listHosts()).toEqual([]);
    expect((await alice.get('/')).body).toContain('Sign in');
    expect((await admin.get('/admin/users/alice')).status).toBe(404);
  });

  it('neither demote nor delete their own account (no button; a crafted form is refused with 409)', async () => {
    const own = await admin.get('/admin/users/root');
    expect(own.body).not.toContain('/admin/users/root/role');
    expect(own.body).not.toContain('/admin/users/root/delete');
    expect((await submit('/admin/users/root', '/admin/users/root/role', { admin: 'false' })).status).toBe(409);
    expect((await submit('/admin/users/root', '/admin/users/root/delete', {})).status).toBe(409);
    expect(await t.store.getUser('root')).toMatchObject({ admin: true });
    expect((await admin.get('/admin/users')).status).toBe(200);
  });

  it('unblock a host', async () => {
    const host = (await t.store.getHost(HOST))!;
    await t.store.putHost({ ...host, blocked: { at: Date.now(), reason: 'too many updates' }, version: host.version + 1 }, host.version);
    const hosts = await admin.get('/admin/hosts');
    expect(hosts.body).toContain(`aria-label="Unblock ${HOST}"`);
    expect((await submit('/admin/hosts', `/admin/hosts/${HOST}/unblock`, {})).headers.get('location')).toBe('/admin/hosts?done=unblocked');
    expect((await t.store.getHost(HOST))?.blocked).toBeUndefined();
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.9`)).body).toBe('good 192.0.2.9');
    expect((await submit('/admin/hosts', '/admin/hosts/none.dyn.example.test/unblock', {})).status).toBe(404);
  });

  it('show activity filtered by user, host and result, with text from the internet escaped', async () => {
    await t.addUser('bob', 'bob-password', ['bob.dyn.example.test']);
    await t.update('hostname=bob.dyn.example.test&myip=192.0.2.5', { auth: ['bob', 'bob-password'] });
    await t.update(`hostname=${HOST}&myip=192.0.2.1`); // nochg
    const all = await admin.get('/admin/activity');
    expect(all.body).toContain('bob.dyn.example.test');
    expect(all.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(all.body).not.toContain(XSS);
    const rows = (body: string) => body.match(/<td data-label="Result">[a-z0-9]+<\/td>/g) ?? [];
    expect(rows((await admin.get('/admin/activity?user=bob')).body)).toHaveLength(1);
    expect(rows((await admin.get(`/admin/activity?host=${HOST}`)).body)).toHaveLength(2);
    expect(rows((await admin.get('/admin/activity?result=nochg')).body)).toEqual(['<td data-label="Result">nochg</td>']);
    expect(rows((await admin.get('/admin/activity?user=&host=&result=')).body)).toHaveLength(3);
    const bad = await admin.get(`/admin/activity?user=${encodeURIComponent(XSS)}&result=great`);
    expect(bad.status).toBe(400);
    expect(bad.body).not.toContain(XSS);
    expect(bad.body).toContain('value="&lt;script&gt;');
  });
});
