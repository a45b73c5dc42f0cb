/**
 * Differential test: the same zone served by BIND 9 (as a primary from a
 * zone file) and by Signpost; a fixed list of queries must get the same
 * rcode, the flags that matter, the same question (letter case included)
 * and the same record sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { dig, parseZoneText, RFC4592_QUESTIONS, RFC4592_ZONE_TEXT, startNamed, startTestDns, ZONE, type Named, type TestDns } from './support.js';

const named = requirePeer('named');
const digPeer = requirePeer('dig');
const SERIAL = 2024010100;

const RECORDS = `
host        60 A     192.0.2.1
host        60 AAAA  2001:db8::1
v6only      60 AAAA  2001:db8::2
a.b.c       60 A     192.0.2.3
txt         60 TXT   "hello world"
multi       60 A     192.0.2.7
multi       60 A     192.0.2.8
`;

const bindZone = (records: string) => `$ORIGIN ${ZONE}.
$TTL 3600
@ 3600 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ${SERIAL} 3600 600 1209600 60
@ 3600 IN NS ns1.${ZONE}.
@ 3600 IN NS ns2.example.net.
ns1 3600 IN A 127.0.0.1
${records.replace(/;.*$/gm, '')}
`;
const BIND_ZONE = bindZone(RECORDS);

/** RFC 4592's example zone, and a host published with wildcard=ON next to another host below it. */
const WILDCARD_RECORDS = `${RFC4592_ZONE_TEXT}
home        60 A     192.0.2.10
*.home      60 A     192.0.2.10
*.home      60 AAAA  2001:db8::10
sub.home    60 A     192.0.2.11
`;
const WILDCARD_QUERIES: string[][] = [
  ...RFC4592_QUESTIONS.map(({ q, t }) => [q, t]),
  ['a.home.dyn.example.test', 'A'],
  ['A.b.HOME.dyn.example.test', 'AAAA'],
  ['a.home.dyn.example.test', 'MX'],
  ['a.home.dyn.example.test', 'ANY', '+tcp'],
  ['sub.home.dyn.example.test', 'AAAA'],
  ['x.sub.home.dyn.example.test', 'A'],
  ['home.dyn.example.test', 'AAAA'],
  ['*.home.dyn.example.test', 'A'],
];

const QUERIES: string[][] = [
  ['host.dyn.example.test', 'A'],
  ['host.dyn.example.test', 'AAAA'],
  ['HoSt.DyN.example.TEST', 'A'],
  ['multi.dyn.example.test', 'A'],
  ['v6only.dyn.example.test', 'A'],
  ['missing.dyn.example.test', 'A'],
  ['deep.missing.dyn.example.test', 'AAAA'],
  ['below.host.dyn.example.test', 'A'],
  ['b.c.dyn.example.test', 'A'],
  ['c.dyn.example.test', 'TXT'],
  ['txt.dyn.example.test', 'TXT'],
  ['host.dyn.example.test', 'TXT'],
  ['host.dyn.example.test', 'MX'],
  [ZONE, 'SOA'],
  [ZONE, 'NS'],
  [ZONE, 'A'],
  ['ns1.dyn.example.test', 'A'],
  ['example.com', 'A'],
  ['test', 'SOA'],
  ['MISSING.Dyn.Example.Test', 'A'],
  ['host.dyn.example.test', 'ANY', '+tcp'],
  ['multi.dyn.example.test', 'ANY', '+notcp'],
];
const VARIANTS = [[], ['+noedns'], ['+dnssec'], ['+norec']];

interface Summary {
  status?: string;
  flags: string[];
  question: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  ednsVersion?: string;
}

/** The parts of dig output that must agree; OPT options (cookies, NSID) and timings are left out. */
function summarize(out: string): Summary {
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out);
    return (m?.[1] ?? '').split('\n').filter(Boolean).map((l) => l.split(/\s+/).join(' ')).sort();
  };
  return {
    status: /status: ([A-Z]+)/.exec(out)?.[1],
    flags: (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').trim().split(/\s+/).sort(),
    question: section('QUESTION'),
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    additional: section('ADDITIONAL'),
    ednsVersion: /EDNS: version: (\d+), flags:([a-z ]*);/.exec(out)?.slice(1).join('/'),
  };
}

describe.skipIf(!named.available || !digPeer.available)('differential: BIND 9 vs Signpost', () => {
  let bind: Named;
  let signpost: TestDns;

  beforeAll(async () => {
    bind = await startNamed(named.path, `zone "${ZONE}" { type primary; file "zone.db"; };`, { 'zone.db': BIND_ZONE }, 'minimal-responses no-auth;');
    signpost = await startTestDns(parseZoneText(ZONE, RECORDS), { SIGNPOST_DNS_SERIAL: String(SERIAL) });
  });
  afterAll(async () => {
    await bind?.stop();
    await signpost?.close();
  });

  const cases = QUERIES.flatMap((q) => VARIANTS.map((v) => [...q, ...v]));
  it.each(cases.map((c) => [c.join(' '), c]))('%s', async (_label, args) => {
    const [b, s] = await Promise.all([dig(digPeer.path, bind.port, args as string[]), dig(digPeer.path, signpost.port, args as string[])]);
    expect(summarize(s.stdout)).toEqual(summarize(b.stdout));
  });

  it('ANY over UDP: both answer minimally with one RRset of the name (RFC 8482)', async () => {
    const args = ['host.dyn.example.test', 'ANY', '+notcp', '+noall', '+answer'];
    const [b, s] = await Promise.all([dig(digPeer.path, bind.port, args), dig(digPeer.path, signpost.port, args)]);
    const types = (out: string) => new Set(out.trim().split('\n').map((l) => l.split(/\s+/)[3]));
    expect(types(b.stdout).size).toBe(1);
    expect(types(s.stdout).size).toBe(1);
    expect(['A', 'AAAA']).toContain([...types(s.stdout)][0]);
  });
});

describe.skipIf(!named.available || !digPeer.available)('differential: BIND 9 vs Signpost, wildcards (RFC 4592)', () => {
  let bind: Named;
  let signpost: TestDns;

  beforeAll(async () => {
    bind = await startNamed(named.path, `zone "${ZONE}" { type primary; file "zone.db"; };`, { 'zone.db': bindZone(WILDCARD_RECORDS) }, 'minimal-responses no-auth;');
    signpost = await startTestDns(parseZoneText(ZONE, WILDCARD_RECORDS), { SIGNPOST_DNS_SERIAL: String(SERIAL) });
  });
  afterAll(async () => {
    await bind?.stop();
    await signpost?.close();
  });

  const cases = WILDCARD_QUERIES.flatMap((q) => [[], ['+norec']].map((v) => [...q, ...v]));
  it.each(cases.map((c) => [c.join(' '), c]))('%s', async (_label, args) => {
    const [b, s] = await Promise.all([dig(digPeer.path, bind.port, args as string[]), dig(digPeer.path, signpost.port, args as string[])]);
    expect(summarize(s.stdout)).toEqual(summarize(b.stdout));
  });
});
