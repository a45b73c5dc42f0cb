/**
 * The UPDATE codec byte for byte: every prerequisite form of RFC 2136 §2.4
 * and update form of §2.5 against hand-built bytes, RDATA of each modeled
 * type, the plan → message mapping, and what real `nsupdate` sends decoded
 * and encoded back to the same bytes (its TSIG verified by our code).
 */
import { describe, expect, it } from 'vitest';
import { parseRData } from '../../src/adapters/dns/builtin/rdata.js';
import { parseKeys, verifyRequest } from '../../src/adapters/dns/builtin/tsig.js';
import { CLASS, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { planToUpdate } from '../../src/adapters/dns/rfc2136/plan-update.js';
import { presentRData, readRData } from '../../src/adapters/dns/rfc2136/rdata-read.js';
import { prerequisite, update } from '../../src/adapters/dns/rfc2136/update-forms.js';
import { UPDATE_REQUEST_FLAGS, decodeUpdate, encodeUpdate, type UpdateMessage, type UpdateRecord } from '../../src/adapters/dns/rfc2136/update-message.js';
import { requirePeer } from '../support/peers.js';
import { captureNsupdate } from './nsupdate-capture.js';

const ZONE = 'example.test';
const H = 'h.example.test';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const clean = (s: string) => s.replace(/\s+/g, '');
/** Header with id 0x1234, opcode UPDATE, ZOCOUNT 1, then the zone section: example.test SOA IN at offset 12. */
const head = (pr: number, up: number) => `1234 2800 0001 ${pr.toString(16).padStart(4, '0')} ${up.toString(16).padStart(4, '0')} 0000  07 6578616d706c65 04 74657374 00 0006 0001`;
const msg = (prerequisites: UpdateRecord[], updates: UpdateRecord[]): UpdateMessage => ({ id: 0x1234, flags: UPDATE_REQUEST_FLAGS, zone: { name: ZONE, class: CLASS.IN }, prerequisites, updates, additional: [] });
/** h.example.test, compressed against the zone name at offset 12. */
const HNAME = '01 68 c00c';

describe('RFC 2136 §2.4 prerequisites, byte for byte', () => {
  const cases: [string, UpdateRecord[], string][] = [
    ['RRset exists (value independent): ANY, empty RDATA', [prerequisite.rrsetExists(H, 'A')], `${HNAME} 0001 00ff 00000000 0000`],
    ['RRset exists (value dependent): IN, each value, TTL 0', prerequisite.rrsetEquals({ name: H, type: 'A', values: ['192.0.2.1', '192.0.2.2'] }), `${HNAME} 0001 0001 00000000 0004 c0000201  c01e 0001 0001 00000000 0004 c0000202`],
    ['RRset does not exist: NONE, empty RDATA', [prerequisite.rrsetAbsent(H, 'AAAA')], `${HNAME} 001c 00fe 00000000 0000`],
    ['name is in use: ANY ANY', [prerequisite.nameInUse(H)], `${HNAME} 00ff 00ff 00000000 0000`],
    ['name is not in use: ANY NONE', [prerequisite.nameNotInUse(H)], `${HNAME} 00ff 00fe 00000000 0000`],
  ];
  for (const [title, records, bytes] of cases) {
    it(title, () => {
      const m = msg(records, []);
      const wire = encodeUpdate(m);
      expect(hex(wire)).toBe(clean(head(records.length, 0) + bytes));
      expect(decodeUpdate(wire)).toEqual(m);
    });
  }
});

describe('RFC 2136 §2.5 updates, byte for byte', () => {
  const cases: [string, UpdateRecord[], string][] = [
    ['add to an RRset: IN, TTL, RDATA', update.add({ name: H, type: 'A', ttl: 300, values: ['192.0.2.1'] }), `${HNAME} 0001 0001 0000012c 0004 c0000201`],
    ['delete an RRset: ANY, TTL 0, empty RDATA', [update.deleteRRset(H, 'TXT')], `${HNAME} 0010 00ff 00000000 0000`],
    ['delete all RRsets from a name: ANY ANY', [update.deleteName(H)], `${HNAME} 00ff 00ff 00000000 0000`],
    ['delete an RR from an RRset: NONE, TTL 0, RDATA', update.deleteRecords({ name: H, type: 'A', values: ['192.0.2.9'] }), `${HNAME} 0001 00fe 00000000 0004 c0000209`],
  ];
  for (const [title, records, bytes] of cases) {
    it(title, () => {
      const m = msg([], records);
      const wire = encodeUpdate(m);
      expect(hex(wire)).toBe(clean(head(0, records.length) + bytes));
      expect(decodeUpdate(wire)).toEqual(m);
    });
  }
});

describe('RDATA of each modeled type', () => {
  const cases: [string, 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'MX' | 'PTR' | 'NS', string, string][] = [
    ['A', 'A', '192.0.2.1', '0001 0001 0000012c 0004 c0000201'],
    ['AAAA', 'AAAA', '2001:db8::1', '001c 0001 0000012c 0010 20010db8000000000000000000000001'],
    ['TXT with several strings', 'TXT', '"a" "b c"', '0010 0001 0000012c 0006 0161 03622063'],
    ['CNAME (compressed against the zone)', 'CNAME', 'target.example.test', '0005 0001 0000012c 0009 06746172676574 c00c'],
    ['MX', 'MX', '10 mail.example.test', '000f 0001 0000012c 0009 000a 046d61696c c00c'],
    ['PTR (compressed against the owner)', 'PTR', 'h.example.test', '000c 0001 0000012c 0002 c01e'],
    ['NS outside the zone (a lone TLD is never a pointer target, as in BIND)', 'NS', 'ns.other.test', '0002 0001 0000012c 000f 026e73 056f74686572 0474657374 00'],
  ];
  for (const [title, type, value, bytes] of cases) {
    it(title, () => {
      const records = update.add({ name: H, type, ttl: 300, values: [value] });
      const wire = encodeUpdate(msg([], records));
      expect(hex(wire)).toBe(clean(head(0, 1) + HNAME + bytes));
      const decoded = decodeUpdate(wire).updates[0]!;
      // Names read back absolute, with the trailing dot, as the record model holds them.
      expect(presentRData(decoded.type, decoded.rdata!)).toBe(['CNAME', 'NS', 'PTR', 'MX'].includes(type) ? `${value}.` : value);
    });
  }

  it('reads back presentation values, escaping quotes and bytes outside ASCII in TXT', () => {
    const bytes = Uint8Array.from([3, 0x61, 0x22, 0x5c, 2, 0xc3, 0xa9]);
    const text = presentRData(TYPE.TXT, readRData(bytes, TYPE.TXT, 0, bytes.length));
    expect(text).toBe('"a\\"\\\\" "\\195\\169"');
    expect(parseRData('TXT', text)).toEqual({ kind: 'bytes', bytes });
  });

  it('rejects malformed messages with a WireError', () => {
    const wire = encodeUpdate(msg([], update.add({ name: H, type: 'A', ttl: 300, values: ['192.0.2.1'] })));
    expect(() => decodeUpdate(wire.subarray(0, wire.length - 1))).toThrow(/RDATA|truncated/);
    const query = Uint8Array.from(wire);
    query[2] = 0; // opcode QUERY
    expect(() => decodeUpdate(query)).toThrow(/not an UPDATE/);
    expect(() => decodeUpdate(Uint8Array.of(...wire, 0))).toThrow(/trailing/);
  });
});

describe('a plan as one guarded UPDATE', () => {
  const a = (values: string[], ttl = 60) => ({ name: H, type: 'A' as const, ttl, values });
  it('delete: the exact old values, then the set; update: exact old values, delete, add; create: absent, no CNAME, add', () => {
    const other = { name: 'o.example.test', type: 'TXT' as const, ttl: 60, values: ['"x"'] };
    const gone = { name: 'g.example.test', type: 'AAAA' as const, ttl: 60, values: ['2001:db8::2'] };
    const m = planToUpdate(ZONE, { create: [other], update: [{ from: a(['192.0.2.1']), to: a(['192.0.2.2', '192.0.2.3'], 120) }], delete: [gone] }, 7);
    expect(m.zone).toEqual({ name: ZONE, class: CLASS.IN });
    expect(m.prerequisites).toEqual([
      ...prerequisite.rrsetEquals(gone),
      ...prerequisite.rrsetEquals(a(['192.0.2.1'])),
      prerequisite.rrsetAbsent(other.name, 'TXT'),
      prerequisite.rrsetAbsent(other.name, 'CNAME'),
    ]);
    expect(m.updates).toEqual([update.deleteRRset(gone.name, 'AAAA'), update.deleteRRset(H, 'A'), ...update.add(a(['192.0.2.2', '192.0.2.3'], 120)), ...update.add(other)]);
  });

  it('a created CNAME requires its name unused, unless the plan removes what is there', () => {
    const cname = { name: H, type: 'CNAME' as const, ttl: 60, values: ['t.example.test'] };
    expect(planToUpdate(ZONE, { create: [cname], update: [], delete: [] }, 1).prerequisites).toEqual([prerequisite.rrsetAbsent(H, 'CNAME'), prerequisite.nameNotInUse(H)]);
    expect(planToUpdate(ZONE, { create: [cname], update: [], delete: [a(['192.0.2.1'])] }, 1).prerequisites).toEqual([...prerequisite.rrsetEquals(a(['192.0.2.1'])), prerequisite.rrsetAbsent(H, 'CNAME')]);
  });
});

const nsupdate = requirePeer('nsupdate');

describe.skipIf(!nsupdate.available)('what nsupdate sends', () => {
  const secret = Buffer.from('nsupdate-capture-secret-0123456789').toString('base64');
  const script = (port: number) => `server 127.0.0.1 ${port}
zone example.test
prereq nxrrset new.example.test A
prereq yxrrset old.example.test A
prereq yxrrset cn.example.test CNAME target.example.test
prereq nxdomain free.example.test
prereq yxdomain used.example.test
update delete old.example.test A
update add new.example.test 300 A 192.0.2.2
update add new.example.test 300 AAAA 2001:db8::1
update add new.example.test 300 TXT "a" "b c"
update add mx.example.test 300 MX 10 mail.example.test
update add cn2.example.test 300 CNAME new.example.test
update add ptr.example.test 300 PTR new.example.test
update add sub.example.test 300 NS ns.other.test
update delete gone.example.test
update delete one.example.test A 192.0.2.9
send
`;

  for (const algorithm of ['hmac-sha256', 'hmac-sha512'] as const) {
    it(`decodes and re-encodes it byte for byte, and verifies its ${algorithm} TSIG`, async () => {
      const raw = await captureNsupdate(nsupdate.path, `${algorithm}:upd-key:${secret}`, script);
      const m = decodeUpdate(raw);
      expect(hex(encodeUpdate(m))).toBe(hex(raw));
      expect(m.zone).toEqual({ name: 'example.test', class: CLASS.IN });
      expect(m.prerequisites.map((r) => [r.name, r.type, r.class])).toEqual([
        ['new.example.test', TYPE.A, CLASS.NONE],
        ['old.example.test', TYPE.A, CLASS.ANY],
        ['cn.example.test', TYPE.CNAME, CLASS.IN],
        ['free.example.test', TYPE.ANY, CLASS.NONE],
        ['used.example.test', TYPE.ANY, CLASS.ANY],
      ]);
      expect(m.updates.map((r) => [r.name, r.type, r.class, r.rdata ? presentRData(r.type, r.rdata) : ''])).toEqual([
        ['old.example.test', TYPE.A, CLASS.ANY, ''],
        ['new.example.test', TYPE.A, CLASS.IN, '192.0.2.2'],
        ['new.example.test', TYPE.AAAA, CLASS.IN, '2001:db8::1'],
        ['new.example.test', TYPE.TXT, CLASS.IN, '"a" "b c"'],
        ['mx.example.test', TYPE.MX, CLASS.IN, '10 mail.example.test.'],
        ['cn2.example.test', TYPE.CNAME, CLASS.IN, 'new.example.test.'],
        ['ptr.example.test', TYPE.PTR, CLASS.IN, 'new.example.test.'],
        ['sub.example.test', TYPE.NS, CLASS.IN, 'ns.other.test.'],
        ['gone.example.test', TYPE.ANY, CLASS.ANY, ''],
        ['one.example.test', TYPE.A, CLASS.NONE, '192.0.2.9'],
      ]);
      expect(m.tsig?.algorithm).toBe(algorithm);
      const ring = parseKeys([`${algorithm}:upd-key:${secret}`]);
      const now = m.tsig!.timeSigned;
      expect(verifyRequest(raw, m.tsig!, ring, now)).toMatchObject({ ok: true });
      const tampered = Uint8Array.from(raw);
      tampered[40] = tampered[40]! ^ 1;
      expect(verifyRequest(tampered, m.tsig!, ring, now)).toMatchObject({ ok: false });
      const otherAlgorithm = parseKeys([`${algorithm === 'hmac-sha256' ? 'hmac-sha512' : 'hmac-sha256'}:upd-key:${secret}`]);
      expect(verifyRequest(raw, m.tsig!, otherAlgorithm, now)).toMatchObject({ ok: false });
    });
  }
});
