/** RFC 2136 §3.1, §3.2 and §3.4.1, pure: every rule reaches its RCODE, and the first failing record decides. */
import { describe, expect, it } from 'vitest';
import type { UpdateRR } from '../../src/domain/dns-update.js';
import type { RRSet } from '../../src/domain/records.js';
import { quoteTxt, txtStrings } from '../../src/domain/txt.js';
import { canonicalValue, checkPrerequisites, checkZone, prescanUpdates, type ZoneView } from '../../src/domain/update-checks.js';

const ZONE = 'dyn.example.test';
const SUB = `sub.${ZONE}`; // a served zone of its own below ZONE
const HOME = `home.${ZONE}`;
const sets: RRSet[] = [
  { name: HOME, type: 'A', ttl: 60, values: ['192.0.2.1'] },
  { name: HOME, type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
  { name: `_acme-challenge.${HOME}`, type: 'TXT', ttl: 60, values: ['"one"', '"two"'] },
];
const view: ZoneView = { apex: ZONE, served: [ZONE, SUB], setsAt: (name) => sets.filter((s) => s.name === name) };
const rr = (name: string, type: string, klass: UpdateRR['class'], value?: string, ttl = 0): UpdateRR => ({ name, type, class: klass, ttl, ...(value !== undefined ? { value } : {}) });

describe('§3.1 zone', () => {
  it('answers NOTAUTH for a zone not served here or a class other than IN', () => {
    expect(checkZone({ zone: ZONE, zoneClass: 'IN' }, [ZONE])).toBeUndefined();
    expect(checkZone({ zone: 'other.test', zoneClass: 'IN' }, [ZONE])).toBe('NOTAUTH');
    expect(checkZone({ zone: HOME, zoneClass: 'IN' }, [ZONE])).toBe('NOTAUTH'); // a name in the zone is not the zone
    expect(checkZone({ zone: ZONE, zoneClass: 'CLASS3' }, [ZONE])).toBe('NOTAUTH');
  });
});

describe('§3.2 prerequisites', () => {
  it.each<[string, UpdateRR[], string | undefined]>([
    ['none at all', [], undefined],
    ['a TTL other than 0', [rr(HOME, 'A', 'ANY', undefined, 60)], 'FORMERR'],
    ['a name outside the zone', [rr('home.other.test', 'A', 'ANY')], 'NOTZONE'],
    ['a name in a served zone below it', [rr(`x.${SUB}`, 'ANY', 'ANY')], 'NOTZONE'],
    ['ANY class with RDATA', [rr(HOME, 'A', 'ANY', '192.0.2.1')], 'FORMERR'],
    ['name in use: it is', [rr(HOME, 'ANY', 'ANY')], undefined],
    ['name in use: it is not', [rr(`nobody.${ZONE}`, 'ANY', 'ANY')], 'NXDOMAIN'],
    ['name in use: the apex always is', [rr(ZONE, 'ANY', 'ANY')], undefined],
    ['rrset exists: it does', [rr(HOME, 'AAAA', 'ANY')], undefined],
    ['rrset exists: it does not', [rr(HOME, 'MX', 'ANY')], 'NXRRSET'],
    ['rrset exists: the apex SOA and NS do', [rr(ZONE, 'SOA', 'ANY'), rr(ZONE, 'NS', 'ANY')], undefined],
    ['NONE class with RDATA', [rr(HOME, 'A', 'NONE', '192.0.2.1')], 'FORMERR'],
    ['name not in use: it is not', [rr(`nobody.${ZONE}`, 'ANY', 'NONE')], undefined],
    ['name not in use: it is', [rr(HOME, 'ANY', 'NONE')], 'YXDOMAIN'],
    ['name not in use: the apex is', [rr(ZONE, 'ANY', 'NONE')], 'YXDOMAIN'],
    ['rrset does not exist: it does not', [rr(HOME, 'TXT', 'NONE')], undefined],
    ['rrset does not exist: it does', [rr(HOME, 'A', 'NONE')], 'YXRRSET'],
    ['rrset does not exist: the apex NS does', [rr(ZONE, 'NS', 'NONE')], 'YXRRSET'],
    ['value-dependent: the whole set matches', [rr(`_acme-challenge.${HOME}`, 'TXT', 'IN', '"two"'), rr(`_acme-challenge.${HOME}`, 'TXT', 'IN', 'one')], undefined],
    ['value-dependent: another spelling of the same data', [rr(HOME, 'AAAA', 'IN', '2001:DB8:0::1')], undefined],
    ['value-dependent: a subset is not the set', [rr(`_acme-challenge.${HOME}`, 'TXT', 'IN', '"one"')], 'NXRRSET'],
    ['value-dependent: other data', [rr(HOME, 'A', 'IN', '192.0.2.9')], 'NXRRSET'],
    ['value-dependent: a set that is not there', [rr(`nobody.${ZONE}`, 'A', 'IN', '192.0.2.1')], 'NXRRSET'],
    ['value-dependent: the apex SOA is not in view', [rr(ZONE, 'SOA', 'IN', 'ns1. h. 1 2 3 4 5')], 'NXRRSET'],
    ['value-dependent without RDATA', [rr(HOME, 'A', 'IN')], 'FORMERR'],
    ['value-dependent of type ANY', [rr(HOME, 'ANY', 'IN', 'x')], 'FORMERR'],
    ['another class', [rr(HOME, 'A', 'CLASS3')], 'FORMERR'],
    ['the first failing record decides (NXRRSET before a later FORMERR)', [rr(HOME, 'MX', 'ANY'), rr(HOME, 'A', 'ANY', undefined, 5)], 'NXRRSET'],
    ['the first failing record decides (FORMERR before a later NOTZONE)', [rr(HOME, 'A', 'ANY', undefined, 5), rr('x.other.test', 'A', 'ANY')], 'FORMERR'],
    ['value sets are compared after the others', [rr(HOME, 'A', 'IN', '192.0.2.9'), rr(`nobody.${ZONE}`, 'ANY', 'ANY')], 'NXDOMAIN'],
  ])('%s', (_title, prerequisites, rcode) => {
    expect(checkPrerequisites(prerequisites, view)).toBe(rcode);
  });
});

describe('§3.4.1 prescan of the update section', () => {
  it.each<[string, UpdateRR[], string | undefined]>([
    ['an add, a set delete, a name delete, an RR delete', [rr(HOME, 'A', 'IN', '192.0.2.2', 300), rr(HOME, 'A', 'ANY'), rr(HOME, 'ANY', 'ANY'), rr(HOME, 'A', 'NONE', '192.0.2.1')], undefined],
    ['a name outside the zone', [rr('x.other.test', 'A', 'IN', '192.0.2.1')], 'NOTZONE'],
    ['a name in a served zone below it', [rr(`x.${SUB}`, 'A', 'IN', '192.0.2.1')], 'NOTZONE'],
    ['add of type ANY', [rr(HOME, 'ANY', 'IN', 'x')], 'FORMERR'],
    ['add of AXFR', [rr(HOME, 'AXFR', 'IN', 'x')], 'FORMERR'],
    ['add of MAILB by number', [rr(HOME, 'TYPE253', 'IN', 'x')], 'FORMERR'],
    ['add without RDATA', [rr(HOME, 'A', 'IN')], 'FORMERR'],
    ['add of an A that is no address', [rr(HOME, 'A', 'IN', '300.1.1.1')], 'FORMERR'],
    ['add of an AAAA that is no address', [rr(HOME, 'AAAA', 'IN', '192.0.2.1')], 'FORMERR'],
    ['add of a malformed TXT', [rr(HOME, 'TXT', 'IN', '"unterminated')], 'FORMERR'],
    ['ANY delete with a TTL', [rr(HOME, 'A', 'ANY', undefined, 60)], 'FORMERR'],
    ['ANY delete with RDATA', [rr(HOME, 'A', 'ANY', '192.0.2.1')], 'FORMERR'],
    ['ANY delete of MAILA', [rr(HOME, 'MAILA', 'ANY')], 'FORMERR'],
    ['NONE delete with a TTL', [rr(HOME, 'A', 'NONE', '192.0.2.1', 60)], 'FORMERR'],
    ['NONE delete of type ANY', [rr(HOME, 'ANY', 'NONE', 'x')], 'FORMERR'],
    ['NONE delete without RDATA', [rr(HOME, 'A', 'NONE')], 'FORMERR'],
    ['another class', [rr(HOME, 'A', 'CLASS3', '192.0.2.1')], 'FORMERR'],
    ['the first failing record decides', [rr('x.other.test', 'A', 'IN', '192.0.2.1'), rr(HOME, 'A', 'CLASS3', '192.0.2.1')], 'NOTZONE'],
  ])('%s', (_title, updates, rcode) => {
    expect(prescanUpdates(updates, view)).toBe(rcode);
  });
});

describe('values compared by their data', () => {
  it.each([
    ['A', '192.0.2.1', ' 192.0.2.1'],
    ['AAAA', '2001:DB8:0:0::1', '2001:db8::1'],
    ['TXT', '"abc"', 'abc'],
    ['TXT', '"a\\"b" "c"', '"a\\034b"   c'],
    ['CNAME', 'Target.Example.', 'target.example'],
    ['MX', '10 MX.example.', '10  mx.example'],
  ])('%s %s equals %s', (type, a, b) => expect(canonicalValue(type, a)).toBe(canonicalValue(type, b)));

  it('TXT presentation: strings, escapes, UTF-8, and what is malformed', () => {
    expect(txtStrings('"a b" c "\\"q\\\\"')).toEqual(['a b', 'c', '"q\\']);
    expect(txtStrings('"\\255\\000"')).toEqual(['\u00ff\u0000']);
    expect(txtStrings('"é"')).toEqual(['\u00c3\u00a9']);
    expect(txtStrings('""')).toEqual(['']);
    for (const bad of ['', '   ', '"open', '"a"b', 'a"b', '"\\256"', `"${'x'.repeat(256)}"`, '"x\\']) expect(txtStrings(bad), bad).toBeUndefined();
    expect(txtStrings(quoteTxt('say "hi" \\o/'))).toEqual(['say "hi" \\o/']);
  });
});
