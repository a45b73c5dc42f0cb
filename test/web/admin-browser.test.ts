/**
 * The admin pages in real Chromium against a real server: an admin signs in,
 * creates a user, grants a name, resets a password, unblocks a host and
 * filters the activity; a non-admin cannot reach any admin page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, type Tab } from '../support/browser.js';
import { startWebServer, type WebServer } from '../support/web-server.js';

const harness = browserHarness();
const ALICE_HOST = 'home.dyn.example.test';

let web: WebServer;

describe.skipIf(!harness.available)('admin pages in Chromium', () => {
  beforeAll(async () => {
    web = await startWebServer();
    await web.server.core.accounts.createUser({ username: 'root', password: 'root-password', domains: [], admin: true });
    await web.addUser('alice', 'alice-password', [ALICE_HOST]);
    expect(await web.update('alice', 'alice-password', `hostname=${ALICE_HOST}&myip=192.0.2.10`)).toBe('good 192.0.2.10');
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
    await web?.close();
  });

  const signedIn = async (username: string, password: string, width?: number): Promise<Tab> => {
    const tab = await harness.open(`${web.url}/`, width === undefined ? {} : { width });
    await tab.page.getByLabel('Username').fill(username);
    await tab.page.getByLabel('Password').fill(password);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.getByRole('heading', { name: 'Your hosts' }).waitFor();
    return tab;
  };

  it('creates a user, grants a name, resets a password, unblocks a host and filters activity', async () => {
    const tab = await signedIn('root', 'root-password');
    const { page } = tab;

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carol-password');
    await page.getByLabel('Names').fill('carol.dyn.example.test');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'User created.' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('carol');

    await page.getByLabel('Name to grant').fill('nas.dyn.example.test');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByRole('status').filter({ hasText: 'Name granted.' }).waitFor();
    expect(await web.update('carol', 'carol-password', 'hostname=nas.dyn.example.test&myip=192.0.2.30')).toBe('good 192.0.2.30');

    await page.getByLabel('New password').fill('carol-reset-1');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password reset' }).waitFor();
    expect(await web.update('carol', 'carol-password', 'hostname=nas.dyn.example.test&myip=192.0.2.31')).toBe('badauth');
    expect(await web.update('carol', 'carol-reset-1', 'hostname=nas.dyn.example.test&myip=192.0.2.31')).toBe('good 192.0.2.31');

    // alice's router misbehaves and is blocked; the admin lifts the block
    const { store } = web.server.core;
    const host = (await store.getHost(ALICE_HOST))!;
    await store.putHost({ ...host, blocked: { at: Date.now(), reason: 'too many updates' }, version: host.version + 1 }, host.version);
    await page.getByRole('link', { name: 'All hosts' }).click();
    await page.getByRole('button', { name: `Unblock ${ALICE_HOST}` }).click();
    await page.getByRole('status').filter({ hasText: 'Host unblocked.' }).waitFor();
    expect(await page.getByRole('button', { name: `Unblock ${ALICE_HOST}` }).count()).toBe(0);
    expect(await web.update('alice', 'alice-password', `hostname=${ALICE_HOST}&myip=192.0.2.11`)).toBe('good 192.0.2.11');

    await page.getByRole('link', { name: 'Activity' }).click();
    expect(await page.getByRole('row', { name: /nas\.dyn\.example\.test/ }).count()).toBe(2);
    await page.getByLabel('User').fill('alice');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/user=alice/);
    const rows = page.getByRole('row').filter({ hasText: 'good' });
    expect(await rows.count()).toBe(2);
    expect(await page.getByRole('row', { name: /nas\.dyn\.example\.test/ }).count()).toBe(0);
    await page.getByLabel('User').fill('');
    await page.getByLabel('Result').selectOption('good');
    await page.getByLabel('Host').fill('nas.dyn.example.test');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/host=nas/);
    expect(await page.getByRole('row', { name: /nas\.dyn\.example\.test/ }).count()).toBe(2);
    expect(await page.getByRole('row', { name: new RegExp(ALICE_HOST.replace(/\./g, '\\.')) }).count()).toBe(0);
    expect(tab.problems).toEqual([]);
    await tab.close();
  }, 90_000);

  it('fits a 390 px phone', async () => {
    const tab = await signedIn('root', 'root-password', 390);
    for (const path of ['/admin/users', '/admin/users/alice', '/admin/hosts', '/admin/activity']) {
      await tab.page.goto(`${web.url}${path}`);
      expect(await tab.scrollsSideways(), path).toBe(false);
    }
    expect(tab.problems).toEqual([]);
    await tab.close();
  });

  it('keeps a non-admin out of every admin page, and out of the navigation', async () => {
    const tab = await signedIn('alice', 'alice-password');
    expect(await tab.page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    for (const path of ['/admin', '/admin/users', '/admin/users/root', '/admin/hosts', '/admin/activity']) {
      const res = await tab.page.goto(`${web.url}${path}`);
      expect([path, res?.status()]).toEqual([path, 404]);
      expect(await tab.page.getByRole('heading', { name: 'Not found' }).count()).toBe(1);
    }
    expect(await tab.page.content()).not.toContain('root-password');
    tab.problems.splice(0); // the 404s are the point here
    await tab.close();
  });
});
