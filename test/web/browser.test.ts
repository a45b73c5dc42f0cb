/**
 * The web page in real Chromium against a real server (SQLite, built-in DNS
 * on an ephemeral port): what a person does, found by accessible names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserHarness, screenshotPath, type Tab } from '../support/browser.js';
import { requirePeer } from '../support/peers.js';
import { startWebServer, type WebServer } from '../support/web-server.js';
import { dig } from '../dns/support.js';

const harness = browserHarness();
const digPeer = requirePeer('dig');
const XSS_UA = '<script>alert("ua")</script><img src=x onerror=alert(1)>';
const HOST = 'home.dyn.example.test';
const BOB_HOST = 'bob.dyn.example.test';

let web: WebServer;
const tabs: Tab[] = [];

// A browser on a busy machine (and Argon2 at each first sign-in) needs more than the default 30 s per test.
describe.skipIf(!harness.available || !digPeer.available)('web page in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    web = await startWebServer();
    await web.addUser('alice', 'alice-password', [HOST, 'spare.dyn.example.test']);
    await web.addUser('bob', 'bob-password', [BOB_HOST]);
    expect(await web.update('alice', 'alice-password', `hostname=${HOST}&myip=192.0.2.10`, XSS_UA)).toBe('good 192.0.2.10');
    expect(await web.update('bob', 'bob-password', `hostname=${BOB_HOST}&myip=192.0.2.20`)).toBe('good 192.0.2.20');
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
    await web?.close();
  });

  const open = async (path = '/', width?: number) => {
    const tab = await harness.open(`${web.url}${path}`, width === undefined ? {} : { width });
    tab.page.on('dialog', (d) => {
      tab.problems.push(`dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    tabs.push(tab);
    return tab;
  };
  const signIn = async (tab: Tab, username: string, password: string) => {
    await tab.page.getByLabel('Username').fill(username);
    await tab.page.getByLabel('Password').fill(password);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('refuses a wrong password with the same message as an unknown user, then signs in and lists the hosts', async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'wrong-password');
    const wrong = await tab.page.getByRole('alert').textContent();
    await signIn(tab, 'nobody', 'wrong-password');
    expect(await tab.page.getByRole('alert').textContent()).toBe(wrong);
    expect(wrong).toContain('Wrong username or password');

    await signIn(tab, 'alice', 'alice-password');
    await tab.page.getByRole('heading', { name: 'Your hosts' }).waitFor();
    const row = tab.page.getByRole('row', { name: new RegExp(HOST) });
    await expect(row.textContent()).resolves.toContain('192.0.2.10');
    // the client name from the internet is shown as text, never run
    await expect(row.textContent()).resolves.toContain('<script>alert("ua")</script>');
    expect(await tab.page.getByText('spare.dyn.example.test').count()).toBe(1); // granted, no update yet
    expect(await tab.page.getByText(BOB_HOST).count()).toBe(0);
    await tab.screenshot(screenshotPath('web-hosts.png'), false);
    expect(tab.problems).toEqual([]);
  });

  it('sets an address by hand that the built-in DNS then answers, and shows it in the history', async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'alice-password');
    await tab.page.getByRole('link', { name: HOST }).click();
    await tab.page.getByLabel('IPv4 address').fill('198.51.100.77');
    await tab.page.getByLabel('IPv6 address').fill('2001:db8::77');
    await tab.page.getByRole('button', { name: 'Save' }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const a = await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'A']);
    const aaaa = await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'AAAA']);
    expect(a.stdout.trim()).toBe('198.51.100.77');
    expect(aaaa.stdout.trim()).toBe('2001:db8::77');

    const history = tab.page.getByRole('row', { name: /198\.51\.100\.77/ });
    await expect(history.first().textContent()).resolves.toMatch(/192\.0\.2\.10.*198\.51\.100\.77, 2001:db8::77.*good/s);

    // clearing the IPv6 field removes the AAAA record
    await tab.page.getByLabel('IPv6 address').fill('');
    await tab.page.getByRole('button', { name: 'Save' }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'AAAA'])).stdout.trim()).toBe('');

    // a bad address is refused on the page and nothing changes
    await tab.page.getByLabel('IPv4 address').fill('300.1.1.1');
    await tab.page.getByRole('button', { name: 'Save' }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toContain('not an IPv4 address');
    expect((await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'A'])).stdout.trim()).toBe('198.51.100.77');
    expect(tab.problems).toEqual([]);
  });

  it('creates a token shown once that updates the host, lists it and revokes it', async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'alice-password');
    await tab.page.getByRole('link', { name: HOST }).click();
    await tab.page.getByRole('button', { name: 'Create token' }).click();
    const token = (await tab.page.locator('pre[data-copy="token"]').textContent())?.trim() ?? '';
    expect(token).toMatch(/^spt_/);
    expect(await web.update('alice', token, `hostname=${HOST}&myip=198.51.100.78`)).toBe('good 198.51.100.78');

    // shown once: the host's page does not show the secret again
    await tab.page.goto(`${web.url}/host/${HOST}`);
    expect(await tab.page.content()).not.toContain(token);
    await tab.page.getByRole('button', { name: /^Revoke token/ }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Token revoked.' }).waitFor();
    expect(await web.update('alice', token, `hostname=${HOST}&myip=198.51.100.79`)).toBe('badauth');
    expect(tab.problems).toEqual([]);
  });

  it('shows router settings with the host name and this server, with copy buttons', async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'alice-password');
    await tab.page.goto(`${web.url}/host/${HOST}`);
    await tab.page.getByRole('link', { name: `Router setup for ${HOST}` }).click();
    for (const name of ['ddclient', 'inadyn', 'Fritz!Box', 'pfSense', 'OPNsense', 'OpenWrt', 'MikroTik', 'Synology', 'Home Assistant', 'curl']) {
      const section = tab.page.getByRole('region', { name: new RegExp(name.replace(/[!]/g, '\\$&')) });
      const text = (await section.locator('pre').textContent()) ?? '';
      expect(text, name).toContain(HOST);
      expect(await section.getByRole('button', { name: /^Copy/ }).count(), name).toBe(1);
    }
    const curl = (await tab.page.getByRole('region', { name: 'curl' }).locator('pre').textContent()) ?? '';
    expect(curl).toContain(`${web.url}/nic/update?hostname=${HOST}`);
    // the copy button puts exactly the settings on the clipboard
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    const copy = tab.page.getByRole('region', { name: 'curl' }).getByRole('button', { name: /^Copy/ });
    await copy.click();
    await tab.page.getByRole('region', { name: 'curl' }).getByRole('button', { name: 'Copy curl settings' }).waitFor();
    await expect.poll(() => copy.textContent()).toBe('Copied');
    expect(await tab.page.evaluate(() => navigator.clipboard.readText())).toBe(curl);
    expect(tab.problems).toEqual([]);
  });

  it("does not show another user's host, by link or by guessed address", async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'alice-password');
    const res = await tab.page.goto(`${web.url}/host/${BOB_HOST}`);
    expect(res?.status()).toBe(404);
    expect(await tab.page.content()).not.toContain('192.0.2.20');
    const setup = await tab.page.goto(`${web.url}/host/${BOB_HOST}/setup`);
    expect(setup?.status()).toBe(404);
    tab.problems.splice(0); // the two 404s are the point here
  });

  it('refuses a form posted from another site and a form with a wrong token; nothing changes', async () => {
    const tab = await open('/');
    await signIn(tab, 'alice', 'alice-password');
    const before = (await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'A'])).stdout.trim();

    // another site's page that posts to ours as soon as it loads
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${web.url}/host/${HOST}/addresses"><input name="v4" value="203.0.113.66"><input name="v6" value=""></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.2', resolve));
    try {
      const done = tab.page.waitForURL(`${web.url}/host/${HOST}/addresses`);
      await tab.page.goto(`http://127.0.0.2:${(evil.address() as AddressInfo).port}/`);
      await done;
      expect(await tab.page.content()).toMatch(/Refused|Signed out/);
    } finally {
      evil.close();
    }

    // our own page, with the form token tampered with
    await tab.page.goto(`${web.url}/host/${HOST}`);
    await tab.page.locator('form[action$="/addresses"] input[name="form_token"]').evaluate((el) => ((el as HTMLInputElement).value = 'forged'));
    await tab.page.getByLabel('IPv4 address').fill('203.0.113.67');
    const response = tab.page.waitForResponse((r) => r.url().endsWith('/addresses'));
    await tab.page.getByRole('button', { name: 'Save' }).click();
    expect((await response).status()).toBe(403);
    expect((await dig(digPeer.path, web.dnsPort, ['+short', HOST, 'A'])).stdout.trim()).toBe(before);
    tab.problems.splice(0); // the refusals are the point here
  });

  it('fits a 390 px phone without sideways scrolling, and signs out', async () => {
    const tab = await open('/', 390);
    expect(await tab.scrollsSideways()).toBe(false);
    await signIn(tab, 'alice', 'alice-password');
    for (const path of ['/', `/host/${HOST}`, `/host/${HOST}/setup`, '/account/password']) {
      await tab.page.goto(`${web.url}${path}`);
      expect(await tab.scrollsSideways(), path).toBe(false);
    }
    await tab.page.goto(`${web.url}/host/${HOST}`);
    await tab.screenshot(screenshotPath('web-host-phone.png'), false);
    // dark when the system is
    const background = () => tab.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await tab.page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(18, 18, 18)');
    await tab.page.emulateMedia({ colorScheme: 'light' });
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await tab.page.getByRole('button', { name: 'Sign in' }).waitFor();
    const back = await tab.page.goto(`${web.url}/host/${HOST}`);
    expect(back?.url()).toBe(`${web.url}/`); // sent to sign in again
    expect(tab.problems).toEqual([]);
  });

  it('can be used with the keyboard alone', async () => {
    const tab = await open('/');
    await tab.page.keyboard.press('Tab'); // brand link
    await tab.page.keyboard.press('Tab');
    expect(await tab.page.evaluate(() => document.activeElement?.id)).toBe('username');
    await tab.page.keyboard.type('alice');
    await tab.page.keyboard.press('Tab');
    await tab.page.keyboard.type('alice-password');
    await tab.page.keyboard.press('Enter');
    await tab.page.getByRole('heading', { name: 'Your hosts' }).waitFor();
    expect(tab.problems).toEqual([]);
  });
});
