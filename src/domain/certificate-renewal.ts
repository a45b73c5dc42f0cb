/**
 * When the server's own certificate is renewed: a while before it expires
 * (Let's Encrypt suggests 30 days), and after a failure again with a delay
 * that doubles up to a cap, so a CA outage is neither hammered nor waited
 * out for days. Pure: times are milliseconds since the epoch.
 */

export interface RenewalPolicy {
  /** Renew once fewer than this many milliseconds of validity remain. */
  readonly renewBeforeMs: number;
  /** The first retry after a failure ... */
  readonly retryMinMs: number;
  /** ... doubling up to this. */
  readonly retryMaxMs: number;
}

export const DEFAULT_RETRY_MIN_MS = 60_000;
export const DEFAULT_RETRY_MAX_MS = 3_600_000;

/** Whether a certificate expiring at `notAfter` (undefined: there is none) must be renewed at `now`. */
export function renewalDue(notAfter: number | undefined, now: number, policy: RenewalPolicy): boolean {
  return notAfter === undefined || notAfter - now <= policy.renewBeforeMs;
}

/** Milliseconds to wait after `failures` failed attempts in a row (1 = the first failure). */
export function retryDelay(failures: number, policy: RenewalPolicy): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.retryMaxMs, policy.retryMinMs * 2 ** exponent);
}

/**
 * Milliseconds until the next look at a certificate that is not failing:
 * its renewal time, looked at again at least every `retryMaxMs` (timers
 * drift, clocks jump; a look costs no request). One already due when it
 * arrives (a CA issuing certificates shorter than the renewal window) waits
 * the first retry delay instead of asking again in a tight loop.
 */
export function nextCheckDelay(notAfter: number, now: number, policy: RenewalPolicy): number {
  const untilDue = notAfter - policy.renewBeforeMs - now;
  return untilDue > 0 ? Math.min(untilDue, policy.retryMaxMs) : policy.retryMinMs;
}
