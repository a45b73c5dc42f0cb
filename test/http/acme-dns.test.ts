/**
 * The acme-dns door (/acme-dns), answered as joohoi/acme-dns answers:
 * registration with a Signpost user's Basic credentials or from
 * SIGNPOST_ACME_DNS_REGISTER_FROM, updates with X-Api-User / X-Api-Key,
 * allowfrom, the CNAME endpoint, throttling and logs without secrets.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ACME_DNS_ACCOUNTS_PER_USER } from '../../src/domain/acme-dns.js';
import type { RRSet } from '../../src/domain/records.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import { ADMIN_KEY, basic, createTestApp, DEFAULT_PEER, type TestApp } from '../support/http-app.js';

const ZONE = 'dyn.example.test';
const ACME_ZONE = `acme.${ZONE}`;
const TXT = 'a'.repeat(20) + 'B-_'.repeat(7) + 'zz';
const plainHasher: PasswordHasher = { hash: async (p) => `plain:${p}`, verify: async (h, p) => h === `plain:${p}` };

async function world(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp(env, { hasher: plainHasher });
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test', '*.alice.dyn.example.test']);
  await t.addUser('bob', 'bob-password', ['bob.dyn.example.test']);
  return t;
}

interface Answer {
  status: number;
  json: any;
  headers: Headers;
}

async function call(t: TestApp, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; peer?: string } = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...options.headers } };
  if (options.body !== undefined) init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const res = await t.app.request(path, init, { peer: options.peer ?? DEFAULT_PEER });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

const register = (t: TestApp, body?: unknown, auth: [string, string] | null = ['alice', 'alice-password'], peer?: string) =>
  call(t, 'POST', '/acme-dns/register', { ...(body !== undefined ? { body } : {}), headers: auth ? { authorization: basic(...auth) } : {}, ...(peer ? { peer } : {}) });

const update = (t: TestApp, account: { username: string; password: string }, body: unknown, peer?: string) =>
  call(t, 'POST', '/acme-dns/update', { body, headers: { 'x-api-user': account.username, 'x-api-key': account.password }, ...(peer ? { peer } : {}) });

async function published(t: TestApp, name: string, type = 'TXT'): Promise<string[]> {
  const sets = (await t.provider.records(ZONE)).filter((r: RRSet) => r.name === name && r.type === type);
  return sets.flatMap((r) => r.values.map((v) => (type === 'TXT' ? v.slice(1, -1) : v))).sort();
}

describe('POST /acme-dns/register', () => {
  it('a Signpost user registers an account: 201 with acme-dns’s fields', async () => {
    const t = await world();
    const res = await register(t);
    expect(res.status).toBe(201);
    expect(Object.keys(res.json).sort()).toEqual(['allowfrom', 'fulldomain', 'password', 'subdomain', 'username']);
    expect(res.json.password).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(res.json.fulldomain).toBe(`${res.json.subdomain}.${ACME_ZONE}`);
    expect(res.json.allowfrom).toEqual([]);
    expect(await t.store.getAcmeDnsAccount(res.json.username)).toMatchObject({ owner: 'alice', subdomain: res.json.subdomain });
  });

  it('takes an allowfrom list and refuses a bad CIDR as acme-dns does', async () => {
    const t = await world();
    expect((await register(t, { allowfrom: ['192.0.2.0/24', '[2001:db8::]/48'] })).json.allowfrom).toEqual(['192.0.2.0/24', '2001:db8::/48']);
    expect(await register(t, { allowfrom: ['192.0.2.1'] })).toMatchObject({ status: 400, json: { error: 'invalid_allowfrom_cidr' } });
    expect(await register(t, { allowfrom: ['not-a-network/8'] })).toMatchObject({ status: 400, json: { error: 'invalid_allowfrom_cidr' } });
    expect(await register(t, '{"allowfrom": [')).toMatchObject({ status: 400, json: { error: 'malformed_json_payload' } });
    expect(await register(t, { allowfrom: 'everywhere' })).toMatchObject({ status: 400, json: { error: 'malformed_json_payload' } });
    expect((await t.store.listAcmeDnsAccounts('alice')).length).toBe(1);
  });

  it('anonymous registration is off by default (401), and allowed only from SIGNPOST_ACME_DNS_REGISTER_FROM', async () => {
    const off = await world();
    const refused = await register(off, undefined, null);
    expect(refused).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    const on = await world({ SIGNPOST_ACME_DNS_REGISTER_FROM: '192.0.2.0/24' });
    expect(await register(on, undefined, null, '203.0.113.50')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    const anonymous = await register(on, undefined, null, '192.0.2.10');
    expect(anonymous.status).toBe(201);
    expect(await on.store.getAcmeDnsAccount(anonymous.json.username)).toMatchObject({ owner: '' });
    // its values are published like any account's (the CNAME to it is made in DNS elsewhere)
    expect((await update(on, anonymous.json, { subdomain: anonymous.json.subdomain, txt: TXT }, '203.0.113.50')).status).toBe(200);
    expect(await published(on, anonymous.json.fulldomain)).toEqual([TXT]);
  });

  it('wrong credentials or an update token are refused, and the failed login is logged without the password', async () => {
    const t = await world();
    expect(await register(t, undefined, ['alice', 'wrong-password-123'])).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    const token = await t.admin('POST', '/users/alice/tokens', { hostname: 'home.dyn.example.test' });
    expect(await register(t, undefined, ['alice', token.json.token])).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    const failed = t.logs.filter((l) => l.includes('login failed'));
    expect(failed.some((l) => l.includes('"door":"acme-dns"') && l.includes('"user":"alice"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain('wrong-password-123');
    expect(await t.store.listAcmeDnsAccounts('alice')).toEqual([]);
  });

  it('past the per-user limit: 403 too_many_accounts', async () => {
    const t = await world();
    for (let i = 0; i < MAX_ACME_DNS_ACCOUNTS_PER_USER; i++) await t.core.acmeDns.register('alice', []);
    expect(await register(t)).toMatchObject({ status: 403, json: { error: 'too_many_accounts' } });
    expect((await register(t, undefined, ['bob', 'bob-password'])).status).toBe(201);
  });

  it('failed logins are throttled like dyndns2’s: 429 with Retry-After, not another password check', async () => {
    const t = await world();
    let last: Answer | undefined;
    for (let i = 0; i < 8; i++) last = await register(t, undefined, ['alice', `wrong-${i}-password`]);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('POST /acme-dns/update', () => {
  it('sets the TXT value at the account’s full domain; two values stay, as acme-dns keeps them', async () => {
    const t = await world();
    const account = (await register(t)).json;
    const values = ['1', '2', '3'].map((d) => `${d}${TXT.slice(1)}`);
    for (const txt of values) expect(await update(t, account, { subdomain: account.subdomain, txt })).toMatchObject({ status: 200, json: { txt } });
    expect(await published(t, account.fulldomain)).toEqual(values.slice(1).sort());
  });

  it('refuses bad credentials, another subdomain and a client outside allowfrom with 401 forbidden', async () => {
    const t = await world();
    const account = (await register(t, { allowfrom: ['192.0.2.0/24'] })).json;
    const other = (await register(t)).json;
    const body = { subdomain: account.subdomain, txt: TXT };
    expect(await update(t, { ...account, password: other.password }, body, '192.0.2.1')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(await update(t, { ...account, username: 'not-a-uuid' }, body, '192.0.2.1')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(await update(t, account, { ...body, subdomain: other.subdomain }, '192.0.2.1')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(await update(t, account, body, '203.0.113.9')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(await update(t, account, 'not json', '192.0.2.1')).toMatchObject({ status: 401, json: { error: 'forbidden' } });
    expect(await published(t, account.fulldomain)).toEqual([]);
    expect(await update(t, account, body, '192.0.2.1')).toMatchObject({ status: 200 });
    expect(await published(t, account.fulldomain)).toEqual([TXT]);
    expect(t.logs.join('\n')).not.toContain(other.password);
  });

  it('refuses a value that is not 43 characters of base64url with 400 bad_txt', async () => {
    const t = await world();
    const account = (await register(t)).json;
    for (const txt of [TXT.slice(1), `${TXT}a`, `${TXT.slice(1)}=`, 42, undefined]) {
      expect(await update(t, account, { subdomain: account.subdomain, txt })).toMatchObject({ status: 400, json: { error: 'bad_txt' } });
    }
    expect(await published(t, account.fulldomain)).toEqual([]);
  });

  it('an account ends with its owner', async () => {
    const t = await world();
    const account = (await register(t)).json;
    expect((await t.admin('DELETE', '/users/alice')).status).toBe(204);
    expect(await update(t, account, { subdomain: account.subdomain, txt: TXT })).toMatchObject({ status: 401, json: { error: 'forbidden' } });
  });

  it('repeated wrong keys from one address are throttled (429)', async () => {
    const t = await world();
    const account = (await register(t)).json;
    const wrong = { ...account, password: 'x'.repeat(40) };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await update(t, wrong, { subdomain: account.subdomain, txt: TXT })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // The acme-dns backoff is its own: the same address still reaches the admin API with the right key.
    expect((await call(t, 'GET', '/users', { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
  });
});

describe('/acme-dns/cname', () => {
  const cname = (t: TestApp, method: 'POST' | 'DELETE', body: unknown, auth: [string, string] = ['alice', 'alice-password']) =>
    call(t, method, '/acme-dns/cname', { body, headers: { authorization: basic(...auth) } });

  it('points _acme-challenge.<name> at the user’s own account, and takes it away again', async () => {
    const t = await world();
    const account = (await register(t)).json;
    const created = await cname(t, 'POST', { domain: 'home.dyn.example.test', subdomain: account.subdomain });
    expect(created).toMatchObject({ status: 201, json: { name: '_acme-challenge.home.dyn.example.test', target: account.fulldomain } });
    expect(await published(t, '_acme-challenge.home.dyn.example.test', 'CNAME')).toEqual([`${account.fulldomain}.`]);
    // the wildcard's challenge name is the same
    expect((await cname(t, 'POST', { domain: '*.x.alice.dyn.example.test', subdomain: account.subdomain })).json.name).toBe('_acme-challenge.x.alice.dyn.example.test');
    expect((await cname(t, 'DELETE', { domain: 'home.dyn.example.test', subdomain: account.subdomain })).status).toBe(204);
    expect(await published(t, '_acme-challenge.home.dyn.example.test', 'CNAME')).toEqual([]);
  });

  it('refuses a name the grants do not cover, someone else’s account, bad credentials and a bad body', async () => {
    const t = await world();
    const mine = (await register(t)).json;
    const bobs = (await register(t, undefined, ['bob', 'bob-password'])).json;
    expect(await cname(t, 'POST', { domain: 'bob.dyn.example.test', subdomain: mine.subdomain })).toMatchObject({ status: 403, json: { error: { code: 'challenge_not_allowed' } } });
    expect(await cname(t, 'POST', { domain: 'home.dyn.example.test', subdomain: bobs.subdomain })).toMatchObject({ status: 403, json: { error: { code: 'challenge_not_allowed' } } });
    expect(await cname(t, 'POST', { domain: 'home.dyn.example.test', subdomain: mine.subdomain }, ['alice', 'nope-nope-nope'])).toMatchObject({
      status: 401,
      json: { error: { code: 'bad_credentials' } },
    });
    expect(await cname(t, 'POST', { domain: 'home.dyn.example.test' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(await cname(t, 'POST', '{')).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect((await t.provider.records(ZONE)).filter((r) => r.type === 'CNAME')).toEqual([]);
  });
});

describe('the acme-dns zone', () => {
  it('is reserved: no grant inside it, no host update of its names', async () => {
    const t = await world();
    const grant = await t.admin('POST', '/users/alice/grants', { domain: `x.${ACME_ZONE}` });
    expect(grant).toMatchObject({ status: 422, json: { error: { code: 'name_reserved' } } });
    expect((await t.admin('POST', '/users/alice/grants', { domain: `*.${ACME_ZONE}` })).status).toBe(422);
  });

  it('bodies are bounded before anything reads them (413)', async () => {
    const t = await world();
    const res = await call(t, 'POST', '/acme-dns/register', { body: `{"allowfrom":["${'1'.repeat(8000)}"]}`, headers: { authorization: basic('alice', 'alice-password') } });
    expect(res).toMatchObject({ status: 413, json: { error: { code: 'body_too_large' } } });
  });
});
