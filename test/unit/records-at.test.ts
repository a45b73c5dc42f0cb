/** Per-name reads (`recordsAt`) of the built-in and in-memory providers and the decorators around them. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { CombinedDnsProvider } from '../../src/adapters/dns/combined.js';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { MirroredDnsProvider } from '../../src/adapters/dns/mirrored.js';
import { plan } from '../../src/domain/plan.js';
import type { RRSet } from '../../src/domain/records.js';
import type { DnsProvider } from '../../src/ports/dns-provider.js';
import { dnsEnv, ZONE } from '../dns/support.js';
import { zoneNamed } from '../support/zones.js';

const HOME = `home.${ZONE}`;
const a = (name: string, ip: string): RRSet => ({ name, type: 'A', ttl: 60, values: [ip] });
const txt = (name: string, ...values: string[]): RRSet => ({ name, type: 'TXT', ttl: 60, values });

async function exercise(provider: DnsProvider): Promise<void> {
  const zone = await zoneNamed(provider, ZONE);
  expect(await provider.recordsAt!(zone, HOME)).toEqual([]);
  await provider.apply(zone, plan([], [a(HOME, '192.0.2.1'), txt(`_acme-challenge.${HOME}`, '"x"'), a(`other.${ZONE}`, '192.0.2.2')]));
  expect(await provider.recordsAt!(zone, HOME)).toEqual([a(HOME, '192.0.2.1')]);
  expect(await provider.recordsAt!(zone, `_acme-challenge.${HOME}`)).toEqual([txt(`_acme-challenge.${HOME}`, '"x"')]);
  await provider.apply(zone, plan([a(HOME, '192.0.2.1')], []));
  expect(await provider.recordsAt!(zone, HOME)).toEqual([]);
}

describe('recordsAt', () => {
  it('the in-memory provider answers the sets at one name', async () => {
    await exercise(new MemoryDnsProvider([ZONE]));
  });

  it('the built-in publisher answers from the live snapshot, managed sets only (no SOA, NS or glue)', async () => {
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 1 });
    await exercise(publisher);
    const zone = await zoneNamed(publisher, ZONE);
    expect(await publisher.recordsAt(zone, ZONE)).toEqual([]); // apex SOA/NS come from configuration
    expect(await publisher.recordsAt(zone, `ns1.${ZONE}`)).toEqual([]); // glue
    expect(await publisher.recordsAt(zone, 'outside.example')).toEqual([]);
  });

  it('the mirrored and combined decorators pass it through to the provider that holds the zone', async () => {
    const primary = new MemoryDnsProvider([ZONE]);
    const mirror = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 1 });
    await exercise(new MirroredDnsProvider(primary, mirror, pino({ level: 'silent' })));
    await exercise(new CombinedDnsProvider([new MemoryDnsProvider(['other.test']), new MemoryDnsProvider([ZONE])]));
  });
});
