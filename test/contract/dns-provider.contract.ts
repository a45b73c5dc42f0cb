/**
 * The DNS provider contract: every DnsProvider adapter runs this same suite
 * (built-in server, memory fake, Route 53 against its strict fake, RFC 2136
 * against real servers). `setup` returns a provider with one writable zone
 * that holds none of the names used here, and `addForeign`, which writes a
 * set behind Signpost's back (straight into the backend where the provider
 * is exclusive).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_CHANGES, isEmpty, plan, type Changes } from '../../src/domain/plan.js';
import { rrsetKey, type RRSet } from '../../src/domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../src/ports/dns-provider.js';

export interface DnsProviderWorld {
  readonly provider: DnsProvider;
  readonly zone: ZoneRef;
  addForeign(set: RRSet): Promise<void>;
  cleanup(): Promise<void>;
  /** Where the backend can be made to fail: the next apply meets an outage. */
  failNext?(): void;
}

export function describeDnsProviderContract(name: string, setup: () => Promise<DnsProviderWorld>): void {
  describe(`DnsProvider contract: ${name}`, () => {
    let w: DnsProviderWorld;
    let at: (label: string) => string;
    const a = (n: string, value: string, ttl = 60): RRSet => ({ name: n, type: 'A', ttl, values: [value] });
    const create = (...sets: RRSet[]): Changes => ({ ...NO_CHANGES, create: sets });
    /** The sets at the names this suite uses (a shared backend holds others too). */
    const ours = async (...names: string[]) =>
      (await w.provider.records(w.zone))
        .filter((r) => names.includes(r.name))
        .map((r) => `${r.name} ${r.type} ${r.ttl} ${[...r.values].sort().join(',')}`)
        .sort();

    beforeEach(async () => {
      w = await setup();
      at = (label) => `${label}.${w.zone.name}`;
    });
    afterEach(async () => w.cleanup());

    it('lists the zone among its writable zones', async () => {
      expect((await w.provider.zones()).map((z) => z.id)).toContain(w.zone.id);
    });

    it('creates, updates and deletes a set, and reads back exactly what it wrote', async () => {
      const v1 = a(at('round'), '192.0.2.1');
      await w.provider.apply(w.zone, create(v1));
      expect(await ours(v1.name)).toEqual([`${v1.name} A 60 192.0.2.1`]);
      const v2 = { ...v1, ttl: 120, values: ['192.0.2.2'] };
      await w.provider.apply(w.zone, { ...NO_CHANGES, update: [{ from: v1, to: v2 }] });
      expect(await ours(v1.name)).toEqual([`${v1.name} A 120 192.0.2.2`]);
      await w.provider.apply(w.zone, { ...NO_CHANGES, delete: [v2] });
      expect(await ours(v1.name)).toEqual([]);
    });

    it('never clobbers: creating over an existing set, or updating/deleting with the wrong values, is refused and changes nothing', async () => {
      const theirs = a(at('foreign'), '198.51.100.1');
      await w.addForeign(theirs);
      const attempts: Changes[] = [
        create(a(theirs.name, '192.0.2.1')),
        { ...NO_CHANGES, update: [{ from: a(theirs.name, '192.0.2.9'), to: a(theirs.name, '192.0.2.1') }] },
        { ...NO_CHANGES, delete: [a(theirs.name, '192.0.2.9')] },
        { ...NO_CHANGES, delete: [a(at('missing'), '192.0.2.9')] },
      ];
      for (const changes of attempts) await expect(w.provider.apply(w.zone, changes)).rejects.toMatchObject({ name: 'PublishError', kind: 'refused' });
      expect(await ours(theirs.name, at('missing'))).toEqual([`${theirs.name} A 60 198.51.100.1`]);
    });

    it('is atomic: a plan with one refused change applies nothing', async () => {
      const theirs = a(at('taken'), '198.51.100.2');
      await w.addForeign(theirs);
      const plan1 = create(a(at('one'), '192.0.2.1'), a(at('two'), '192.0.2.2'), a(theirs.name, '192.0.2.3'));
      await expect(w.provider.apply(w.zone, plan1)).rejects.toBeInstanceOf(PublishError);
      expect(await ours(at('one'), at('two'), theirs.name)).toEqual([`${theirs.name} A 60 198.51.100.2`]);
    });

    it('is idempotent: a plan recomputed from records() after applying is empty', async () => {
      const names = [at('idem1'), at('idem2')];
      const desired: RRSet[] = [a(names[0]!, '192.0.2.1'), { name: names[1]!, type: 'AAAA', ttl: 60, values: ['2001:db8::1'] }];
      const current = async () => (await w.provider.records(w.zone)).filter((r) => names.includes(r.name));
      await w.provider.apply(w.zone, plan(await current(), desired));
      const again = plan(await current(), desired);
      expect(isEmpty(again)).toBe(true);
      await w.provider.apply(w.zone, again); // an empty plan is harmless
      expect(await ours(...names)).toHaveLength(2);
    });

    it('says refused for what will never apply (not unavailable)', async () => {
      const error = await w.provider.apply(w.zone, { ...NO_CHANGES, delete: [a(at('never'), '192.0.2.1')] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect((error as PublishError).kind).toBe('refused');
    });

    it('says unavailable for an outage, and the plan is not half-applied', async () => {
      if (!w.failNext) return; // a backend with no way to fake an outage here (its interop tests pause the real server)
      w.failNext();
      const sets = [a(at('out1'), '192.0.2.1'), a(at('out2'), '192.0.2.2')];
      await expect(w.provider.apply(w.zone, create(...sets))).rejects.toMatchObject({ name: 'PublishError', kind: 'unavailable' });
      expect(await ours(at('out1'), at('out2'))).toEqual([]);
      await w.provider.apply(w.zone, create(...sets));
      expect(await ours(at('out1'), at('out2'))).toHaveLength(2);
    });

    it('keeps several values per set: TXT with three, MX with two', async () => {
      const txt: RRSet = { name: at('multi'), type: 'TXT', ttl: 60, values: ['"one"', '"two"', '"three"'] };
      const mx: RRSet = { name: at('multi'), type: 'MX', ttl: 60, values: [`10 mx1.${w.zone.name}.`, `20 mx2.${w.zone.name}.`] };
      await w.provider.apply(w.zone, create(txt, mx));
      const found = new Map((await w.provider.records(w.zone)).map((r) => [rrsetKey(r), r]));
      expect([...(found.get(rrsetKey(txt))?.values ?? [])].sort()).toEqual([...txt.values].sort());
      expect([...(found.get(rrsetKey(mx))?.values ?? [])].sort()).toEqual([...mx.values].sort());
      // An update of one value is exact: from must carry all three.
      await expect(w.provider.apply(w.zone, { ...NO_CHANGES, update: [{ from: { ...txt, values: ['"one"'] }, to: { ...txt, values: ['"four"'] } }] })).rejects.toMatchObject({ kind: 'refused' });
      await w.provider.apply(w.zone, { ...NO_CHANGES, update: [{ from: txt, to: { ...txt, values: ['"four"'] } }], delete: [mx] });
      expect(await ours(at('multi'))).toEqual([`${at('multi')} TXT 60 "four"`]);
    });
  });
}
