import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { KeyGuard } from '../../app/key-guard.js';
import { ThrottledError } from '../../domain/errors.js';
import { MAX_CLIENT_TOKEN_LENGTH, clip } from '../../domain/text.js';
import type { Metrics } from '../observability/metrics.js';

/** Which door a login came through, in the failed-login log line and the throttle metric. */
export type Door = 'dyndns2' | 'web' | 'admin' | 'events' | 'acme-dns' | 'httpreq';

/**
 * The one warning line per failed login, for fail2ban (README, "Operations"),
 * and its count by door and result. `source` comes last of the fields so a
 * hostile user name — JSON-escaped before it — can never pass for it. Never
 * the password.
 */
export function logFailedLogin(deps: { logger: Logger; metrics: Metrics }, door: Door, user: string | undefined, source: string, result: string): void {
  deps.metrics.loginFailed(door, result);
  deps.logger.warn({ door, ...(user !== undefined ? { user: clip(user, MAX_CLIENT_TOKEN_LENGTH) } : {}), source: clip(source, MAX_CLIENT_TOKEN_LENGTH), result }, 'login failed');
}

export type KeyCheck = (c: Context, door: Door, valid: () => boolean, message: string) => void;

/** Checks an API key through the guard, logging each failure and counting throttled ones. */
export function keyCheck(guard: KeyGuard, deps: { logger: Logger; metrics: Metrics }, clientAddress: (c: Context) => string | undefined): KeyCheck {
  return (c, door, valid, message) => {
    const source = clientAddress(c) ?? 'unknown';
    try {
      guard.check(source, valid, message);
    } catch (error) {
      const throttled = error instanceof ThrottledError;
      if (throttled) deps.metrics.loginsThrottled.inc({ door });
      logFailedLogin(deps, door, undefined, source, throttled ? 'throttled' : 'admin_key_invalid');
      throw error;
    }
  };
}
