/** RFC 2136 §3.4.2 applied in order to the values UPDATE manages, pure. */
import { describe, expect, it } from 'vitest';
import type { UpdateRR } from '../../src/domain/dns-update.js';
import { applyUpdates, type NameSets } from '../../src/domain/update-apply.js';

const HOME = 'home.dyn.example.test';
const CHALLENGE = `_acme-challenge.${HOME}`;
const rr = (name: string, type: string, klass: UpdateRR['class'], value?: string): UpdateRR => ({ name, type, class: klass, ttl: klass === 'IN' ? 300 : 0, ...(value !== undefined ? { value } : {}) });
const start = new Map<string, NameSets>([
  [HOME, new Map([['A', ['192.0.2.1']], ['AAAA', ['2001:db8::1']]])],
  [CHALLENGE, new Map([['TXT', ['"old"']]])],
]);
const after = (updates: UpdateRR[], cnames: string[] = []) => {
  const applied = applyUpdates(updates, start, new Set(cnames));
  const show = (name: string) => Object.fromEntries(applied.names.get(name)?.sets ?? []);
  const added = (name: string) => Object.fromEntries(applied.names.get(name)?.added ?? []);
  return { show, added, applied };
};

describe('applyUpdates', () => {
  it('adds join the set; the same data again is kept once and counts as (re)added', () => {
    const r = after([rr(HOME, 'A', 'IN', '192.0.2.2'), rr(HOME, 'A', 'IN', ' 192.0.2.1'), rr(CHALLENGE, 'TXT', 'IN', 'old')]);
    expect(r.show(HOME)).toEqual({ A: ['192.0.2.2', '192.0.2.1'], AAAA: ['2001:db8::1'] });
    expect(r.added(HOME)).toEqual({ A: ['192.0.2.2', '192.0.2.1'] });
    expect(r.show(CHALLENGE)).toEqual({ TXT: ['old'] });
    expect(r.added(CHALLENGE)).toEqual({ TXT: ['old'] });
  });

  it('delete the set then add: one value (what nsupdate and ExternalDNS send to change an address)', () => {
    const r = after([rr(HOME, 'A', 'ANY'), rr(HOME, 'A', 'IN', '192.0.2.9')]);
    expect(r.show(HOME)).toEqual({ A: ['192.0.2.9'], AAAA: ['2001:db8::1'] });
  });

  it('deletes one record by its data, in any spelling; deleting data that is not there changes nothing', () => {
    const r = after([rr(HOME, 'AAAA', 'NONE', '2001:DB8:0::1'), rr(HOME, 'A', 'NONE', '192.0.2.77'), rr(CHALLENGE, 'TXT', 'NONE', '"old"')]);
    expect(r.show(HOME)).toEqual({ A: ['192.0.2.1'], AAAA: [] });
    expect(r.show(CHALLENGE)).toEqual({ TXT: [] });
  });

  it('ANY ANY empties every managed set at the name; an add after it counts', () => {
    const r = after([rr(HOME, 'ANY', 'ANY'), rr(HOME, 'AAAA', 'IN', '2001:db8::2')]);
    expect(r.show(HOME)).toEqual({ A: [], AAAA: ['2001:db8::2'] });
    expect(r.added(HOME)).toEqual({ A: [], AAAA: ['2001:db8::2'] });
  });

  it('a value added then deleted in the same message is neither kept nor added', () => {
    const r = after([rr(CHALLENGE, 'TXT', 'IN', '"new"'), rr(CHALLENGE, 'TXT', 'NONE', 'new')]);
    expect(r.show(CHALLENGE)).toEqual({ TXT: ['"old"'] });
    expect(r.added(CHALLENGE)).toEqual({ TXT: [] });
  });

  it('an add at a name a CNAME holds is ignored (§3.4.2.2), deletes still apply', () => {
    const r = after([rr(CHALLENGE, 'TXT', 'IN', '"new"'), rr(CHALLENGE, 'TXT', 'ANY')], [CHALLENGE]);
    expect(r.show(CHALLENGE)).toEqual({ TXT: [] });
    expect(r.applied.ignored).toEqual([rr(CHALLENGE, 'TXT', 'IN', '"new"')]);
  });

  it('addresses are kept in canonical form', () => {
    expect(after([rr(HOME, 'AAAA', 'ANY'), rr(HOME, 'AAAA', 'IN', '2001:DB8:0:0::5')]).show(HOME).AAAA).toEqual(['2001:db8::5']);
  });
});
