import { describe, expect, it } from 'vitest';
import { AbuseTracker } from '../../src/domain/abuse.js';
import { parseUpdate } from '../../src/domain/dyndns2.js';
import { CidrSet, normalizeRemoteAddress, parseIPv4, parseIPv6 } from '../../src/domain/ip.js';
import { findZone, grantCovers, grantsOverlap, isFqdn } from '../../src/domain/names.js';
import { applyTo, invert, isEmpty, plan } from '../../src/domain/plan.js';
import type { RRSet } from '../../src/domain/records.js';
import { resolveClientAddress } from '../../src/adapters/http/client-address.js';

const a = (name: string, ip: string, ttl = 60): RRSet => ({ name, type: 'A', ttl, values: [ip] });

describe('names', () => {
  it('finds the longest label-aligned zone, never a mere suffix', () => {
    const zones = ['example.test', 'dyn.example.test'];
    expect(findZone('h.dyn.example.test', zones)).toBe('dyn.example.test');
    expect(findZone('h.other.example.test', zones)).toBe('example.test');
    expect(findZone('hdyn.example.test', ['dyn.example.test'])).toBeUndefined();
    expect(findZone('example.org', zones)).toBeUndefined();
  });

  it('validates host names by RFC 1035 limits', () => {
    expect(isFqdn('a.b')).toBe(true);
    expect(isFqdn('a')).toBe(false);
    expect(isFqdn(`${'a'.repeat(63)}.b`)).toBe(true);
    expect(isFqdn(`${'a'.repeat(64)}.b`)).toBe(false);
    expect(isFqdn('a-.b')).toBe(false);
    expect(isFqdn('a_b.c')).toBe(false);
  });

  it('matches wildcard grants strictly below their suffix', () => {
    expect(grantCovers('*.alice.x.test', 'nas.alice.x.test')).toBe(true);
    expect(grantCovers('*.alice.x.test', 'a.b.alice.x.test')).toBe(true);
    expect(grantCovers('*.alice.x.test', 'alice.x.test')).toBe(false);
    expect(grantCovers('*.alice.x.test', 'malice.x.test')).toBe(false);
    expect(grantsOverlap('*.alice.x.test', 'n.alice.x.test')).toBe(true);
    expect(grantsOverlap('*.alice.x.test', '*.b.alice.x.test')).toBe(true);
    expect(grantsOverlap('*.alice.x.test', 'alice.x.test')).toBe(false);
    expect(grantsOverlap('bob.x.test', 'alice.x.test')).toBe(false);
  });
});

describe('addresses', () => {
  it('parses strictly and canonicalises', () => {
    expect(parseIPv4('192.0.2.1')).toBe('192.0.2.1');
    expect(parseIPv4('192.0.2.01')).toBeUndefined();
    expect(parseIPv4('3221225985')).toBeUndefined();
    expect(parseIPv6('2001:0DB8:0000::0001')).toBe('2001:db8::1');
    expect(normalizeRemoteAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('believes X-Forwarded-For only through trusted proxies, right to left', () => {
    const trusted = new CidrSet(['10.0.0.0/8', '2001:db8:ffff::/48']);
    expect(resolveClientAddress('198.51.100.1', '1.2.3.4', trusted)).toBe('198.51.100.1');
    expect(resolveClientAddress('10.0.0.1', '1.2.3.4', trusted)).toBe('1.2.3.4');
    expect(resolveClientAddress('10.0.0.1', '6.6.6.6, 1.2.3.4, 10.9.9.9', trusted)).toBe('1.2.3.4');
    expect(resolveClientAddress('10.0.0.1', 'garbage, 10.9.9.9', trusted)).toBe('10.9.9.9');
    expect(resolveClientAddress('10.0.0.1', undefined, trusted)).toBe('10.0.0.1');
    expect(resolveClientAddress('10.0.0.1', '1.2.3.4', new CidrSet([]))).toBe('10.0.0.1');
  });
});

describe('dyndns2 parsing', () => {
  const parse = (query: string) => {
    const params = new URLSearchParams(query);
    return parseUpdate((name) => params.getAll(name));
  };

  it('reads hostnames, both families and aliases', () => {
    expect(parse('hostname=A.x.test.,b.x.test&myip=192.0.2.1,2001:db8::1')).toEqual({
      ok: true,
      query: { hostnames: ['a.x.test', 'b.x.test'], v4: '192.0.2.1', v6: '2001:db8::1', extras: {} },
    });
    expect(parse('hostname=a.x.test&myip=192.0.2.1&myipv6=2001:db8::2')).toMatchObject({ query: { v4: '192.0.2.1', v6: '2001:db8::2' } });
    expect(parse('hostname=a.x.test&hostname=b.x.test')).toMatchObject({ query: { hostnames: ['a.x.test', 'b.x.test'] } });
    expect(parse('hostname=b%C3%BCcher.x.test')).toMatchObject({ query: { hostnames: ['xn--bcher-kva.x.test'] } });
  });

  it('answers request-scoped codes', () => {
    expect(parse('hostname=a.x.test&system=nope')).toEqual({ ok: false, code: 'badsys' });
    expect(parse('myip=192.0.2.1')).toEqual({ ok: false, code: 'notfqdn' });
    expect(parse('hostname=a.x.test&myip=1.2.3')).toEqual({ ok: false, code: 'notfqdn' });
  });
});

describe('plan', () => {
  it('is a pure diff and idempotent', () => {
    const current = [a('x.t', '192.0.2.1'), a('y.t', '192.0.2.2')];
    const desired = [a('x.t', '192.0.2.9'), a('z.t', '192.0.2.3')];
    const changes = plan(current, desired);
    expect(changes.create).toEqual([a('z.t', '192.0.2.3')]);
    expect(changes.update).toEqual([{ from: a('x.t', '192.0.2.1'), to: a('x.t', '192.0.2.9') }]);
    expect(changes.delete).toEqual([a('y.t', '192.0.2.2')]);
    expect(isEmpty(plan(desired, desired))).toBe(true);
    expect(applyTo(current, changes).sort((p, q) => p.name.localeCompare(q.name))).toEqual(desired);
    expect(applyTo(applyTo(current, changes), invert(changes)).sort((p, q) => p.name.localeCompare(q.name))).toEqual(current);
  });

  it('treats value order as irrelevant and TTL as relevant', () => {
    const one: RRSet = { name: 'x.t', type: 'TXT', ttl: 60, values: ['a', 'b'] };
    expect(isEmpty(plan([one], [{ ...one, values: ['b', 'a'] }]))).toBe(true);
    expect(plan([one], [{ ...one, ttl: 30 }]).update).toHaveLength(1);
  });
});

describe('abuse windows', () => {
  it('flags the attempt past the limit and forgets attempts outside the window', () => {
    const tracker = new AbuseTracker({ windowMs: 1000, maxUpdates: 2, maxNochg: 1, nochgIntervalMs: 60_000, blockMs: 0 });
    expect(tracker.attempt('h', 0)).toBeUndefined();
    expect(tracker.attempt('h', 10)).toBeUndefined();
    expect(tracker.attempt('h', 20)).toBe('rate');
    expect(tracker.attempt('h', 2000)).toBeUndefined();
    expect(tracker.nochg('h', 2000)).toBeUndefined();
    expect(tracker.nochg('h', 2001)).toBe('nochg');
    tracker.reset('h');
    expect(tracker.nochg('h', 2002)).toBeUndefined();
  });

  it('0 disables a limit', () => {
    const tracker = new AbuseTracker({ windowMs: 1000, maxUpdates: 0, maxNochg: 0, nochgIntervalMs: 60_000, blockMs: 0 });
    for (let i = 0; i < 100; i++) expect(tracker.attempt('h', i) ?? tracker.nochg('h', i)).toBeUndefined();
  });
});
