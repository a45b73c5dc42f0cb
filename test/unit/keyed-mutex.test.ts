/** KeyedMutex: per-key serialisation, re-entrant only for the work that holds the key. */
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/app/keyed-mutex.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedMutex', () => {
  it('serialises work per key and lets other keys run alongside', async () => {
    const locks = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, label: string) =>
      locks.run(key, async () => {
        log.push(`${label}+`);
        await tick();
        log.push(`${label}-`);
      });
    await Promise.all([job('a', 'a1'), job('a', 'a2'), job('b', 'b1')]);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });

  it('is re-entrant for the holder: asking again for a held key does not wait on itself', async () => {
    const locks = new KeyedMutex();
    const inner = await locks.run('a', () => locks.run('b', () => locks.run('a', async () => 'nested')));
    expect(inner).toBe('nested');
  });

  it('a task started inside a hold that asks after the holder finished waits for the next holder', async () => {
    const locks = new KeyedMutex();
    const log: string[] = [];
    let later: Promise<void> | undefined;
    await locks.run('a', async () => {
      // e.g. a resync after an outage, scheduled by a failed publish
      later = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => locks.run('a', async () => void log.push('background')));
    });
    const next = locks.run('a', async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      log.push('next holder');
    });
    await Promise.all([later, next]);
    expect(log).toEqual(['next holder', 'background']);
  });
});
