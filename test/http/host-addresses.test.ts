/** PUT /hosts/:name/addresses: an administrator sets or drops a host's addresses through the dyndns2 publish path. */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { plainHasher } from '../support/authorization-table.js';
import { createTestApp, type TestApp } from '../support/http-app.js';

const HOST = 'home.dyn.example.test';
const PATH = `/hosts/${HOST}/addresses`;
let t: TestApp;

const published = async () => (await t.publisher.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort();

beforeEach(async () => {
  t = await createTestApp({}, { hasher: plainHasher });
  await t.addUser('alice', 'alice-password', [HOST]);
  expect((await t.update(`hostname=${HOST}&myip=192.0.2.1,2001:db8::1`)).body).toBe('good 192.0.2.1,2001:db8::1');
});

describe('PUT /hosts/:name/addresses', () => {
  it('drops a stale AAAA and keeps the A (a family left out is unchanged), with a history entry', async () => {
    const res = await t.admin('PUT', PATH, { v6: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ hostname: HOST, owner: 'alice', ipv4: '192.0.2.1', ipv6: null });
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`]);
    expect((await t.store.getHost(HOST))?.addresses).toEqual({ v4: '192.0.2.1' });
    const [latest] = (await t.admin('GET', `/hosts/${HOST}/history?limit=1`)).json.history;
    expect(latest).toMatchObject({ result: 'good', before: { v4: '192.0.2.1', v6: '2001:db8::1' }, after: { v4: '192.0.2.1' }, userAgent: 'admin API' });
  });

  it("keeps the host's wildcard and MX, which follow the new address, and shows them in the host JSON", async () => {
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.1&wildcard=ON&mx=mx.example.net&backmx=YES`)).body).toBe('good 192.0.2.1');
    const res = await t.admin('PUT', PATH, { v4: '198.51.100.7', v6: null });
    expect(res.json).toMatchObject({ ipv4: '198.51.100.7', ipv6: null, wildcard: true, mx: 'mx.example.net', backmx: true });
    expect(await published()).toEqual([`*.${HOST} A 198.51.100.7`, `${HOST} A 198.51.100.7`, `${HOST} MX 10 ${HOST}. 20 mx.example.net.`]);
    expect((await t.admin('GET', `/hosts/${HOST}`)).json).toMatchObject({ wildcard: true, mx: 'mx.example.net', backmx: true });
  });

  it('shows a host without extras as wildcard false, mx null, backmx false', async () => {
    expect((await t.admin('GET', `/hosts/${HOST}`)).json).toMatchObject({ wildcard: false, mx: null, backmx: false });
  });

  it('sets an address in canonical form, and answers a repeat without publishing (history: nochg)', async () => {
    expect((await t.admin('PUT', PATH, { v4: '198.51.100.7', v6: '2001:DB8:0:0::7' })).json).toMatchObject({ ipv4: '198.51.100.7', ipv6: '2001:db8::7' });
    expect(await published()).toEqual([`${HOST} A 198.51.100.7`, `${HOST} AAAA 2001:db8::7`]);
    const version = (await t.store.getHost(HOST))!.version;
    expect((await t.admin('PUT', PATH, { v4: '198.51.100.7' })).status).toBe(200);
    expect((await t.store.getHost(HOST))!.version).toBe(version);
    expect((await t.admin('GET', `/hosts/${HOST}/history?limit=1`)).json.history[0].result).toBe('nochg');
  });

  it('removing both keeps the host with no records; the next dyndns2 update publishes again', async () => {
    expect((await t.admin('PUT', PATH, { v4: null, v6: null })).json).toMatchObject({ ipv4: null, ipv6: null, owner: 'alice' });
    expect(await published()).toEqual([]);
    expect((await t.admin('GET', `/hosts/${HOST}`)).json).toMatchObject({ hostname: HOST, ipv4: null, ipv6: null });
    expect((await t.update(`hostname=${HOST}&myip=192.0.2.2`)).body).toBe('good 192.0.2.2');
    expect(await published()).toEqual([`${HOST} A 192.0.2.2`]);
  });

  it.each([
    ['nothing to change', {}],
    ['an IPv6 address as v4', { v4: '2001:db8::1' }],
    ['the unspecified address', { v4: '0.0.0.0' }],
    ['the unspecified IPv6 address', { v6: '::' }],
    ['not an address', { v6: 'home' }],
    ['an unknown field', { v4: null, ttl: 5 }],
    ['not an object', '"192.0.2.1"'],
  ])('refuses %s with 400 invalid_request and changes nothing', async (_what, body) => {
    const res = await t.admin('PUT', PATH, body);
    expect([res.status, res.json.error.code]).toEqual([400, 'invalid_request']);
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`, `${HOST} AAAA 2001:db8::1`]);
  });

  it('answers 404 for an unknown host, 422 for a reserved name, 401 without the admin key', async () => {
    expect((await t.admin('PUT', '/hosts/none.dyn.example.test/addresses', { v4: null })).json.error.code).toBe('host_not_found');
    const reserved = await t.admin('PUT', '/hosts/ns1.dyn.example.test/addresses', { v4: '192.0.2.9' });
    expect([reserved.status, reserved.json.error.code]).toEqual([422, 'name_reserved']);
    expect((await t.admin('PUT', PATH, { v6: null }, null)).status).toBe(401);
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`, `${HOST} AAAA 2001:db8::1`]);
  });

  it('a host an older version let a user publish at a reserved name can be cleared, not set', async () => {
    const stale = { name: 'ns1.dyn.example.test', zone: 'dyn.example.test', owner: 'alice', addresses: { v4: '192.0.2.66' }, ttl: 60, updatedAt: 0, version: 1 };
    await t.store.putHost(stale, null);
    await t.publisher.applyChanges('dyn.example.test', { create: [{ name: stale.name, type: 'A', ttl: 60, values: ['192.0.2.66'] }], update: [], delete: [] });
    const set = await t.admin('PUT', '/hosts/ns1.dyn.example.test/addresses', { v4: null, v6: '2001:db8::66' });
    expect([set.status, set.json.error.code]).toEqual([422, 'name_reserved']);
    expect((await t.admin('PUT', '/hosts/ns1.dyn.example.test/addresses', { v4: null })).json).toMatchObject({ ipv4: null, ipv6: null });
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`, `${HOST} AAAA 2001:db8::1`]);
  });

  it('a DNS failure answers 502 publish_failed and changes nothing (history: dnserr)', async () => {
    t.publisher.failNext();
    const res = await t.admin('PUT', PATH, { v6: null });
    expect([res.status, res.json.error.code]).toEqual([502, 'publish_failed']);
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`, `${HOST} AAAA 2001:db8::1`]);
    expect((await t.store.getHost(HOST))?.addresses).toEqual({ v4: '192.0.2.1', v6: '2001:db8::1' });
    expect((await t.admin('GET', `/hosts/${HOST}/history?limit=1`)).json.history[0].result).toBe('dnserr');
  });

  it('a store write that loses a race answers 409 concurrent_update and DNS is reverted', async () => {
    const store = t.store as { putHost: typeof t.store.putHost };
    store.putHost = async () => {
      throw new ConflictError();
    };
    const res = await t.admin('PUT', PATH, { v6: null });
    expect([res.status, res.json.error.code]).toEqual([409, 'concurrent_update']);
    expect(await published()).toEqual([`${HOST} A 192.0.2.1`, `${HOST} AAAA 2001:db8::1`]);
    expect((await t.admin('GET', `/hosts/${HOST}/history?limit=1`)).json.history[0].result).toBe('911');
  });
});
