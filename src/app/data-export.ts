/**
 * `signpost export` / `import`: the store's lasting state as one JSON
 * document, through the Store port (so any store can be read or filled).
 *
 * What goes in: users with their password hashes and admin role, grants,
 * hosts (versions and blocks included), update tokens and acme-dns accounts
 * as the hashes the store keeps, TSIG keys with their secrets as sealed
 * (readable only with the same secret key), challenge rows, the admin key's
 * hash and each zone's SOA serial (so secondaries keep transferring). What
 * stays out: update history (a log), web sessions (everyone signs in
 * again), instance registrations (rebuilt from the next instance events).
 */
import { z } from 'zod';
import { SignpostError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';

export const EXPORT_FORMAT = 'signpost-export';
export const EXPORT_VERSION = 1;

/** Settings worth carrying to another data directory; everything else there is transient. */
const settingKeys = (zones: readonly string[]) => ['admin_key_sha256', ...zones.map((zone) => `dns.serial.${zone}`)];

const user = z.strictObject({ username: z.string().min(1), passwordHash: z.string().min(1), createdAt: z.number().int(), admin: z.boolean() });
const grant = z.strictObject({ username: z.string().min(1), pattern: z.string().min(1) });
const host = z.strictObject({
  name: z.string().min(1),
  zone: z.string().min(1),
  owner: z.string().min(1),
  addresses: z.strictObject({ v4: z.string().optional(), v6: z.string().optional() }),
  ttl: z.number().int().positive(),
  updatedAt: z.number().int(),
  version: z.number().int(),
  blocked: z.strictObject({ at: z.number().int(), reason: z.string(), until: z.number().int().optional() }).optional(),
  unblockedAt: z.number().int().optional(),
  wildcard: z.boolean().optional(),
  mx: z.string().optional(),
  backmx: z.boolean().optional(),
});
const token = z.strictObject({ id: z.string().min(1), username: z.string().min(1), hostname: z.string().min(1), secretHash: z.string().min(1), createdAt: z.number().int() });
const tsigKey = z.strictObject({
  name: z.string().min(1),
  username: z.string().min(1),
  algorithm: z.enum(['hmac-sha256', 'hmac-sha512']),
  sealedSecret: z.string().min(1),
  createdAt: z.number().int(),
});
const acmeDnsAccount = z.strictObject({
  username: z.string().min(1),
  owner: z.string(),
  secretHash: z.string().min(1),
  subdomain: z.string().min(1),
  allowFrom: z.array(z.string()).readonly(),
  createdAt: z.number().int(),
});

const challengeRecord = z.strictObject({
  name: z.string().min(1),
  zone: z.string().min(1),
  owner: z.string(),
  values: z.array(z.strictObject({ value: z.string(), writtenAt: z.number().int(), expiresAt: z.number().int() })).readonly(),
  alias: z.string().optional(),
  version: z.number().int(),
});

export const exportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  users: z.array(user),
  grants: z.array(grant),
  hosts: z.array(host),
  tokens: z.array(token),
  tsigKeys: z.array(tsigKey),
  acmeDnsAccounts: z.array(acmeDnsAccount),
  challenges: z.array(challengeRecord),
  settings: z.record(z.string(), z.string()),
});

export type SignpostExport = z.infer<typeof exportSchema>;

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The document, in a stable order (an export of an unchanged store is byte-for-byte the same). */
export async function exportStore(store: Store, zones: readonly string[]): Promise<SignpostExport> {
  const users = await store.listUsers();
  const perUser = await Promise.all(
    users.map(async (u) => ({
      grants: await store.listGrants(u.username),
      tokens: await store.listTokens(u.username),
      tsigKeys: await store.listTsigKeys(u.username),
      acmeDnsAccounts: await store.listAcmeDnsAccounts(u.username),
    })),
  );
  const settings: Record<string, string> = {};
  for (const key of settingKeys(zones)) {
    const value = await store.getSetting(key);
    if (value !== undefined) settings[key] = value;
  }
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    users: users.map(({ username, passwordHash, createdAt, admin }) => ({ username, passwordHash, createdAt, admin })).sort(byKey((u) => u.username)),
    grants: perUser.flatMap((p) => p.grants).sort(byKey((g) => `${g.username}\n${g.pattern}`)),
    hosts: (await store.listHosts()).sort(byKey((h) => h.name)),
    tokens: perUser.flatMap((p) => p.tokens).sort(byKey((t) => t.id)),
    tsigKeys: perUser.flatMap((p) => p.tsigKeys).sort(byKey((k) => k.name)),
    acmeDnsAccounts: [...perUser.flatMap((p) => p.acmeDnsAccounts), ...(await store.listAcmeDnsAccounts(''))].sort(byKey((a) => a.username)),
    challenges: (await store.listChallenges()).sort(byKey((c) => c.name)),
    settings,
  };
}

/** Parses an export document; a clear `invalid_request` names what is wrong. */
export function parseExport(text: string): SignpostExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SignpostError('invalid_request', `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) {
    throw new SignpostError('invalid_request', `not a Signpost export: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Whether a store holds nothing an import could collide with. */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  return (await store.listUsers()).length === 0 && (await store.listHosts()).length === 0 && (await store.listChallenges()).length === 0 && (await store.listAcmeDnsAccounts('')).length === 0;
}

/**
 * Writes a document into an empty store, in dependency order (users before
 * what they own). The store's own checks apply (overlapping grants, taken
 * names), so a document edited into inconsistency is refused, not bent.
 */
export async function importInto(store: Store, data: SignpostExport): Promise<void> {
  if (!(await storeIsEmpty(store))) throw new SignpostError('invalid_request', 'the store is not empty');
  for (const u of data.users) await store.createUser(u);
  for (const g of data.grants) await store.addGrant(g);
  for (const h of data.hosts) await store.putHost(h, null);
  for (const t of data.tokens) await store.createToken(t);
  for (const k of data.tsigKeys) await store.createTsigKey(k);
  for (const a of data.acmeDnsAccounts) await store.createAcmeDnsAccount(a);
  for (const c of data.challenges) await store.putChallenge(c, null);
  for (const [key, value] of Object.entries(data.settings)) await store.setSetting(key, value);
}
