/**
 * Update-abuse detection, pure: sliding windows per host over the times of
 * update attempts and of `nochg` answers. The caller persists blocks.
 */
export interface AbusePolicy {
  readonly windowMs: number;
  /** Update attempts for one host within the window before it is blocked (0 = no limit). */
  readonly maxUpdates: number;
  /** `nochg` answers for one host within the window before it is blocked (0 = no limit). */
  readonly maxNochg: number;
}

export type AbuseReason = 'rate' | 'nochg';

interface Window {
  attempts: number[];
  nochg: number[];
}

const MAX_TRACKED_HOSTS = 100_000;

export class AbuseTracker {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly policy: AbusePolicy) {}

  /** Records an update attempt; returns 'rate' when it exceeds the limit. */
  attempt(host: string, now: number): AbuseReason | undefined {
    return record(this.window(host, now).attempts, now, this.policy.maxUpdates) ? 'rate' : undefined;
  }

  /** Records a `nochg` answer; returns 'nochg' when repeated too often. */
  nochg(host: string, now: number): AbuseReason | undefined {
    return record(this.window(host, now).nochg, now, this.policy.maxNochg) ? 'nochg' : undefined;
  }

  /** Forgets a host's history (after an admin unblocks it). */
  reset(host: string): void {
    this.windows.delete(host);
  }

  private window(host: string, now: number): Window {
    const since = now - this.policy.windowMs;
    let w = this.windows.get(host);
    if (!w) {
      if (this.windows.size >= MAX_TRACKED_HOSTS) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      w = { attempts: [], nochg: [] };
      this.windows.set(host, w);
    }
    w.attempts = w.attempts.filter((t) => t > since);
    w.nochg = w.nochg.filter((t) => t > since);
    return w;
  }
}

/**
 * Adds a time and tells whether the window now holds more than `max`. Only the
 * newest `max + 1` times are kept (nothing when 0 = no limit): without the cap
 * a host that is never blocked (a disabled or very high limit) grows its
 * window without bound and every update pays a scan of all of it.
 */
function record(times: number[], now: number, max: number): boolean {
  if (max <= 0) return false;
  times.push(now);
  if (times.length > max + 1) times.splice(0, times.length - (max + 1));
  return times.length > max;
}
