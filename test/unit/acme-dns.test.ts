/** acme-dns's input rules (joohoi/acme-dns validation.go, acmetxt.go) and the accounts use case. */
import { describe, expect, it } from 'vitest';
import { AcmeDnsAccounts, challengeNameFor, type ChallengeWrites } from '../../src/app/acme-dns-accounts.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { MAX_ACME_DNS_ACCOUNTS_PER_USER, isAcmeDnsKey, isAcmeDnsTxt, parseAllowFrom, updateAllowedFrom } from '../../src/domain/acme-dns.js';
import { SignpostError } from '../../src/domain/errors.js';

describe('acme-dns rules', () => {
  it('a TXT value is exactly 43 characters of base64url', () => {
    expect(isAcmeDnsTxt('a'.repeat(43))).toBe(true);
    expect(isAcmeDnsTxt('Ab0-_'.repeat(8) + 'xyz')).toBe(true);
    expect(isAcmeDnsTxt('a'.repeat(42))).toBe(false);
    expect(isAcmeDnsTxt('a'.repeat(44))).toBe(false);
    expect(isAcmeDnsTxt(`${'a'.repeat(42)}=`)).toBe(false);
    expect(isAcmeDnsTxt(`${'a'.repeat(42)}+`)).toBe(false);
    expect(isAcmeDnsTxt(`${'a'.repeat(42)}é`)).toBe(false);
  });

  it('a key is exactly 40 characters of base64url', () => {
    expect(isAcmeDnsKey('k'.repeat(40))).toBe(true);
    expect(isAcmeDnsKey('k'.repeat(39))).toBe(false);
    expect(isAcmeDnsKey(`${'k'.repeat(39)}/`)).toBe(false);
  });

  it('allowfrom entries must be CIDRs with a prefix length, as Go’s net.ParseCIDR reads them', () => {
    expect(parseAllowFrom([])).toEqual([]);
    expect(parseAllowFrom(['192.0.2.0/24', '[2001:db8::]/32', '198.51.100.7/32'])).toEqual(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7/32']);
    expect(parseAllowFrom(['192.0.2.7'])).toBeUndefined(); // no prefix: acme-dns refuses it
    expect(parseAllowFrom(['192.0.2.0/33'])).toBeUndefined();
    expect(parseAllowFrom(['example.org/24'])).toBeUndefined();
    expect(parseAllowFrom(['192.0.2.0/24', 'nope'])).toBeUndefined();
  });

  it('an empty allowfrom allows every address; otherwise only addresses inside it', () => {
    expect(updateAllowedFrom([], '203.0.113.9')).toBe(true);
    expect(updateAllowedFrom(['192.0.2.0/24'], '192.0.2.77')).toBe(true);
    expect(updateAllowedFrom(['192.0.2.0/24'], '203.0.113.9')).toBe(false);
    expect(updateAllowedFrom(['192.0.2.0/24'], undefined)).toBe(false);
  });

  it('the challenge name of a domain, its wildcard or the challenge name itself', () => {
    expect(challengeNameFor('Home.Dyn.Example.Test.')).toBe('_acme-challenge.home.dyn.example.test');
    expect(challengeNameFor('*.home.dyn.example.test')).toBe('_acme-challenge.home.dyn.example.test');
    expect(challengeNameFor('_acme-challenge.home.dyn.example.test')).toBe('_acme-challenge.home.dyn.example.test');
  });
});

/** Records what the use case asked of the challenge records; alice's grants cover home.dyn.example.test. */
function recordingChallenges(): ChallengeWrites & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    mayWrite: async (user, name) => user === 'alice' && name === '_acme-challenge.home.dyn.example.test',
    add: async (name, value, owner, options) => void calls.push(`add ${name} ${value} ${owner} keep=${options?.keep}`),
    setAlias: async (name, target, owner) => void calls.push(`alias ${name} ${target} ${owner}`),
    removeAlias: async (name, owner) => void calls.push(`unalias ${name} ${owner}`),
  };
}

async function setup() {
  const store = new MemoryStore();
  for (const username of ['alice', 'bob']) await store.createUser({ username, passwordHash: 'x', createdAt: 1 });
  const challenges = recordingChallenges();
  const accounts = new AcmeDnsAccounts({ store, challenges, zone: 'acme.dyn.example.test', now: () => 1000 });
  return { store, challenges, accounts };
}

describe('AcmeDnsAccounts', () => {
  it('registers an account with UUIDs and a 40-character password, keeping only its SHA-256', async () => {
    const { store, accounts } = await setup();
    const reg = (await accounts.register('alice', ['192.0.2.0/24']))!;
    expect(reg.username).toMatch(/^[0-9a-f-]{36}$/);
    expect(reg.subdomain).toMatch(/^[0-9a-f-]{36}$/);
    expect(reg.subdomain).not.toBe(reg.username);
    expect(isAcmeDnsKey(reg.password)).toBe(true);
    expect(reg.fulldomain).toBe(`${reg.subdomain}.acme.dyn.example.test`);
    expect(reg.allowfrom).toEqual(['192.0.2.0/24']);
    const stored = await store.getAcmeDnsAccount(reg.username);
    expect(stored).toMatchObject({ owner: 'alice', subdomain: reg.subdomain, allowFrom: ['192.0.2.0/24'], createdAt: 1000 });
    expect(JSON.stringify(stored)).not.toContain(reg.password);
    const other = (await accounts.register('alice', []))!;
    expect(other.password).not.toBe(reg.password);
  });

  it('a user holds at most MAX_ACME_DNS_ACCOUNTS_PER_USER accounts; anonymous registrations are bounded by who may make them', async () => {
    const { accounts } = await setup();
    for (let i = 0; i < MAX_ACME_DNS_ACCOUNTS_PER_USER; i++) expect(await accounts.register('alice', [])).toBeDefined();
    expect(await accounts.register('alice', [])).toBeUndefined();
    expect(await accounts.register('bob', [])).toBeDefined();
  });

  it('authenticates only the right key, and no account whose owner is gone', async () => {
    const { store, accounts } = await setup();
    const reg = (await accounts.register('bob', []))!;
    expect((await accounts.authenticate(reg.username, reg.password))?.subdomain).toBe(reg.subdomain);
    expect(await accounts.authenticate(reg.username, `${reg.password.slice(0, 39)}${reg.password.endsWith('a') ? 'b' : 'a'}`)).toBeUndefined();
    expect(await accounts.authenticate('00000000-0000-4000-8000-000000000000', reg.password)).toBeUndefined();
    expect(await accounts.authenticate(reg.username.toUpperCase(), reg.password)).toBeUndefined();
    await store.deleteUser('bob');
    expect(await accounts.authenticate(reg.username, reg.password)).toBeUndefined();
  });

  it('an update sets the value at the full domain for the owner, keeping two values like acme-dns', async () => {
    const { challenges, accounts } = await setup();
    const reg = (await accounts.register('alice', []))!;
    const account = (await accounts.authenticate(reg.username, reg.password))!;
    expect(accounts.refusal(account, reg.subdomain, '203.0.113.9')).toBeUndefined();
    expect(accounts.refusal(account, 'someone-else', '203.0.113.9')).toBe('forbidden');
    await accounts.update(account, 'v'.repeat(43));
    expect(challenges.calls).toEqual([`add ${reg.fulldomain} ${'v'.repeat(43)} alice keep=2`]);
  });

  it('allowfrom is honoured', async () => {
    const { accounts } = await setup();
    const reg = (await accounts.register('alice', ['192.0.2.0/24']))!;
    const account = (await accounts.authenticate(reg.username, reg.password))!;
    expect(accounts.refusal(account, reg.subdomain, '192.0.2.1')).toBeUndefined();
    expect(accounts.refusal(account, reg.subdomain, '203.0.113.9')).toBe('forbidden');
  });

  it('links a covered name to the user’s own account only', async () => {
    const { challenges, accounts } = await setup();
    const mine = (await accounts.register('alice', []))!;
    const bobs = (await accounts.register('bob', []))!;
    expect(await accounts.link('alice', '*.home.dyn.example.test', mine.subdomain)).toEqual({ name: '_acme-challenge.home.dyn.example.test', target: mine.fulldomain });
    const refused = (p: Promise<unknown>) => p.then(() => 'done', (e: SignpostError) => e.code);
    expect(await refused(accounts.link('alice', 'home.dyn.example.test', bobs.subdomain))).toBe('challenge_not_allowed');
    expect(await refused(accounts.link('alice', 'other.dyn.example.test', mine.subdomain))).toBe('challenge_not_allowed');
    expect(await refused(accounts.link('bob', 'home.dyn.example.test', bobs.subdomain))).toBe('challenge_not_allowed');
    await accounts.unlink('alice', 'home.dyn.example.test', mine.subdomain);
    expect(challenges.calls).toEqual([`alias _acme-challenge.home.dyn.example.test ${mine.fulldomain} alice`, 'unalias _acme-challenge.home.dyn.example.test alice']);
  });
});
