/**
 * lego's httpreq door (/httpreq/present, /httpreq/cleanup): a user whose
 * grants cover the name or the update token of that very host; RAW mode,
 * bad input and bad credentials get clear answers and change nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RRSet } from '../../src/domain/records.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import { basic, createTestApp, DEFAULT_PEER, type TestApp } from '../support/http-app.js';

const ZONE = 'dyn.example.test';
const NAME = `_acme-challenge.home.${ZONE}`;
const plainHasher: PasswordHasher = { hash: async (p) => `plain:${p}`, verify: async (h, p) => h === `plain:${p}` };

async function world(): Promise<TestApp> {
  const t = await createTestApp({}, { hasher: plainHasher });
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test', '*.alice.dyn.example.test']);
  await t.addUser('bob', 'bob-password', ['bob.dyn.example.test']);
  return t;
}

async function post(t: TestApp, action: 'present' | 'cleanup', body: unknown, auth: [string, string] | null = ['alice', 'alice-password']): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (auth) headers.authorization = basic(...auth);
  const res = await t.app.request(`/httpreq/${action}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }, { peer: DEFAULT_PEER });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function published(t: TestApp, name = NAME): Promise<string[]> {
  const sets = (await t.provider.records(ZONE)).filter((r: RRSet) => r.name === name && r.type === 'TXT');
  return sets.flatMap((r) => r.values.map((v) => v.slice(1, -1))).sort();
}

describe('lego httpreq', () => {
  it('present publishes the value (two at once for a name and its wildcard); cleanup removes exactly one', async () => {
    const t = await world();
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'value-for-the-name' })).toMatchObject({ status: 200, json: { fqdn: `${NAME}.`, value: 'value-for-the-name' } });
    expect((await post(t, 'present', { fqdn: `${NAME}.`, value: 'value-for-the-wildcard' })).status).toBe(200);
    expect(await published(t)).toEqual(['value-for-the-name', 'value-for-the-wildcard']);
    expect((await post(t, 'cleanup', { fqdn: `${NAME}.`, value: 'value-for-the-name' })).status).toBe(200);
    expect(await published(t)).toEqual(['value-for-the-wildcard']);
    expect((await post(t, 'cleanup', { fqdn: `${NAME}.`, value: 'value-for-the-wildcard' })).status).toBe(200);
    expect(await published(t)).toEqual([]);
    // cleaning up what is already gone is fine (lego cleans up after a failed order too)
    expect((await post(t, 'cleanup', { fqdn: `${NAME}.`, value: 'value-for-the-wildcard' })).status).toBe(200);
  });

  it('a *.suffix grant covers challenge names at any depth below it', async () => {
    const t = await world();
    const deep = `_acme-challenge.a.b.alice.${ZONE}`;
    expect((await post(t, 'present', { fqdn: `${deep}.`, value: 'deep' })).status).toBe(200);
    expect(await published(t, deep)).toEqual(['deep']);
  });

  it('refuses names the grants do not cover, and names that are not challenge names (403)', async () => {
    const t = await world();
    for (const fqdn of [`_acme-challenge.bob.${ZONE}.`, `home.${ZONE}.`, `_acme-challenge.elsewhere.example.`]) {
      expect(await post(t, 'present', { fqdn, value: 'v' }), fqdn).toMatchObject({ status: 403, json: { error: { code: 'challenge_not_allowed' } } });
    }
    expect((await t.provider.records(ZONE)).filter((r) => r.type === 'TXT')).toEqual([]);
  });

  it('an update token may set the challenge of its own host only', async () => {
    const t = await world();
    const token = (await t.admin('POST', '/users/alice/tokens', { hostname: `home.${ZONE}` })).json.token as string;
    expect((await post(t, 'present', { fqdn: `${NAME}.`, value: 'by-token' }, [`home.${ZONE}`, token])).status).toBe(200);
    expect(await published(t)).toEqual(['by-token']);
    expect(await post(t, 'present', { fqdn: `_acme-challenge.x.alice.${ZONE}.`, value: 'v' }, ['alice', token])).toMatchObject({ status: 403 });
    expect((await post(t, 'cleanup', { fqdn: `${NAME}.`, value: 'by-token' }, ['alice', token])).status).toBe(200);
    expect(await published(t)).toEqual([]);
  });

  it('missing or wrong credentials: 401 bad_credentials with a Basic challenge; logged without the password', async () => {
    const t = await world();
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'v' }, null)).toMatchObject({ status: 401, json: { error: { code: 'bad_credentials' } } });
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'v' }, ['alice', 'not-her-password'])).toMatchObject({ status: 401, json: { error: { code: 'bad_credentials' } } });
    expect(t.logs.some((l) => l.includes('login failed') && l.includes('"door":"httpreq"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain('not-her-password');
    expect(await published(t)).toEqual([]);
  });

  it('RAW mode gets a clear 400; so do bad bodies and bad values', async () => {
    const t = await world();
    const raw = await post(t, 'present', { domain: `home.${ZONE}`, token: 'tok', keyAuth: 'tok.thumb' });
    expect(raw).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(raw.json.error.message).toContain('HTTPREQ_MODE=RAW');
    expect(await post(t, 'present', '{"fqdn":')).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(await post(t, 'present', { fqdn: `${NAME}.` })).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'tab\there' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_challenge' } } });
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'x'.repeat(256) })).toMatchObject({ status: 400 });
    expect(await published(t)).toEqual([]);
  });

  it('bodies are bounded (413) before credentials are checked', async () => {
    const t = await world();
    expect(await post(t, 'present', { fqdn: `${NAME}.`, value: 'x'.repeat(5000) }, null)).toMatchObject({ status: 413, json: { error: { code: 'body_too_large' } } });
  });
});
