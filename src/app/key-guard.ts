import { SignpostError, ThrottledError } from '../domain/errors.js';
import type { Backoff } from '../domain/throttle.js';

/**
 * API key checks (admin key, instance-event key) with a per-address failure
 * backoff. While an address is backed off even the right key is refused:
 * answering it would tell a guesser which of their throttled guesses was right.
 */
export class KeyGuard {
  constructor(
    private readonly backoff: Backoff,
    private readonly now: () => number,
  ) {}

  /** Throws `ThrottledError` (too_many_attempts) while `source` is backed off, `admin_key_invalid` when `valid()` says no. */
  check(source: string, valid: () => boolean, message: string): void {
    const now = this.now();
    const wait = this.backoff.retryAfter(source, now);
    if (wait > 0) throw new ThrottledError(Math.ceil(wait / 1000));
    if (valid()) return;
    this.backoff.fail(source, now);
    throw new SignpostError('admin_key_invalid', message);
  }
}
