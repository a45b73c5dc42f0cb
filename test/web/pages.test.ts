/** The web pages over app.request(): authorization on every route, forms, escaping, headers, settings. */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { plainHasher } from '../support/authorization-table.js';
import { createTestApp, type TestApp } from '../support/http-app.js';
import { WebClient, formToken } from '../support/web-client.js';
import { TOKEN_PLACEHOLDER } from '../../src/adapters/http/web/router-setup.js';
import { WEB_ROUTES } from '../../src/adapters/http/web/paths.js';

const HOST = 'home.dyn.example.test';
const BOB_HOST = 'bob.dyn.example.test';
const XSS = '<script>alert(1)</script>';

let t: TestApp;
let alice: WebClient;
let bobToken: { id: string; token: string };

/** What the store holds for a host (the DNS side is tested in the browser test, against the built-in server). */
const addressesOf = async (name: string) => (await t.store.getHost(name))?.addresses;

async function setUp(env: Record<string, string> = {}) {
  t = await createTestApp(env, { hasher: plainHasher });
  await t.addUser('alice', 'alice-password', [HOST, '*.lab.dyn.example.test']);
  await t.addUser('bob', 'bob-password', [BOB_HOST]);
  expect((await t.update(`hostname=${HOST}&myip=192.0.2.1`, { headers: { 'user-agent': `router ${XSS}` } })).body).toBe('good 192.0.2.1');
  expect((await t.update(`hostname=${BOB_HOST}&myip=192.0.2.2`, { auth: ['bob', 'bob-password'] })).body).toBe('good 192.0.2.2');
  bobToken = await t.core.accounts.createToken('bob', BOB_HOST);
  alice = new WebClient(t.app);
  expect((await alice.signIn('alice', 'alice-password')).status).toBe(303);
}

describe('web pages', () => {
  beforeEach(() => setUp());

  it('list the user\'s own hosts with addresses, time, source, client, state and TTL, escaped', async () => {
    const page = await alice.get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`href="/host/${HOST}"`);
    expect(page.body).toContain('192.0.2.1');
    expect(page.body).toContain('203.0.113.9'); // source address of the update
    expect(page.body).toContain('router &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain(XSS);
    expect(page.body).toContain('60 s');
    expect(page.body).not.toContain(BOB_HOST);
    expect(page.body).not.toContain('192.0.2.2');
  });

  it('shows a block', async () => {
    const host = (await t.store.getHost(HOST))!;
    await t.store.putHost({ ...host, blocked: { at: Date.now(), reason: `too many ${XSS}` }, version: host.version + 1 }, host.version);
    const list = await alice.get('/');
    expect(list.body).toContain('<span class="blocked">blocked</span>');
    const page = await alice.get(`/host/${HOST}`);
    expect(page.body).toContain('too many &lt;script&gt;');
    expect(page.body).not.toContain(XSS);
  });

  it('set and clear addresses through the use case, recorded in the history', async () => {
    const res = await alice.submit(`/host/${HOST}`, `/host/${HOST}/addresses`, { v4: ' 198.51.100.5 ', v6: '2001:DB8::5' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/host/${HOST}?done=saved`);
    expect(await addressesOf(HOST)).toEqual({ v4: '198.51.100.5', v6: '2001:db8::5' });
    await alice.submit(`/host/${HOST}`, `/host/${HOST}/addresses`, { v4: '198.51.100.5', v6: '' });
    expect(await addressesOf(HOST)).toEqual({ v4: '198.51.100.5' });
    const [latest] = await t.store.listHistory(HOST, 1);
    expect(latest).toMatchObject({ result: 'good', after: { v4: '198.51.100.5' }, userAgent: 'web (test-browser/1.0)' });
    const page = await alice.get(`/host/${HOST}?done=saved`);
    expect(page.body).toContain('Saved.');
    expect(page.body).toMatch(/198\.51\.100\.5, 2001:db8::5<\/td><td data-label="After">198\.51\.100\.5<\/td><td data-label="Result">good/);
  });

  it('refuse a bad address with the page again and change nothing', async () => {
    for (const fields of [{ v4: '1.2.3', v6: '' }, { v4: '0.0.0.0', v6: '' }, { v4: '', v6: 'fe80::1%eth0' }, { v4: XSS, v6: '' }]) {
      const res = await alice.submit(`/host/${HOST}`, `/host/${HOST}/addresses`, fields);
      expect(res.status).toBe(400);
      expect(res.body).toContain('role="alert"');
      expect(res.body).not.toContain(XSS);
    }
    expect(await addressesOf(HOST)).toEqual({ v4: '192.0.2.1' });
  });

  it('create a token shown once, list it and revoke it', async () => {
    const created = await alice.submit(`/host/${HOST}`, `/host/${HOST}/tokens`, {});
    expect(created.status).toBe(200);
    const secret = /<pre data-copy="token">(spt_[^<]+)<\/pre>/.exec(created.body)?.[1];
    expect(secret).toBeDefined();
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.9`, { auth: ['alice', secret!] })).body).toBe('good 192.0.2.9');
    const page = await alice.get(`/host/${HOST}`);
    expect(page.body).not.toContain(secret);
    const [token] = await t.core.accounts.listTokens('alice');
    expect(page.body).toContain(`/host/${HOST}/tokens/${token!.id}/revoke`);
    const revoked = await alice.post(`/host/${HOST}/tokens/${token!.id}/revoke`, { form_token: formToken(page.body) });
    expect(revoked.status).toBe(303);
    expect(await t.core.accounts.listTokens('alice')).toEqual([]);
  });

  it('give router settings with the host name, the account and this server\'s URL', async () => {
    const page = await alice.get(`/host/${HOST}/setup`);
    expect(page.status).toBe(200);
    for (const tool of ['ddclient', 'inadyn', 'Fritz!Box', 'pfSense', 'OPNsense', 'OpenWrt', 'MikroTik', 'Synology', 'QNAP', 'Home Assistant', 'curl']) {
      expect(page.body, tool).toContain(tool);
    }
    expect(page.body).toContain(`http://localhost/nic/update?hostname=${HOST}`);
    expect(page.body).toContain('login=alice');
    expect(page.body).toContain(TOKEN_PLACEHOLDER);
    expect(page.body).toContain('<script src="/static/copy.js" defer></script>');
    expect(page.body.split(HOST).length).toBeGreaterThan(10);
  });

  it('let a wildcard grant\'s name that has no host yet be set up (tokens, settings) but not set by hand', async () => {
    const page = await alice.get('/host/nas.lab.dyn.example.test');
    expect(page.status).toBe(200);
    expect(page.body).toContain('No update has reached this name yet');
    expect(page.body).not.toContain('IPv4 address');
    const created = await alice.submit('/host/nas.lab.dyn.example.test', '/host/nas.lab.dyn.example.test/tokens', {});
    expect(created.body).toContain('spt_');
  });

  it('serve one stylesheet and one script, with no inline script or style anywhere', async () => {
    const css = await alice.get('/static/signpost.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(css.body).toContain('prefers-color-scheme:dark');
    expect((await alice.get('/static/copy.js')).headers.get('content-type')).toContain('javascript');
    for (const path of ['/', `/host/${HOST}`, `/host/${HOST}/setup`, '/account/password']) {
      const page = await alice.get(path);
      expect(page.body, path).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(page.body, path).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    }
  });

  it('send CSP without inline script, frame-ancestors none, nosniff, Referrer-Policy, no-store', async () => {
    for (const path of ['/', `/host/${HOST}`]) {
      const { headers } = await alice.get(path);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('same-origin');
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('strict-transport-security')).toBe('max-age=15552000');
    }
  });

  it('need a signed-in session: pages redirect to sign in, forms are refused', async () => {
    const anonymous = new WebClient(t.app);
    for (const path of [`/host/${HOST}`, `/host/${HOST}/setup`, '/account/password']) {
      const res = await anonymous.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    }
    for (const path of [`/host/${HOST}/addresses`, `/host/${HOST}/tokens`, '/account/password', '/sign-out']) {
      expect((await anonymous.post(path, { v4: '203.0.113.1' })).status, path).toBe(401);
    }
    expect(await addressesOf(HOST)).toEqual({ v4: '192.0.2.1' });
  });

  it('refuse every form without the session\'s token or from another origin, changing nothing', async () => {
    const token = formToken((await alice.get(`/host/${HOST}`)).body);
    const forms: [string, Record<string, string>][] = [
      [`/host/${HOST}/addresses`, { v4: '203.0.113.1', v6: '' }],
      [`/host/${HOST}/tokens`, {}],
      ['/account/password', { current: 'alice-password', next: 'changed-password' }],
      ['/sign-out', {}],
    ];
    for (const [path, fields] of forms) {
      expect((await alice.post(path, fields)).status, `${path} without token`).toBe(403);
      expect((await alice.post(path, { ...fields, form_token: 'f'.repeat(64) })).status, `${path} wrong token`).toBe(403);
      expect((await alice.post(path, { ...fields, form_token: token }, { origin: 'http://evil.example' })).status, `${path} other origin`).toBe(403);
    }
    // a token of another session is no good either
    const other = new WebClient(t.app);
    await other.signIn('alice', 'alice-password');
    const otherToken = formToken((await other.get('/')).body);
    expect((await alice.post(`/host/${HOST}/tokens`, { form_token: otherToken })).status).toBe(403);
    expect(await addressesOf(HOST)).toEqual({ v4: '192.0.2.1' });
    expect(await t.core.accounts.listTokens('alice')).toEqual([]);
    expect((await alice.get('/')).body).toContain('Your hosts'); // still signed in
  });

  it('cap form bodies', async () => {
    const token = formToken((await alice.get(`/host/${HOST}`)).body);
    const res = await alice.post(`/host/${HOST}/addresses`, { form_token: token, v4: '203.0.113.1', pad: 'x'.repeat(40_000) });
    expect(res.status).toBe(413);
    expect(await addressesOf(HOST)).toEqual({ v4: '192.0.2.1' });
  });

  it('answer every route the CDK app routes to them (WEB_ROUTES)', async () => {
    const token = formToken((await alice.get('/')).body);
    const signOutLast = [...WEB_ROUTES].sort(([, a], [, b]) => Number(a === '/sign-out') - Number(b === '/sign-out'));
    for (const [method, path] of signOutLast) {
      const concrete = path.replace('{name}', HOST).replace('{id}', randomUUID()).replace('{file}', 'signpost.css');
      const res = method === 'GET' ? await alice.get(concrete) : await alice.post(concrete, { form_token: token });
      expect(res.headers.get('content-type') ?? '', `${method} ${path}`).not.toContain('application/json');
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('keep the APIs where they were', async () => {
    expect((await t.admin('GET', '/hosts')).status).toBe(200);
    expect((await t.admin('GET', `/hosts/${HOST}`)).json).toMatchObject({ hostname: HOST });
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.3`)).body).toBe('good 192.0.2.3');
    const unknown = await t.app.request('/no-such-path');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe("another user's host", () => {
  beforeEach(() => setUp());

  const same404 = async (res: { status: number; body: string }, name: string) => {
    expect(res.status).toBe(404);
    expect(res.body).toContain(`no host ${name}`);
    expect(res.body).not.toContain('192.0.2.2');
  };

  it('is not found on every route, exactly like a name that does not exist', async () => {
    const token = formToken((await alice.get('/')).body);
    for (const name of [BOB_HOST, 'nothing.dyn.example.test', 'bob.dyn.example.test.', 'BOB.dyn.example.test']) {
      const canonical = name.toLowerCase().replace(/\.$/, '');
      await same404(await alice.get(`/host/${name}`), canonical);
      await same404(await alice.get(`/host/${name}/setup`), canonical);
      await same404(await alice.post(`/host/${name}/addresses`, { form_token: token, v4: '203.0.113.66', v6: '' }), canonical);
      await same404(await alice.post(`/host/${name}/tokens`, { form_token: token }), canonical);
      await same404(await alice.post(`/host/${name}/tokens/${bobToken.id}/revoke`, { form_token: token }), canonical);
    }
    expect(await addressesOf(BOB_HOST)).toEqual({ v4: '192.0.2.2' });
    expect((await t.core.accounts.listTokens('bob')).map((x) => x.id)).toEqual([bobToken.id]);
    expect(await t.core.accounts.listTokens('alice')).toEqual([]);
  });

  it("keeps its tokens: a guessed or another user's token id under one's own host is not found", async () => {
    const token = formToken((await alice.get('/')).body);
    for (const id of [bobToken.id, randomUUID(), '..', '%2e%2e', XSS]) {
      const res = await alice.post(`/host/${HOST}/tokens/${encodeURIComponent(id)}/revoke`, { form_token: token });
      expect(res.status, id).toBe(404);
      expect(res.body).not.toContain(XSS);
    }
    expect((await t.update(`hostname=${BOB_HOST}&myip=192.0.2.22`, { auth: ['bob', bobToken.token] })).body).toBe('good 192.0.2.22');
  });

  it('passes to the user who holds the grant now when its owner lost it (the dyndns2 rule)', async () => {
    await t.core.accounts.removeGrant('bob', BOB_HOST);
    await t.core.accounts.addGrant('alice', BOB_HOST);
    expect((await alice.get(`/host/${BOB_HOST}`)).status).toBe(200);
  });
});

describe('router settings URL', () => {
  it('uses SIGNPOST_PUBLIC_URL when set', async () => {
    await setUp({ SIGNPOST_PUBLIC_URL: 'https://ddns.example.net/' });
    const page = await alice.get(`/host/${HOST}/setup`);
    expect(page.body).toContain(`https://ddns.example.net/nic/update?hostname=${HOST}`);
    expect(page.body).toContain('ssl=yes');
    expect(page.body).not.toContain('http://localhost');
  });

  it('uses HTTPS when a trusted proxy says the request came over it', async () => {
    await setUp({ SIGNPOST_TRUSTED_PROXIES: '10.0.0.0/8' });
    const proxied = new WebClient(t.app, { peer: '10.1.2.3' });
    proxied.cookies.set('signpost_session', alice.cookies.get('signpost_session')!);
    const page = await proxied.get(`/host/${HOST}/setup`, { 'x-forwarded-proto': 'https' });
    expect(page.body).toContain(`https://localhost/nic/update?hostname=${HOST}`);
    const spoofed = await alice.get(`/host/${HOST}/setup`, { 'x-forwarded-proto': 'https' });
    expect(spoofed.body).toContain(`http://localhost/nic/update?hostname=${HOST}`);
  });

  it('refuses a SIGNPOST_PUBLIC_URL that is not a base URL', async () => {
    await expect(createTestApp({ SIGNPOST_PUBLIC_URL: 'ddns.example.net' })).rejects.toThrow(/SIGNPOST_PUBLIC_URL must be/);
    await expect(createTestApp({ SIGNPOST_PUBLIC_URL: 'https://ddns.example.net/path?x' })).rejects.toThrow(/SIGNPOST_PUBLIC_URL/);
  });
});
