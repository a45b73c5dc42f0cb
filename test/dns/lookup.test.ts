/** Table-driven tests of the pure lookup, from zone text (CoreDNS style). */
import { describe, expect, it } from 'vitest';
import { lookup, type RR } from '../../src/adapters/dns/builtin/lookup.js';
import { TYPE_CODE } from '../../src/adapters/dns/builtin/rdata.js';
import { RCODE, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { ZoneSnapshot } from '../../src/adapters/dns/builtin/zone.js';
import type { RecordType } from '../../src/domain/records.js';
import { dnsEnv, parseZoneText, ZONE } from './support.js';

const ZONE_TEXT = `
host        60 A     192.0.2.1
host        60 AAAA  2001:db8::1
v6only      60 AAAA  2001:db8::2
a.b.c       60 A     192.0.2.3        ; b.c and c are empty non-terminals
alias       60 CNAME host.dyn.example.test.
outside     60 CNAME www.example.org.
dangling    60 CNAME missing.dyn.example.test.
loop1       60 CNAME loop2.dyn.example.test.
loop2       60 CNAME loop1.dyn.example.test.
txt         60 TXT   "hello world"
mail        60 MX    10 host.dyn.example.test.
sub         60 NS    ns.sub.dyn.example.test.
ns.sub      60 A     192.0.2.53
`;

const settings = dnsEnv().dns.zones[0]!;
const zone = ZoneSnapshot.build(settings, 7, parseZoneText(ZONE, ZONE_TEXT));
const names = (rrs: RR[]) => rrs.map((r) => `${r.name} ${Object.entries(TYPE).find(([, v]) => v === r.type)?.[0]}`);
const rcodeName = (r: number) => Object.entries(RCODE).find(([, v]) => v === r)?.[0];

interface Case {
  q: string;
  t: RecordType | 'ANY';
  rcode: keyof typeof RCODE;
  aa?: boolean;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  fullAny?: boolean;
}

const SOA = [`${ZONE} SOA`];
const cases: Case[] = [
  { q: 'host.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['host.dyn.example.test A'], authority: [] },
  { q: 'host.dyn.example.test', t: 'AAAA', rcode: 'NOERROR', answer: ['host.dyn.example.test AAAA'] },
  { q: 'v6only.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: [], authority: SOA },
  { q: 'missing.dyn.example.test', t: 'A', rcode: 'NXDOMAIN', answer: [], authority: SOA },
  { q: 'below.host.dyn.example.test', t: 'A', rcode: 'NXDOMAIN', authority: SOA },
  { q: 'b.c.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: [], authority: SOA },
  { q: 'c.dyn.example.test', t: 'TXT', rcode: 'NOERROR', answer: [], authority: SOA },
  { q: 'a.b.c.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['a.b.c.dyn.example.test A'] },
  { q: 'alias.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['alias.dyn.example.test CNAME', 'host.dyn.example.test A'] },
  { q: 'alias.dyn.example.test', t: 'CNAME', rcode: 'NOERROR', answer: ['alias.dyn.example.test CNAME'] },
  { q: 'alias.dyn.example.test', t: 'TXT', rcode: 'NOERROR', answer: ['alias.dyn.example.test CNAME'], authority: SOA },
  { q: 'outside.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['outside.dyn.example.test CNAME'], authority: [] },
  { q: 'dangling.dyn.example.test', t: 'A', rcode: 'NXDOMAIN', answer: ['dangling.dyn.example.test CNAME'], authority: SOA },
  { q: 'loop1.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['loop1.dyn.example.test CNAME', 'loop2.dyn.example.test CNAME'] },
  { q: 'txt.dyn.example.test', t: 'TXT', rcode: 'NOERROR', answer: ['txt.dyn.example.test TXT'] },
  { q: 'mail.dyn.example.test', t: 'MX', rcode: 'NOERROR', answer: ['mail.dyn.example.test MX'], additional: ['host.dyn.example.test A', 'host.dyn.example.test AAAA'] },
  { q: ZONE, t: 'SOA', rcode: 'NOERROR', answer: SOA },
  { q: ZONE, t: 'NS', rcode: 'NOERROR', answer: [`${ZONE} NS`, `${ZONE} NS`], additional: ['ns1.dyn.example.test A'] },
  { q: 'ns1.dyn.example.test', t: 'A', rcode: 'NOERROR', answer: ['ns1.dyn.example.test A'] },
  // Delegation: a referral, not authoritative, glue in additional.
  { q: 'www.sub.dyn.example.test', t: 'A', rcode: 'NOERROR', aa: false, answer: [], authority: ['sub.dyn.example.test NS'], additional: ['ns.sub.dyn.example.test A'] },
  { q: 'sub.dyn.example.test', t: 'NS', rcode: 'NOERROR', aa: false, answer: [], authority: ['sub.dyn.example.test NS'] },
  // RFC 8482: one RRset over UDP, all of them over TCP.
  { q: 'host.dyn.example.test', t: 'ANY', rcode: 'NOERROR', answer: ['host.dyn.example.test A'] },
  { q: 'host.dyn.example.test', t: 'ANY', rcode: 'NOERROR', answer: ['host.dyn.example.test A', 'host.dyn.example.test AAAA'], fullAny: true },
  { q: 'b.c.dyn.example.test', t: 'ANY', rcode: 'NOERROR', answer: [], authority: SOA },
  { q: 'missing.dyn.example.test', t: 'ANY', rcode: 'NXDOMAIN', authority: SOA },
  { q: 'example.org', t: 'A', rcode: 'REFUSED', aa: false, answer: [], authority: [] },
  { q: 'xdyn.example.test', t: 'A', rcode: 'REFUSED', aa: false },
];

describe('lookup', () => {
  it.each(cases)('$q $t → $rcode', (c) => {
    const qtype = c.t === 'ANY' ? TYPE.ANY : TYPE_CODE[c.t];
    const r = lookup(c.rcode === 'REFUSED' ? undefined : zone, c.q, qtype, { fullAny: c.fullAny ?? false });
    expect(rcodeName(r.rcode)).toBe(c.rcode);
    expect(r.aa).toBe(c.aa ?? c.rcode !== 'REFUSED');
    if (c.answer) expect(names(r.answer)).toEqual(c.answer);
    if (c.authority) expect(names(r.authority)).toEqual(c.authority);
    if (c.additional) expect(names(r.additional)).toEqual(c.additional);
  });

  it('negative answers carry the SOA with TTL min(SOA TTL, minimum) (RFC 2308)', () => {
    const r = lookup(zone, 'missing.dyn.example.test', TYPE.A);
    expect(r.authority[0]?.ttl).toBe(60);
    expect(r.authority[0]?.rdata).toMatchObject({ kind: 'soa', serial: 7, minimum: 60 });
  });

  it('refuses names outside the zone even when given the zone', () => {
    expect(lookup(zone, 'example.org', TYPE.A).rcode).toBe(RCODE.REFUSED);
  });
});

describe('zone snapshots', () => {
  it('an update builds a new snapshot and leaves the old one untouched', () => {
    const next = zone.next(8, [
      { name: 'a.b.c.dyn.example.test', type: 'A', set: null },
      { name: 'new.x.dyn.example.test', type: 'A', set: { type: TYPE.A, ttl: 60, rdata: [{ kind: 'bytes', bytes: Uint8Array.of(1, 2, 3, 4) }], rrset: { name: 'new.x.dyn.example.test', type: 'A', ttl: 60, values: ['1.2.3.4'] }, managed: true } },
    ]);
    expect(lookup(zone, 'b.c.dyn.example.test', TYPE.A).rcode).toBe(RCODE.NOERROR);
    expect(lookup(next, 'b.c.dyn.example.test', TYPE.A).rcode).toBe(RCODE.NXDOMAIN); // empty non-terminals go with their last child
    expect(lookup(next, 'c.dyn.example.test', TYPE.A).rcode).toBe(RCODE.NXDOMAIN);
    expect(lookup(next, 'x.dyn.example.test', TYPE.A).rcode).toBe(RCODE.NOERROR);
    expect(lookup(next, 'new.x.dyn.example.test', TYPE.A).answer).toHaveLength(1);
    expect(zone.serial).toBe(7);
    expect(next.serial).toBe(8);
    expect(lookup(next, 'missing.dyn.example.test', TYPE.A).authority[0]?.rdata).toMatchObject({ serial: 8 });
  });

  it('folds a large overlay into a new base without losing names', () => {
    let s = ZoneSnapshot.build(settings, 1, []);
    for (let i = 0; i < 5000; i++) {
      const name = `h${i}.dyn.example.test`;
      s = s.next(i + 2, [{ name, type: 'A', set: { type: TYPE.A, ttl: 60, rdata: [{ kind: 'bytes', bytes: Uint8Array.of(10, 0, 0, 1) }], rrset: { name, type: 'A', ttl: 60, values: ['10.0.0.1'] }, managed: true } }]);
    }
    expect([...s.nodes()].length).toBe(5000 + 2); // apex + ns1 glue + hosts
    expect(lookup(s, 'h0.dyn.example.test', TYPE.A).answer).toHaveLength(1);
    expect(lookup(s, 'h4999.dyn.example.test', TYPE.A).answer).toHaveLength(1);
  });
});
