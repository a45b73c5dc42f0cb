/**
 * Who may change what through UPDATE: one pure rule, tabled over the
 * principal's grant state × the row's owner × the kind of name, then the
 * types, forms and reserved names.
 */
import { describe, expect, it } from 'vitest';
import type { UpdateRR } from '../../src/domain/dns-update.js';
import type { ReservedName } from '../../src/domain/reserved.js';
import { updateScope, type Holder } from '../../src/domain/update-scope.js';

const ZONE = 'dyn.example.test';
const HOME = `home.${ZONE}`;
const CHALLENGE = `_acme-challenge.${HOME}`;
const reserved: ReservedName[] = [
  { name: ZONE, reason: `the apex of ${ZONE}` },
  { name: `ns1.${ZONE}`, reason: `a name server of ${ZONE}` },
  { name: `acme.${ZONE}`, subtree: true, reason: 'the acme-dns zone' },
];
const rr = (name: string, type: string, klass: UpdateRR['class'] = 'IN', value?: string): UpdateRR => ({ name, type, class: klass, ttl: 0, ...(value !== undefined ? { value } : {}) });

/**
 * The principal's grant over time: never had one; has it; had it and lost
 * it; lost it and got it back. Only what holds now counts.
 */
const GRANT_STATES = {
  none: [] as string[],
  granted: [HOME],
  revoked: [] as string[],
  'regranted (wildcard)': [`*.${ZONE}`],
} as const;
type GrantState = keyof typeof GRANT_STATES;

/** Who holds the row at the name now, and whether they still hold a grant for it. */
const OWNERS: Record<string, (me: string) => Holder | undefined> = {
  'no row': () => undefined,
  'own row': (me) => ({ owner: me, ownerGranted: true }),
  'own row, own grant revoked': (me) => ({ owner: me, ownerGranted: false }),
  'other user, still granted': () => ({ owner: 'mallory', ownerGranted: true }),
  'other user, grant revoked': () => ({ owner: 'mallory', ownerGranted: false }),
};

const expected = (grant: GrantState, owner: string) => (grant === 'granted' || grant === 'regranted (wildcard)') && owner !== 'other user, still granted';

describe('updateScope: principal × grant state × owner', () => {
  const cases = (['alice', 'bob'] as const).flatMap((principal) =>
    (Object.keys(GRANT_STATES) as GrantState[]).flatMap((grant) =>
      Object.keys(OWNERS).flatMap((owner) =>
        [rr(HOME, 'A', 'IN', '192.0.2.1'), rr(HOME, 'AAAA', 'NONE', '2001:db8::1'), rr(CHALLENGE, 'TXT', 'IN', '"token"'), rr(CHALLENGE, 'ANY', 'ANY')].map((record) => ({ principal, grant, owner, record })),
      ),
    ),
  );
  it.each(cases)('$principal, grant $grant, $owner: $record.class $record.type $record.name', ({ principal, grant, owner, record }) => {
    const holder = OWNERS[owner]!(principal);
    const verdict = updateScope(record, { username: principal, grants: GRANT_STATES[grant], reserved, ...(holder ? { holder } : {}) });
    expect(verdict.allowed).toBe(expected(grant, owner));
  });
});

describe('updateScope: types, forms and names', () => {
  const allowed = (record: UpdateRR, grants: string[] = [HOME], holder?: Holder) => updateScope(record, { username: 'alice', grants, reserved, ...(holder ? { holder } : {}) });

  it.each([
    [rr(HOME, 'A', 'IN', '192.0.2.1'), true],
    [rr(HOME, 'AAAA', 'IN', '2001:db8::1'), true],
    [rr(HOME, 'A', 'ANY'), true],
    [rr(HOME, 'ANY', 'ANY'), true],
    [rr(HOME, 'AAAA', 'NONE', '2001:db8::1'), true],
    [rr(HOME, 'TXT', 'IN', '"x"'), false], // TXT only at challenge names
    [rr(HOME, 'MX', 'IN', '10 mx.example'), false],
    [rr(HOME, 'CNAME', 'IN', 'elsewhere.example'), false],
    [rr(HOME, 'MX', 'ANY'), false],
    [rr(HOME, 'TYPE99', 'IN', '\\# 0'), false],
    [rr(CHALLENGE, 'TXT', 'IN', '"x"'), true],
    [rr(CHALLENGE, 'TXT', 'ANY'), true],
    [rr(CHALLENGE, 'TXT', 'NONE', '"x"'), true],
    [rr(CHALLENGE, 'ANY', 'ANY'), true],
    [rr(CHALLENGE, 'CNAME', 'IN', 'x.acme.dyn.example.test'), false],
    [rr(CHALLENGE, 'CNAME', 'ANY'), false],
    [rr(CHALLENGE, 'A', 'IN', '192.0.2.1'), false],
    [rr(`*.${HOME}`, 'A', 'IN', '192.0.2.1'), false], // the wildcard follows the host; never written directly
    [rr(`_tcp.${HOME}`, 'TXT', 'IN', '"x"'), false],
    [rr(`x._acme-challenge.${HOME}`, 'TXT', 'IN', '"x"'), false],
    [rr(`_acme-challenge.x.${HOME}`, 'TXT', 'IN', '"x"'), false], // not below an exact grant
  ])('%o → %s', (record, ok) => expect(allowed(record).allowed).toBe(ok));

  it('a *.suffix grant covers hosts below it and their challenge names at any depth, never the reserved names', () => {
    const grants = [`*.${ZONE}`];
    expect(allowed(rr(`a.b.${ZONE}`, 'A', 'IN', '192.0.2.1'), grants).allowed).toBe(true);
    expect(allowed(rr(`_acme-challenge.a.b.${ZONE}`, 'TXT', 'IN', '"x"'), grants).allowed).toBe(true);
    expect(allowed(rr(`ns1.${ZONE}`, 'A', 'IN', '192.0.2.1'), grants)).toEqual({ allowed: false, reason: expect.stringContaining('reserved') });
    expect(allowed(rr(`_acme-challenge.ns1.${ZONE}`, 'TXT', 'IN', '"x"'), grants)).toEqual({ allowed: false, reason: expect.stringContaining('reserved') });
    expect(allowed(rr(`x.acme.${ZONE}`, 'A', 'IN', '192.0.2.1'), grants).allowed).toBe(false);
    expect(allowed(rr(`_acme-challenge.${ZONE}`, 'TXT', 'IN', '"x"'), grants).allowed).toBe(false); // the apex's
    expect(allowed(rr(ZONE, 'ANY', 'ANY'), grants).allowed).toBe(false);
  });

  it('a host blocked for update abuse is refused even to its owner', () => {
    expect(allowed(rr(HOME, 'A', 'IN', '192.0.2.1'), [HOME], { owner: 'alice', ownerGranted: true, blocked: true })).toEqual({ allowed: false, reason: expect.stringContaining('blocked') });
  });
});
