import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { Store } from '../ports/store.js';
import { TOKEN_PREFIX, digestsEqual, hmacHex, sha256Hex } from './secrets.js';

/** Who is making an update: an account, or a per-host token that may update one name only. */
export type Principal =
  | { readonly kind: 'user'; readonly username: string }
  | { readonly kind: 'token'; readonly username: string; readonly hostname: string; readonly tokenId: string };

export interface AuthenticatorOptions {
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
  readonly now: () => number;
}

interface CacheEntry {
  readonly passwordHash: string;
  readonly expiresAt: number;
}

/**
 * Verifies dyndns2 credentials. A router repeats the same credentials on
 * every update, so a verified (username, password) pair is remembered — keyed
 * by an HMAC under a per-process key, never the password itself — for as long
 * as the stored password hash stays the same. Failures are never cached, and
 * an unknown user costs one Argon2 verification like a wrong password does.
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheKey = randomBytes(32);
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly hasher: PasswordHasher,
    private readonly options: AuthenticatorOptions,
  ) {}

  async authenticate(username: string, password: string): Promise<Principal | undefined> {
    if (password.startsWith(TOKEN_PREFIX)) return this.authenticateToken(username, password);
    const user = await this.store.getUser(username);
    const key = hmacHex(this.cacheKey, `${username}\0${password}`);
    const cached = this.cache.get(key);
    const now = this.options.now();
    if (user && cached && cached.passwordHash === user.passwordHash && cached.expiresAt > now) {
      return { kind: 'user', username };
    }
    const ok = await this.hasher.verify(user?.passwordHash ?? (await this.dummy()), password);
    if (!ok || !user) return undefined;
    this.remember(key, { passwordHash: user.passwordHash, expiresAt: now + this.options.cacheTtlMs });
    return { kind: 'user', username };
  }

  /**
   * Whether `authenticate` would answer this pair without a password hash: a
   * per-host token (a SHA-256 lookup), or a password verified recently and
   * unchanged since.
   */
  async isCheap(username: string, password: string): Promise<boolean> {
    if (password.startsWith(TOKEN_PREFIX)) return true;
    const cached = this.cache.get(hmacHex(this.cacheKey, `${username}\0${password}`));
    if (!cached || cached.expiresAt <= this.options.now()) return false;
    return (await this.store.getUser(username))?.passwordHash === cached.passwordHash;
  }

  private async authenticateToken(username: string, secret: string): Promise<Principal | undefined> {
    const hash = sha256Hex(secret);
    const token = await this.store.findTokenBySecretHash(hash);
    if (!token || !digestsEqual(token.secretHash, hash)) return undefined;
    // Routers put either the account name or the host name in the username field.
    if (username !== token.username && username !== token.hostname) return undefined;
    // A token dies with its account: an account created later under the same name is someone else.
    const owner = await this.store.getUser(token.username);
    if (!owner || token.createdAt < owner.createdAt) return undefined;
    return { kind: 'token', username: token.username, hostname: token.hostname, tokenId: token.id };
  }

  private remember(key: string, entry: CacheEntry): void {
    if (this.cache.size >= this.options.cacheMaxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, entry);
  }

  /** A real hash to verify against when the user does not exist, so both paths cost the same. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.unknownUserHash !== undefined ? Promise.resolve(this.hasher.unknownUserHash) : this.hasher.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}
