import { describe, expect, it } from 'vitest';
import { nextCheckDelay, renewalDue, retryDelay, type RenewalPolicy } from '../../src/domain/certificate-renewal.js';

const DAY = 86_400_000;
const policy: RenewalPolicy = { renewBeforeMs: 30 * DAY, retryMinMs: 60_000, retryMaxMs: 3_600_000 };

describe('certificate renewal timing', () => {
  it('renews when there is no certificate or fewer than 30 days remain', () => {
    expect(renewalDue(undefined, 0, policy)).toBe(true);
    expect(renewalDue(31 * DAY, 0, policy)).toBe(false);
    expect(renewalDue(30 * DAY, 0, policy)).toBe(true);
    expect(renewalDue(-DAY, 0, policy)).toBe(true); // expired
  });

  it('retries after a failure with a doubling delay capped at an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => retryDelay(n, policy) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('looks again at the renewal time, at least hourly, and never in a tight loop', () => {
    expect(nextCheckDelay(30 * DAY + 5000, 0, policy)).toBe(5000);
    expect(nextCheckDelay(90 * DAY, 0, policy)).toBe(3_600_000);
    // A CA issuing certificates shorter than the window: already due on arrival, so wait the first retry delay.
    expect(nextCheckDelay(7 * DAY, 0, policy)).toBe(60_000);
  });
});
