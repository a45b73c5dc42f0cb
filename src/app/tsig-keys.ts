/**
 * Users' TSIG keys, which sign RFC 2136 UPDATEs to the built-in DNS server.
 * A secret must verify MACs later, so it cannot be hashed like a password:
 * it is sealed with the SecretBox (bound to the key's name) and shown in
 * plain text once, in the answer that creates it.
 */
import { randomBytes } from 'node:crypto';
import type { UpdateKey } from '../domain/dns-update.js';
import { SignpostError } from '../domain/errors.js';
import type { TsigAlgorithmName, TsigKeyRecord } from '../domain/model.js';
import { canonicalName } from '../domain/names.js';
import { DEFAULT_TSIG_ALGORITHM, TSIG_ALGORITHMS, TSIG_SECRET_BYTES, defaultTsigKeyName, isTsigAlgorithm, isTsigKeyName, tsigSealContext } from '../domain/tsig-keys.js';
import { SecretBoxError, type SecretBox } from '../ports/secret-box.js';
import type { Store } from '../ports/store.js';

export interface TsigKeysDeps {
  readonly store: Store;
  /** Seals and opens secrets; absent where no secret key is configured (Lambda, which serves no RFC 2136). */
  readonly box?: SecretBox;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

export interface CreateTsigKeyOptions {
  /** A DNS name, unique across users; by default one derived from the user name. */
  readonly name?: string;
  readonly algorithm?: string;
}

/** A new key: the only answer that carries its secret (base64). */
export interface NewTsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithmName;
  readonly secret: string;
}

export interface TsigKeyView {
  readonly name: string;
  readonly algorithm: TsigAlgorithmName;
  readonly createdAt: string;
}

/** Default names carry 64 random bits; a few tries cover the impossible collision without a loop that could spin. */
const DEFAULT_NAME_TRIES = 3;
/** Unreadable keys already reported; bounded, since names come from the network. */
const MAX_REPORTED = 1024;

export class TsigKeys {
  private readonly reported = new Set<string>();

  constructor(private readonly deps: TsigKeysDeps) {}

  async create(username: string, options: CreateTsigKeyOptions = {}): Promise<NewTsigKey> {
    const algorithm = options.algorithm ?? DEFAULT_TSIG_ALGORITHM;
    if (!isTsigAlgorithm(algorithm)) throw new SignpostError('invalid_request', `algorithm: one of ${TSIG_ALGORITHMS.join(', ')}`);
    const chosen = options.name === undefined ? undefined : keyName(options.name);
    const box = this.deps.box;
    if (!box) throw new SignpostError('not_found', 'TSIG keys need a secret key (SIGNPOST_SECRET_KEY or secret.key): they are served by the self-hosted server only');
    await this.requireUser(username);

    const secret = randomBytes(TSIG_SECRET_BYTES);
    for (let attempt = 1; ; attempt++) {
      const name = chosen ?? defaultTsigKeyName(username, randomBytes(8).toString('hex'));
      const row: TsigKeyRecord = { name, username, algorithm, sealedSecret: box.seal(secret, tsigSealContext(name)), createdAt: this.deps.now() };
      try {
        await this.deps.store.createTsigKey(row);
      } catch (error) {
        if (chosen === undefined && attempt < DEFAULT_NAME_TRIES && error instanceof SignpostError && error.code === 'tsig_key_exists') continue;
        throw error;
      }
      // The user may have been deleted meanwhile (deleting a user removes their keys): leave no key without an owner.
      if (!(await this.deps.store.getUser(username))) {
        await this.deps.store.deleteTsigKey(name, username);
        throw new SignpostError('user_not_found', `no user ${username}`);
      }
      return { name, algorithm, secret: secret.toString('base64') };
    }
  }

  /** The user's keys without their secrets. */
  async list(username: string): Promise<TsigKeyView[]> {
    await this.requireUser(username);
    const keys = await this.deps.store.listTsigKeys(username);
    return keys.map((k) => ({ name: k.name, algorithm: k.algorithm, createdAt: new Date(k.createdAt).toISOString() }));
  }

  /** Deletes one of the user's keys; another user's key is not found, as a missing one. Signed UPDATEs stop at once (`resolve` reads the store). */
  async revoke(username: string, name: string): Promise<void> {
    const canonical = keyName(name);
    await this.requireUser(username);
    // One conditional delete: a key revoked and re-created for another user meanwhile is never removed.
    if (!(await this.deps.store.deleteTsigKey(canonical, username))) {
      throw new SignpostError('tsig_key_not_found', `${username} has no TSIG key ${canonical}`);
    }
  }

  /**
   * The key an UPDATE names, with its secret opened; undefined for an
   * unknown name. A row whose secret no longer opens (the secret key was
   * replaced or lost) is unknown too, and reported once per name.
   */
  async resolve(name: string): Promise<UpdateKey | undefined> {
    const canonical = canonicalName(name);
    if (!isTsigKeyName(canonical)) return undefined;
    const key = await this.deps.store.getTsigKey(canonical);
    if (!key) return undefined;
    try {
      if (!this.deps.box) throw new SecretBoxError('no secret key is configured');
      const secret = this.deps.box.open(key.sealedSecret, tsigSealContext(key.name));
      return { name: key.name, algorithm: key.algorithm, secret, username: key.username };
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      this.reportUnreadable(key, error);
      return undefined;
    }
  }

  private reportUnreadable(key: TsigKeyRecord, error: SecretBoxError): void {
    if (this.reported.has(key.name)) return;
    if (this.reported.size >= MAX_REPORTED) this.reported.clear();
    this.reported.add(key.name);
    this.deps.onError('a TSIG key does not open with the secret key (was SIGNPOST_SECRET_KEY or secret.key replaced?); updates signed with it are refused until it is created again', error, {
      key: key.name,
      user: key.username,
    });
  }

  private async requireUser(username: string): Promise<void> {
    if (!(await this.deps.store.getUser(username))) throw new SignpostError('user_not_found', `no user ${username}`);
  }
}

function keyName(raw: string): string {
  const name = canonicalName(raw);
  if (!isTsigKeyName(name)) throw new SignpostError('invalid_request', 'name: a DNS name of letters, digits and hyphens, at most 253 characters');
  return name;
}
