/**
 * The instance-registry contract: memory, SQLite and DynamoDB (dynalite) all
 * run this suite. `make` returns a fresh, empty registry.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import type { InstanceRecord, InstanceRegistration } from '../../src/domain/instances/types.js';
import type { InstanceRegistry } from '../../src/ports/instance-registry.js';

const a = (name: string, value: string, zoneId = 'Z1PRIVATE'): InstanceRecord => ({ zoneId, zoneName: 'corp.example', name, type: 'A', ttl: 60, values: [value] });
const reg = (instanceId: string, records: InstanceRecord[], version = 1, over: Partial<InstanceRegistration> = {}): InstanceRegistration => ({
  instanceId,
  state: 'running',
  lastEventAt: 1_714_557_600_000,
  records,
  version,
  updatedAt: 1_714_557_601_000,
  ...over,
});
const sorted = (r: InstanceRegistration | undefined) => r && { ...r, records: [...r.records].sort((x, y) => (`${x.zoneId}${x.name}${x.type}` < `${y.zoneId}${y.name}${y.type}` ? -1 : 1)) };

export function registryContract(name: string, make: () => Promise<InstanceRegistry>): void {
  describe(`InstanceRegistry contract: ${name}`, () => {
    let r: InstanceRegistry;
    beforeEach(async () => {
      r = await make();
    });

    it('stores typed records per instance and reads them back', async () => {
      const records = [a('web.corp.example', '10.0.1.5'), { zoneId: 'Z2REV', zoneName: '1.0.10.in-addr.arpa', name: '5.1.0.10.in-addr.arpa', type: 'PTR' as const, ttl: 60, values: ['web.corp.example.'] }];
      await r.put(reg('i-1', records), null);
      expect(sorted(await r.get('i-1'))).toEqual(sorted(reg('i-1', records)));
      expect(await r.get('i-2')).toBeUndefined();
      expect(await r.ownerOf({ zoneId: 'Z1PRIVATE', name: 'web.corp.example', type: 'A' })).toBe('i-1');
      expect(await r.ownerOf({ zoneId: 'Z1PUBLIC', name: 'web.corp.example', type: 'A' })).toBeUndefined(); // split horizon: another zone
      expect(await r.ownerOf({ zoneId: 'Z1PRIVATE', name: 'web.corp.example', type: 'AAAA' })).toBeUndefined();
    });

    it('writes conditionally on the version', async () => {
      await r.put(reg('i-1', []), null);
      await expect(r.put(reg('i-1', []), null)).rejects.toBeInstanceOf(ConflictError);
      await expect(r.put(reg('i-1', [], 3), 2)).rejects.toBeInstanceOf(ConflictError);
      await r.put(reg('i-1', [a('x.corp.example', '10.0.0.1')], 2, { state: 'stopped' }), 1);
      expect(await r.get('i-1')).toMatchObject({ version: 2, state: 'stopped' });
      await expect(r.put(reg('i-1', [], 3), 1)).rejects.toBeInstanceOf(ConflictError);
      expect((await r.get('i-1'))?.records).toHaveLength(1); // the refused write changed nothing
    });

    it('one of two racing writers of one version wins', async () => {
      await r.put(reg('i-1', []), null);
      const results = await Promise.allSettled([r.put(reg('i-1', [a('a.corp.example', '10.0.0.1')], 2), 1), r.put(reg('i-1', [a('b.corp.example', '10.0.0.2')], 2), 1)]);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    });

    it('dropping a record releases it; a replacement that took it over keeps it', async () => {
      const web = a('web.corp.example', '10.0.1.5');
      await r.put(reg('i-old', [web, a('old.corp.example', '10.0.1.5')]), null);
      await r.put(reg('i-new', [a('web.corp.example', '10.0.1.6')]), null);
      expect(await r.ownerOf(web)).toBe('i-new');
      await r.put(reg('i-old', [], 2, { state: 'terminated' }), 1);
      expect(await r.ownerOf(web)).toBe('i-new');
      expect(await r.ownerOf(a('old.corp.example', ''))).toBeUndefined();
      await r.put(reg('i-new', [], 2, { state: 'stopped' }), 1);
      expect(await r.ownerOf(web)).toBeUndefined();
    });

    it('lists every registration, tombstones included', async () => {
      await r.put(reg('i-b', [a('b.corp.example', '10.0.0.2')]), null);
      await r.put(reg('i-a', [], 1, { state: 'terminated' }), null);
      expect((await r.list()).map((x) => [x.instanceId, x.state, x.records.length])).toEqual([
        ['i-a', 'terminated', 0],
        ['i-b', 'running', 1],
      ]);
    });
  });
}
