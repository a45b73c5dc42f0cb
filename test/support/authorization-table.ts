/**
 * The authorization table: who may change a name, by principal kind (user,
 * per-host token) × the state of the grant for that name × who owns the host
 * already in the store. One table, run against the use cases directly
 * (test/unit/authorization.test.ts) and end to end over HTTP on the memory
 * and SQLite stores (test/http/authorization.test.ts).
 */
import { expect } from 'vitest';
import type { Accounts } from '../../src/app/accounts.js';
import { TOKEN_PREFIX, newSecret, sha256Hex } from '../../src/app/secrets.js';
import type { Host } from '../../src/domain/model.js';
import { hostRecordSets } from '../../src/domain/records.js';
import type { DnsPublisher } from '../../src/ports/publisher.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import type { Store } from '../../src/ports/store.js';

export const ZONE = 'dyn.example.test';
export const NAME = `tok.${ZONE}`;
export const PASSWORDS = { alice: 'alice-password', bob: 'bob-password' } as const;
const OLD_ADDRESS = '192.0.2.1';
export const NEW_ADDRESS = '198.51.100.7';

export type PrincipalKind = 'user' | 'token';
export type GrantState = 'granted' | 'never granted' | 'revoked' | 'revoked, re-granted to the same user' | 're-granted to another user';
export type HostOwner = 'none' | 'self' | 'other';
export type Outcome = 'good' | 'nohost' | 'badauth';

/**
 * Expected answer to alice (or alice's token for NAME) updating NAME, for a
 * host owned by nobody / alice / bob. A host owned by someone who holds no
 * grant for it passes to whoever holds the grant now.
 */
const EXPECTED: Record<PrincipalKind, Record<GrantState, readonly [none: Outcome, self: Outcome, other: Outcome]>> = {
  user: {
    granted: ['good', 'good', 'good'],
    'never granted': ['nohost', 'nohost', 'nohost'],
    revoked: ['nohost', 'nohost', 'nohost'],
    'revoked, re-granted to the same user': ['good', 'good', 'good'],
    're-granted to another user': ['nohost', 'nohost', 'nohost'],
  },
  token: {
    granted: ['good', 'good', 'good'],
    // No grant was ever behind this token (a race with grant removal, or data from an older version): it authenticates, but covers nothing.
    'never granted': ['nohost', 'nohost', 'nohost'],
    // Removing the grant revoked the token; granting the name again does not bring it back.
    revoked: ['badauth', 'badauth', 'badauth'],
    'revoked, re-granted to the same user': ['badauth', 'badauth', 'badauth'],
    're-granted to another user': ['badauth', 'badauth', 'badauth'],
  },
};

export interface AuthzCase {
  readonly principal: PrincipalKind;
  readonly grant: GrantState;
  readonly owner: HostOwner;
  readonly expected: Outcome;
}

export const AUTHZ_CASES: readonly AuthzCase[] = (['user', 'token'] as const).flatMap((principal) =>
  (Object.keys(EXPECTED[principal]) as GrantState[]).flatMap((grant) =>
    (['none', 'self', 'other'] as const).map((owner, i) => ({ principal, grant, owner, expected: EXPECTED[principal][grant][i]! })),
  ),
);

/** What a table run needs from the system under test. */
export interface AuthzWorld {
  readonly accounts: Accounts;
  readonly store: Store;
  readonly publisher: DnsPublisher;
  /** One dyndns2 update of NAME to NEW_ADDRESS with these credentials; the first word of the answer. */
  update(username: string, password: string, name: string): Promise<string>;
}

/** Plain-text "hashes": the table creates many accounts and is about authorization, not Argon2. */
export const plainHasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (hash, password) => hash === `plain:${password}`,
  unknownUserHash: 'plain:\u0000',
};

/** Brings the world into the case's state and returns the credentials to update with. */
export async function arrange(world: AuthzWorld, c: AuthzCase): Promise<{ username: string; password: string }> {
  const { accounts, store } = world;
  await accounts.createUser({ username: 'alice', password: PASSWORDS.alice, domains: [`home.${ZONE}`] });
  await accounts.createUser({ username: 'bob', password: PASSWORDS.bob, domains: [] });
  let token: string | undefined;
  if (c.grant !== 'never granted') {
    await accounts.addGrant('alice', NAME);
    if (c.principal === 'token') token = (await accounts.createToken('alice', NAME)).token;
    if (c.grant !== 'granted') await accounts.removeGrant('alice', NAME);
    if (c.grant === 'revoked, re-granted to the same user') await accounts.addGrant('alice', NAME);
    if (c.grant === 're-granted to another user') await accounts.addGrant('bob', NAME);
  } else if (c.principal === 'token') {
    token = newSecret(TOKEN_PREFIX, 16);
    await store.createToken({ id: 'stray-token', username: 'alice', hostname: NAME, secretHash: sha256Hex(token), createdAt: Date.now() });
  }
  if (c.owner !== 'none') await placeHost(world, c.owner === 'self' ? 'alice' : 'bob');
  return token ? { username: 'alice', password: token } : { username: 'alice', password: PASSWORDS.alice };
}

/** A host already in the store and in DNS, as an earlier update (or older data) would have left it. */
export async function placeHost(world: AuthzWorld, owner: string): Promise<void> {
  const host: Host = { name: NAME, zone: ZONE, owner, addresses: { v4: OLD_ADDRESS }, ttl: 60, updatedAt: 0, version: 1 };
  await world.store.putHost(host, null);
  await world.publisher.applyChanges(ZONE, { create: hostRecordSets(host), update: [], delete: [] });
}

/** Runs one case and checks the answer, the store and DNS. */
export async function runCase(world: AuthzWorld, c: AuthzCase): Promise<void> {
  const credentials = await arrange(world, c);
  const before = { host: await world.store.getHost(NAME), dns: await addressInDns(world) };
  const answer = await world.update(credentials.username, credentials.password, NAME);
  expect(answer).toBe(c.expected);
  const after = { host: await world.store.getHost(NAME), dns: await addressInDns(world) };
  if (c.expected === 'good') {
    expect(after.host).toMatchObject({ owner: 'alice', addresses: { v4: NEW_ADDRESS } });
    expect(after.dns).toBe(NEW_ADDRESS);
  } else {
    expect(after).toEqual(before);
  }
}

export async function addressInDns(world: AuthzWorld): Promise<string | undefined> {
  return (await world.publisher.records(ZONE)).find((r) => r.name === NAME && r.type === 'A')?.values[0];
}

export const caseTitle = (c: AuthzCase) => `${c.principal} · ${c.grant} · host owner ${c.owner} → ${c.expected}`;
