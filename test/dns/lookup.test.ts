/** Table-driven tests of the pure lookup, from zone text (CoreDNS style). */
import { describe, expect, it } from 'vitest';
import { lookup, type RR } from '../../src/adapters/dns/builtin/lookup.js';
import { TYPE_CODE } from '../../src/adapters/dns/builtin/rdata.js';
import { RCODE, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { ZoneSnapshot } from '../../src/adapters/dns/builtin/zone.js';
import type { RecordType } from '../../src/domain/records.js';
import { dnsEnv, parseZoneText, RFC4592_ZONE_TEXT, ZONE } from './support.js';

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

describe('wildcard synthesis (RFC 4592)', () => {
  const wild = ZoneSnapshot.build(
    settings,
    7,
    parseZoneText(
      ZONE,
      RFC4592_ZONE_TEXT +
        `
home        60 A     192.0.2.10
*.home      60 A     192.0.2.10
*.home      60 AAAA  2001:db8::10
sub.home    60 A     192.0.2.11
`,
    ),
  );
  const n = (label: string) => `${label}.${ZONE}`;
  // §2.2.1's questions and answers, then a host with wildcard=ON.
  const wildCases: Case[] = [
    { q: n('host3'), t: 'MX', rcode: 'NOERROR', answer: [`${n('host3')} MX`], additional: [`${n('host1')} A`] },
    { q: n('host3'), t: 'A', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('foo.bar'), t: 'TXT', rcode: 'NOERROR', answer: [`${n('foo.bar')} TXT`] },
    { q: n('host1'), t: 'MX', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('sub.*'), t: 'MX', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('_telnet._tcp.host1'), t: 'TXT', rcode: 'NXDOMAIN', answer: [], authority: SOA },
    { q: n('host.subdel'), t: 'A', rcode: 'NOERROR', aa: false, answer: [], authority: [`${n('subdel')} NS`, `${n('subdel')} NS`] },
    { q: n('ghost.*'), t: 'MX', rcode: 'NXDOMAIN', answer: [], authority: SOA },
    // Empty non-terminals exist: nothing is synthesized at or below them.
    { q: n('_tcp.host1'), t: 'TXT', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('x._tcp.host2'), t: 'TXT', rcode: 'NXDOMAIN', authority: SOA },
    { q: n('host2'), t: 'TXT', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('*'), t: 'TXT', rcode: 'NOERROR', answer: [`${n('*')} TXT`] },
    { q: n('a.home'), t: 'A', rcode: 'NOERROR', answer: [`${n('a.home')} A`], authority: [] },
    { q: n('a.b.home'), t: 'AAAA', rcode: 'NOERROR', answer: [`${n('a.b.home')} AAAA`] },
    { q: n('a.home'), t: 'TXT', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('a.home'), t: 'ANY', rcode: 'NOERROR', answer: [`${n('a.home')} A`] },
    { q: n('sub.home'), t: 'A', rcode: 'NOERROR', answer: [`${n('sub.home')} A`] },
    { q: n('sub.home'), t: 'AAAA', rcode: 'NOERROR', answer: [], authority: SOA },
    { q: n('x.sub.home'), t: 'A', rcode: 'NXDOMAIN', authority: SOA },
    { q: n('home'), t: 'AAAA', rcode: 'NOERROR', answer: [], authority: SOA },
  ];

  it.each(wildCases)('$q $t → $rcode', (c) => {
    const r = lookup(wild, c.q, c.t === 'ANY' ? TYPE.ANY : TYPE_CODE[c.t]);
    expect(rcodeName(r.rcode)).toBe(c.rcode);
    expect(r.aa).toBe(c.aa ?? true);
    if (c.answer) expect(names(r.answer)).toEqual(c.answer);
    if (c.authority) expect(names(r.authority)).toEqual(c.authority);
    if (c.additional) expect(names(r.additional)).toEqual(c.additional);
  });

  it('synthesizes the data of the source with the asked name as owner', () => {
    const r = lookup(wild, n('deep.er.home'), TYPE.A);
    const source = lookup(wild, n('*.home'), TYPE.A).answer[0]!;
    expect(source.name).toBe(n('*.home'));
    expect(r.answer).toEqual([{ ...source, name: n('deep.er.home') }]);
  });

  it('follows a wildcard CNAME from the synthesized name', () => {
    const cz = ZoneSnapshot.build(settings, 7, parseZoneText(ZONE, `*.w 60 CNAME host.${ZONE}.\nhost 60 A 192.0.2.1`));
    expect(names(lookup(cz, n('a.w'), TYPE.A).answer)).toEqual([`${n('a.w')} CNAME`, `${n('host')} A`]);
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
