/**
 * Throttling of failed logins, pure: the caller passes the time. A key (a
 * source address, a user name) may fail `freeFailures` times; every failure
 * after that doubles how long it must wait before the next try, from
 * `baseDelayMs` up to `maxDelayMs`. A key that stays quiet for
 * `forgetAfterMs` starts over. At most `maxKeys` keys are tracked, least
 * recently failed dropped first, so a flood of fresh keys costs bounded memory.
 */
export interface BackoffPolicy {
  readonly freeFailures: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly forgetAfterMs: number;
  readonly maxKeys: number;
}

interface Failures {
  count: number;
  last: number;
  until: number;
}

export class Backoff {
  private readonly keys = new Map<string, Failures>();

  constructor(readonly policy: BackoffPolicy) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfter(key: string, now: number): number {
    const entry = this.current(key, now);
    return entry ? Math.max(0, entry.until - now) : 0;
  }

  /** Records a failure; returns the new wait in milliseconds. */
  fail(key: string, now: number): number {
    const entry = this.current(key, now) ?? { count: 0, last: now, until: now };
    entry.count++;
    entry.last = now;
    const over = entry.count - this.policy.freeFailures;
    if (over >= 0) {
      const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** Math.min(over, 40));
      entry.until = Math.max(entry.until, now + delay);
    }
    this.keys.delete(key); // re-insert: Map order is the recency order
    if (this.keys.size >= this.policy.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    this.keys.set(key, entry);
    return Math.max(0, entry.until - now);
  }

  clear(key: string): void {
    this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.keys.get(key);
    if (entry && now - entry.last >= this.policy.forgetAfterMs && now >= entry.until) {
      this.keys.delete(key);
      return undefined;
    }
    return entry;
  }
}

export interface LoginThrottlePolicy {
  /** Failures from one address: past the free ones, the address is refused until its wait is over. */
  readonly source: BackoffPolicy;
  /** Failures for one user name, from anywhere. */
  readonly user: BackoffPolicy;
  /** How many (user, address) pairs that logged in successfully are remembered. */
  readonly maxTrustedPairs: number;
  readonly trustForMs: number;
}

export type LoginDecision = { readonly allowed: true } | { readonly allowed: false; readonly scope: 'source' | 'user'; readonly retryAfterMs: number };

/**
 * Who may try a password now. An address that keeps failing is refused
 * outright (whatever the user). A user name that keeps failing — possibly
 * guessed from many addresses — is refused only for attempts that would
 * cost a password hash and come from an address that user has not logged in
 * from recently: a credential the caller already verified (cached), or an
 * address the user succeeded from, still gets through, so an attacker
 * elsewhere cannot lock the owner out of a router that keeps updating.
 */
export class LoginThrottle {
  readonly sources: Backoff;
  readonly users: Backoff;
  private readonly trusted = new Map<string, number>();

  constructor(private readonly policy: LoginThrottlePolicy) {
    this.sources = new Backoff(policy.source);
    this.users = new Backoff(policy.user);
  }

  decide(user: string, source: string, now: number, verifiedBefore: boolean): LoginDecision {
    const sourceWait = this.sources.retryAfter(source, now);
    if (sourceWait > 0) return { allowed: false, scope: 'source', retryAfterMs: sourceWait };
    if (verifiedBefore) return { allowed: true };
    const userWait = this.users.retryAfter(user, now);
    if (userWait > 0 && !this.isTrusted(user, source, now)) return { allowed: false, scope: 'user', retryAfterMs: userWait };
    return { allowed: true };
  }

  failed(user: string, source: string, now: number): void {
    this.sources.fail(source, now);
    this.users.fail(user, now);
  }

  /**
   * Only the owner knows the password, so a success clears the user's count;
   * the address's count stays, or one valid account would let its holder
   * wipe the record of their guesses at other users.
   */
  succeeded(user: string, source: string, now: number): void {
    this.users.clear(user);
    const pair = pairKey(user, source);
    this.trusted.delete(pair);
    if (this.trusted.size >= this.policy.maxTrustedPairs) {
      const oldest = this.trusted.keys().next().value;
      if (oldest !== undefined) this.trusted.delete(oldest);
    }
    this.trusted.set(pair, now + this.policy.trustForMs);
  }

  private isTrusted(user: string, source: string, now: number): boolean {
    const until = this.trusted.get(pairKey(user, source));
    return until !== undefined && until > now;
  }
}

const pairKey = (user: string, source: string) => `${user}\0${source}`;
