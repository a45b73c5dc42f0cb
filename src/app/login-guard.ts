import type { LoginThrottle } from '../domain/throttle.js';
import type { Authenticator, Principal } from './authenticator.js';

export type LoginOutcome =
  | { readonly ok: true; readonly principal: Principal }
  /** `throttled`: refused without checking the password, the caller must wait `retryAfterMs`. */
  | { readonly ok: false; readonly result: 'badauth' | 'throttled'; readonly retryAfterMs: number };

/**
 * dyndns2 logins through the failure throttle (domain/throttle.ts): a
 * refused attempt never reaches Argon2, so a flood of wrong passwords cannot
 * spend the CPU that other users' logins need.
 */
export class LoginGuard {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly throttle: LoginThrottle,
    private readonly now: () => number,
  ) {}

  async login(username: string, password: string, source: string): Promise<LoginOutcome> {
    let decision = this.throttle.decide(username, source, this.now(), false);
    // Only a per-user wait yields to credentials verified before; asking costs a store read and an HMAC, so ask only then.
    if (!decision.allowed && decision.scope === 'user' && (await this.authenticator.isCheap(username, password))) decision = { allowed: true };
    if (!decision.allowed) return { ok: false, result: 'throttled', retryAfterMs: decision.retryAfterMs };
    const principal = await this.authenticator.authenticate(username, password);
    const now = this.now();
    if (principal) {
      this.throttle.succeeded(username, source, now);
      return { ok: true, principal };
    }
    this.throttle.failed(username, source, now);
    return { ok: false, result: 'badauth', retryAfterMs: 0 };
  }
}
