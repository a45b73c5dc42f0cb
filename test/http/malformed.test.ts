/**
 * Bad input gets its protocol answer, never a 500, and nothing is stored or
 * published. Each row is one malformed request.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type UpdateOptions } from '../support/http-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test', '*.alice.dyn.example.test']);
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const many = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.alice.dyn.example.test`).join(',');

const cases: [string, string, string, UpdateOptions?][] = [
  // addresses
  ['IPv4 octet out of range', 'hostname=home.dyn.example.test&myip=300.1.1.1', 'notfqdn'],
  ['IPv4 with three parts', 'hostname=home.dyn.example.test&myip=1.2.3', 'notfqdn'],
  ['IPv4 in hex', 'hostname=home.dyn.example.test&myip=0x7f.0.0.1', 'notfqdn'],
  ['IPv6 garbage', 'hostname=home.dyn.example.test&myip=2001:db8::g', 'notfqdn'],
  ['IPv6 with zone id', 'hostname=home.dyn.example.test&myip=fe80::1%25eth0', 'notfqdn'],
  ['two IPv4 (round robin)', 'hostname=home.dyn.example.test&myip=192.0.2.1,192.0.2.2', 'notfqdn'],
  ['IPv4 in an IPv6 alias', 'hostname=home.dyn.example.test&myipv6=192.0.2.1', 'notfqdn'],
  ['IPv6 in an IPv4 alias', 'hostname=home.dyn.example.test&ipv4=2001:db8::1', 'notfqdn'],
  ['a name as the address', 'hostname=home.dyn.example.test&myip=example.com', 'notfqdn'],
  // host names
  ['21 hosts', `hostname=${many(21)}&myip=192.0.2.1`, 'numhost'],
  ['single label', 'hostname=localhost&myip=192.0.2.1', 'notfqdn'],
  ['label starting with a hyphen', 'hostname=-bad.alice.dyn.example.test&myip=192.0.2.1', 'notfqdn'],
  ['empty label', 'hostname=a..alice.dyn.example.test&myip=192.0.2.1', 'notfqdn'],
  ['label of 64 characters', `hostname=${'a'.repeat(64)}.alice.dyn.example.test&myip=192.0.2.1`, 'notfqdn'],
  ['name over 253 characters', `hostname=${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.alice.dyn.example.test`, 'notfqdn'],
  ['unsubstituted placeholder', 'hostname=%3Cdomain%3E&myip=192.0.2.1', 'notfqdn'],
  ['SQL in the host name', "hostname=home.dyn.example.test'%3BDROP%20TABLE%20hosts%3B--&myip=192.0.2.1", 'notfqdn'],
  ['SQL tautology', "hostname=%27%20OR%201%3D1%20--&myip=192.0.2.1", 'notfqdn'],
  ['NUL byte', 'hostname=home%00.dyn.example.test&myip=192.0.2.1', 'notfqdn'],
  ['broken percent-encoding', 'hostname=%ZZhome.dyn.example.test&myip=192.0.2.1', 'notfqdn'],
  ['unicode name not granted', 'hostname=b%C3%BCcher.dyn.example.test&myip=192.0.2.1', 'nohost'],
  ['unicode that is no valid IDN (bidi override)', 'hostname=a%E2%80%AEb.alice.dyn.example.test&myip=192.0.2.1', 'notfqdn'],
  ['outside every zone', 'hostname=home.example.net&myip=192.0.2.1', 'nohost'],
  ['the zone apex', 'hostname=dyn.example.test&myip=192.0.2.1', 'nohost'],
  ['unknown system', 'system=%27%3B--&hostname=home.dyn.example.test', 'badsys'],
  // credentials
  ['Basic with invalid base64', 'hostname=home.dyn.example.test', 'badauth', { auth: null, headers: { authorization: 'Basic !!!!' } }],
  ['Basic without a colon', 'hostname=home.dyn.example.test', 'badauth', { auth: null, headers: { authorization: `Basic ${b64('alice')}` } }],
  ['Basic with an empty user', 'hostname=home.dyn.example.test', 'badauth', { auth: null, headers: { authorization: `Basic ${b64(':alice-password')}` } }],
  ['Basic with invalid UTF-8', 'hostname=home.dyn.example.test', 'badauth', { auth: null, headers: { authorization: `Basic ${b64(Buffer.from([0x61, 0x3a, 0xff, 0xfe]))}` } }],
  ['a Bearer token', 'hostname=home.dyn.example.test', 'badauth', { auth: null, headers: { authorization: 'Bearer abc.def.ghi' } }],
  ['SQL in the user name', 'hostname=home.dyn.example.test', 'badauth', { auth: ["alice' OR '1'='1", 'x'] }],
  ['unicode user name', 'hostname=home.dyn.example.test', 'badauth', { auth: ['ålïcé', 'alice-password'] }],
  ['query user without password', 'username=alice&hostname=home.dyn.example.test', 'badauth', { auth: null }],
  ['a 10 kB password', 'hostname=home.dyn.example.test', 'badauth', { auth: ['alice', 'x'.repeat(10_000)] }],
  // headers
  ['no User-Agent', 'hostname=home.dyn.example.test', 'badagent', { headers: { 'user-agent': '   ' } }],
  ['forged X-Forwarded-For from an untrusted peer and a bad address', 'hostname=home.dyn.example.test&myip=1.1.1', 'notfqdn', { headers: { 'x-forwarded-for': 'not-an-ip, ::::' } }],
  ['a 12 kB User-Agent with a bad address', 'hostname=home.dyn.example.test&myip=999.0.0.1', 'notfqdn', { headers: { 'user-agent': 'u'.repeat(12_000) } }],
  ['oversized hostname parameter', `hostname=${'a'.repeat(20_000)}`, 'notfqdn'],
  ['a thousand commas', `hostname=${','.repeat(1000)}`, 'notfqdn'],
];

describe('malformed update requests', () => {
  it.each(cases)('%s', async (_name, query, expected, options) => {
    const res = await t.update(query, options);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toBe(expected);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(expected)));
    expect(await t.store.listHosts()).toEqual([]);
    expect(await t.provider.records('dyn.example.test')).toEqual([]);
  });
});

describe('malformed admin requests', () => {
  const bodies: [string, string | object, number, string][] = [
    ['not JSON', '{"username":', 400, 'invalid_request'],
    ['an array', '[]', 400, 'invalid_request'],
    ['missing password', { username: 'carol', domains: [] }, 400, 'invalid_request'],
    ['short password', { username: 'carol', password: 'short', domains: [] }, 400, 'invalid_request'],
    ['bad user name', { username: 'carol:x', password: 'long-enough-1', domains: [] }, 400, 'invalid_request'],
    ['SQL user name', { username: "x' OR 1=1 --", password: 'long-enough-1', domains: [] }, 400, 'invalid_request'],
    ['unknown field', { username: 'carol', password: 'long-enough-1', domains: [], role: 'admin' }, 400, 'invalid_request'],
    ['a domain that is no name', { username: 'carol', password: 'long-enough-1', domains: ['not a name'] }, 400, 'invalid_request'],
    ['a domain outside the zones', { username: 'carol', password: 'long-enough-1', domains: ['carol.example.net'] }, 422, 'name_not_in_zone'],
    ['the zone apex as a domain', { username: 'carol', password: 'long-enough-1', domains: ['dyn.example.test'] }, 422, 'name_reserved'],
  ];
  it.each(bodies)('POST /user with %s → %i %s', async (_name, body, status, code) => {
    const res = await t.admin('POST', '/user', body);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(typeof res.json.error.message).toBe('string');
    expect(await t.store.getUser('carol')).toBeUndefined();
  });

  it('refuses an oversized body', async () => {
    const res = await t.admin('POST', '/user', { username: 'carol', password: 'long-enough-1', domains: Array(5000).fill('x'.repeat(40)) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('body_too_large');
  });
});
