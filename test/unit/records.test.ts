import { describe, expect, it } from 'vitest';
import { parseExtras, parseUpdate } from '../../src/domain/dyndns2.js';
import { changedExtras, hostNameOf, hostRecordSets, sameExtras, withExtras } from '../../src/domain/records.js';

const params = (query: string) => {
  const p = new URLSearchParams(query);
  return (name: string) => p.getAll(name);
};
const host = { name: 'h.dyn.example.test', addresses: { v4: '192.0.2.1', v6: '2001:db8::1' }, ttl: 60 };
const lines = (sets: ReturnType<typeof hostRecordSets>) => sets.map((s) => `${s.name} ${s.type} ${s.values.join(' / ')}`);

describe('a host record sets', () => {
  it('holds A and AAAA at its name only, with no extras', () => {
    expect(lines(hostRecordSets(host))).toEqual(['h.dyn.example.test A 192.0.2.1', 'h.dyn.example.test AAAA 2001:db8::1']);
  });

  it('adds *.name following the addresses when wildcard is on', () => {
    expect(lines(hostRecordSets({ ...host, addresses: { v4: '192.0.2.1' }, wildcard: true }))).toEqual([
      'h.dyn.example.test A 192.0.2.1',
      '*.h.dyn.example.test A 192.0.2.1',
    ]);
  });

  it('publishes the MX at the name; backmx makes the host the preferred exchanger and mx the backup', () => {
    expect(lines(hostRecordSets({ ...host, addresses: {}, mx: 'mail.example.net' }))).toEqual(['h.dyn.example.test MX 10 mail.example.net.']);
    expect(lines(hostRecordSets({ ...host, addresses: {}, mx: 'mail.example.net', backmx: true }))).toEqual([
      'h.dyn.example.test MX 10 h.dyn.example.test. / 20 mail.example.net.',
    ]);
    expect(hostRecordSets({ ...host, addresses: {}, backmx: true })).toEqual([]);
  });

  it('gives every set the TTL of the host', () => {
    expect(new Set(hostRecordSets({ ...host, wildcard: true, mx: 'mx.example.net' }).map((s) => s.ttl))).toEqual(new Set([60]));
  });

  it('maps a wildcard owner back to its host', () => {
    expect(hostNameOf('*.h.dyn.example.test')).toBe('h.dyn.example.test');
    expect(hostNameOf('h.dyn.example.test')).toBe('h.dyn.example.test');
  });
});

describe('dyndns2 extras', () => {
  it('leaves everything unchanged when omitted or NOCHG', () => {
    expect(parseExtras(params('hostname=h.x.test'))).toEqual({});
    expect(parseExtras(params('wildcard=NOCHG&mx=nochg&backmx=NoChg'))).toEqual({});
  });

  it('turns ON/YES on and any other value off, never an error', () => {
    expect(parseExtras(params('wildcard=ON&backmx=YES'))).toEqual({ wildcard: true, backmx: true });
    expect(parseExtras(params('wildcard=on&backmx=on'))).toEqual({ wildcard: true, backmx: true });
    expect(parseExtras(params('wildcard=OFF&backmx=NO'))).toEqual({ wildcard: false, backmx: false });
    expect(parseExtras(params('wildcard=maybe&backmx='))).toEqual({ wildcard: false, backmx: false });
  });

  it("reads pfSense's empty mx= as no mail exchanger", () => {
    expect(parseExtras(params('wildcard=OFF&mx=&backmx=NO'))).toEqual({ wildcard: false, mx: null, backmx: false });
  });

  it('canonicalises the mx name and refuses one that is not a host name with notfqdn', () => {
    expect(parseExtras(params('mx=Mail.Example.NET.'))).toEqual({ mx: 'mail.example.net' });
    expect(parseExtras(params('mx=b%C3%BCcher.example'))).toEqual({ mx: 'xn--bcher-kva.example' });
    for (const bad of ['mail', 'a b.example', 'under_score.example', `${'a'.repeat(64)}.example`, '*.example.net']) {
      expect(parseExtras(params(`mx=${encodeURIComponent(bad)}`))).toBe('invalid');
    }
    expect(parseUpdate(params('hostname=h.x.test&myip=192.0.2.1&mx=not%20a%20name'))).toEqual({ ok: false, code: 'notfqdn' });
  });
});

describe('changing extras', () => {
  const current = { wildcard: true, mx: 'mx.example.net', backmx: true };
  it('applies only what the change names', () => {
    expect(changedExtras(current, {})).toEqual(current);
    expect(changedExtras(current, { wildcard: false })).toEqual({ mx: 'mx.example.net', backmx: true });
    expect(changedExtras(current, { mx: null })).toEqual({ wildcard: true, backmx: true });
    expect(changedExtras(undefined, { mx: 'a.example' })).toEqual({ mx: 'a.example' });
    expect(changedExtras(undefined)).toEqual({});
  });

  it('compares absent and off as the same', () => {
    expect(sameExtras({}, { wildcard: false, backmx: false })).toBe(true);
    expect(sameExtras({}, { backmx: true })).toBe(false);
    expect(sameExtras({ mx: 'a.example' }, { mx: 'b.example' })).toBe(false);
  });

  it('replaces a host extras and leaves the rest of it alone', () => {
    expect(withExtras({ name: 'h', wildcard: true, mx: 'a.example' }, { backmx: true })).toEqual({ name: 'h', backmx: true });
  });
});
