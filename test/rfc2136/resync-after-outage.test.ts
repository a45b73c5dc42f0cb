/**
 * ResyncAfterOutage: an `unavailable` failure schedules a reconcile, retried
 * with growing delays until one completes without another outage; refusals
 * schedule nothing; calls pass through unchanged.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResyncAfterOutage } from '../../src/app/resync-after-outage.js';
import { NO_CHANGES } from '../../src/domain/plan.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../src/ports/dns-provider.js';

const ZONE: ZoneRef = { id: 'z', name: 'dyn.example.test', private: false };
const A = { name: 'h.dyn.example.test', type: 'A' as const, ttl: 60, values: ['192.0.2.1'] };

/** A provider stub whose next answers are scripted: 'ok', 'down' (unavailable) or 'no' (refused). */
function stub(script: ('ok' | 'down' | 'no')[]): DnsProvider & { calls: number } {
  const next = async () => {
    s.calls++;
    const step = script.shift() ?? 'ok';
    if (step === 'down') throw new PublishError('unavailable', 'server down');
    if (step === 'no') throw new PublishError('refused', 'prerequisite failed');
  };
  const s = {
    calls: 0,
    exclusive: false,
    zones: async () => [ZONE],
    records: async () => (await next(), [A]),
    apply: async () => next(),
  };
  return s;
}

describe('ResyncAfterOutage', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes results and refusals through without scheduling anything', async () => {
    const reconcile = vi.fn(async () => 0);
    const p = new ResyncAfterOutage(stub(['ok', 'no']), { reconcile });
    expect(await p.records(ZONE)).toEqual([A]);
    await expect(p.apply(ZONE, NO_CHANGES)).rejects.toMatchObject({ kind: 'refused' });
    expect(p.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reconcile).not.toHaveBeenCalled();
    expect(p.exclusive).toBe(false);
  });

  it('reconciles after an outage, retrying with doubling delays until a reconcile meets no outage', async () => {
    const inner = stub(['down', 'down']);
    const times: number[] = [];
    const start = Date.now();
    let p!: ResyncAfterOutage;
    // The reconcile reads through the decorator: the first two meet the outage (one rejects, one only sees a failed apply).
    const outcomes = ['records-down', 'apply-down', 'ok'];
    const reconcile = vi.fn(async () => {
      times.push(Date.now() - start);
      const step = outcomes.shift();
      if (step === 'records-down') {
        inner.records = async () => Promise.reject(new PublishError('unavailable', 'still down'));
        await p.records(ZONE);
      } else if (step === 'apply-down') {
        inner.records = async () => [A];
        inner.apply = async () => Promise.reject(new PublishError('unavailable', 'timed out'));
        await p.apply(ZONE, NO_CHANGES).catch(() => undefined); // the Reconciler logs apply failures and goes on
      } else inner.apply = async () => undefined;
    });
    const recovered = vi.fn();
    p = new ResyncAfterOutage(inner, { reconcile, initialDelayMs: 100, maxDelayMs: 250, onRecovered: recovered, onError: () => undefined });
    await expect(p.apply(ZONE, NO_CHANGES)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(p.pending).toBe(true);
    // More outages while one is scheduled do not schedule more.
    await expect(p.apply(ZONE, NO_CHANGES)).rejects.toMatchObject({ kind: 'unavailable' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(times).toEqual([100, 300, 550]); // 100, then 200, then 250 (capped)
    expect(recovered).toHaveBeenCalledOnce();
    expect(p.pending).toBe(false);
  });

  it('stops scheduling when closed', async () => {
    const reconcile = vi.fn(async () => 0);
    const p = new ResyncAfterOutage(stub(['down']), { reconcile, initialDelayMs: 100 });
    await expect(p.records(ZONE)).rejects.toBeInstanceOf(PublishError);
    p.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reconcile).not.toHaveBeenCalled();
  });
});
