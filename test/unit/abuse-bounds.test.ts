import { describe, expect, it } from 'vitest';
import { AbuseTracker } from '../../src/domain/abuse.js';

/** Regression: the windows of a host that is never blocked must not grow with every update. */
describe('abuse windows stay bounded', () => {
  const sizes = (tracker: AbuseTracker) => {
    const hosts = (tracker as unknown as { hosts: Map<string, { changes: number[] }> }).hosts;
    return { attempts: hosts.get('h')?.changes.length ?? 0 };
  };

  it('keeps nothing when the limits are disabled (0)', () => {
    const tracker = new AbuseTracker({ windowMs: 3_600_000, maxUpdates: 0, maxNochg: 0, nochgIntervalMs: 60_000, blockMs: 0 });
    for (let i = 0; i < 10_000; i++) {
      tracker.attempt('h', i);
      tracker.nochg('h', i);
    }
    expect(sizes(tracker)).toEqual({ attempts: 0 });
  });

  it('keeps at most limit + 1 times and still flags every attempt past the limit', () => {
    const tracker = new AbuseTracker({ windowMs: 3_600_000, maxUpdates: 5, maxNochg: 3, nochgIntervalMs: 60_000, blockMs: 0 });
    const flagged: number[] = [];
    for (let i = 0; i < 1000; i++) if (tracker.attempt('h', i)) flagged.push(i);
    expect(flagged).toHaveLength(995);
    expect(flagged[0]).toBe(5);
    for (let i = 0; i < 1000; i++) tracker.nochg('h', i);
    expect(sizes(tracker)).toEqual({ attempts: 6 });
  });
});
