import { randomBytes } from 'node:crypto';
import type { Store } from '../ports/store.js';
import type { Accounts } from './accounts.js';
import type { LoginGuard } from './login-guard.js';
import { sha256Hex } from './secrets.js';

/** How long a web session lives: it ends after `idleMs` unused, and `absoluteMs` after sign-in whatever happens. */
export interface SessionPolicy {
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** A page view moves `lastSeenAt` only when it is at least this old, so reading pages is not a write each time. */
  readonly touchEveryMs: number;
}

const MINUTE = 60_000;
export const SESSION_POLICY: SessionPolicy = { idleMs: 60 * MINUTE, absoluteMs: 12 * 60 * MINUTE, touchEveryMs: MINUTE };

/** A session id as it travels in the cookie: 128 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export type SignInOutcome =
  | { readonly ok: true; readonly sessionId: string; readonly username: string }
  | { readonly ok: false; readonly result: 'badauth' | 'throttled'; readonly retryAfterMs: number };

export interface SignedIn {
  readonly username: string;
  readonly sessionId: string;
  /** Whether the user holds the admin role now (read with the session, so a demotion counts at once). */
  readonly admin: boolean;
}

export interface WebSessionsDeps {
  readonly store: Store;
  readonly loginGuard: LoginGuard;
  readonly accounts: Accounts;
  readonly now: () => number;
  readonly policy?: SessionPolicy;
}

/**
 * Sign-in to the web page: username and password through the same
 * LoginGuard (throttle, equal answer for unknown user and wrong password) as
 * dyndns2. Per-host tokens are refused here: they update one name, they do
 * not sign in.
 */
export class WebSessions {
  private readonly policy: SessionPolicy;

  constructor(private readonly deps: WebSessionsDeps) {
    this.policy = deps.policy ?? SESSION_POLICY;
  }

  async signIn(username: string, password: string, source: string): Promise<SignInOutcome> {
    const login = await this.deps.loginGuard.login(username, password, source);
    if (!login.ok) return login;
    if (login.principal.kind !== 'user') return { ok: false, result: 'badauth', retryAfterMs: 0 };
    await this.forgetExpired(username);
    const sessionId = randomBytes(16).toString('base64url');
    const now = this.deps.now();
    await this.deps.store.createSession({ idHash: sha256Hex(sessionId), username, createdAt: now, lastSeenAt: now });
    return { ok: true, sessionId, username };
  }

  /** The signed-in user of a cookie's session id, or undefined when it is unknown, expired or its user is gone. */
  async resume(sessionId: string): Promise<SignedIn | undefined> {
    if (!SESSION_ID.test(sessionId)) return undefined;
    const idHash = sha256Hex(sessionId);
    const session = await this.deps.store.getSession(idHash);
    if (!session) return undefined;
    const now = this.deps.now();
    const user = await this.deps.store.getUser(session.username);
    // An account deleted and created again under the same name is someone else.
    if (this.expired(session, now) || !user || user.createdAt > session.createdAt) {
      await this.deps.store.deleteSession(idHash);
      return undefined;
    }
    if (now - session.lastSeenAt >= this.policy.touchEveryMs) await this.deps.store.touchSession(idHash, now);
    return { username: session.username, sessionId, admin: user.admin };
  }

  async signOut(sessionId: string): Promise<void> {
    if (SESSION_ID.test(sessionId)) await this.deps.store.deleteSession(sha256Hex(sessionId));
  }

  /**
   * Changes the signed-in user's password after checking the current one
   * (through the throttle), then ends every other session of the user; the
   * one that asked stays signed in.
   */
  async changePassword(who: SignedIn, current: string, next: string, source: string): Promise<'changed' | 'badauth' | 'throttled'> {
    const login = await this.deps.loginGuard.login(who.username, current, source);
    if (!login.ok) return login.result;
    if (login.principal.kind !== 'user') return 'badauth';
    await this.deps.accounts.setPassword(who.username, next);
    const keep = sha256Hex(who.sessionId);
    for (const session of await this.deps.store.listSessions(who.username)) {
      if (session.idHash !== keep) await this.deps.store.deleteSession(session.idHash);
    }
    return 'changed';
  }

  /** A per-session token for forms, derived from the secret id (not the id itself, which stays in its HttpOnly cookie). */
  formToken(who: SignedIn): string {
    return sha256Hex(`form\0${who.sessionId}`);
  }

  private expired(session: { createdAt: number; lastSeenAt: number }, now: number): boolean {
    return now - session.lastSeenAt >= this.policy.idleMs || now - session.createdAt >= this.policy.absoluteMs;
  }

  /** Sessions that were never signed out would pile up; each sign-in clears the user's expired ones. */
  private async forgetExpired(username: string): Promise<void> {
    const now = this.deps.now();
    for (const session of await this.deps.store.listSessions(username)) {
      if (this.expired(session, now)) await this.deps.store.deleteSession(session.idHash);
    }
  }
}
