/**
 * The provider contract for Rfc2136Provider against real primaries (BIND 9,
 * Knot DNS, PowerDNS), each started once for the file; every case starts
 * from a zone emptied to SOA + NS through the key. Someone else's records
 * are written with nsupdate. An outage is a provider whose next apply goes
 * to a port nobody answers on.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { Rfc2136Provider } from '../../src/adapters/dns/rfc2136/provider.js';
import type { DnsProvider } from '../../src/ports/dns-provider.js';
import { freeDnsPort, PRIMARY_KINDS, PRIMARY_NAMES, requirePrimary, startPrimary, type Primary, type PrimaryKind, type TsigAlgorithm } from '../support/primaries.js';
import { describeDnsProviderContract } from './dns-provider.contract.js';

const ZONE = 'dyn.example.test';
const ALGORITHMS: Record<PrimaryKind, TsigAlgorithm> = { bind: 'hmac-sha512', knot: 'hmac-sha256', pdns: 'hmac-sha256' };

function providerFor(primary: Primary, port = primary.port, options: { timeoutMs?: number; retries?: number } = {}): Rfc2136Provider {
  return new Rfc2136Provider({
    zones: [{ name: ZONE, server: { host: '127.0.0.1', port }, key: { name: primary.key.name, algorithm: primary.key.algorithm, secret: Buffer.from(primary.key.secretBase64, 'base64') } }],
    ...options,
  });
}

for (const kind of PRIMARY_KINDS) {
  describe.skipIf(!requirePrimary(kind).available)(`RFC 2136 to ${PRIMARY_NAMES[kind]}`, () => {
    let primary: Primary;
    let deadPort = 0;
    beforeAll(async () => {
      primary = await startPrimary(kind, { zone: ZONE, algorithm: ALGORITHMS[kind] });
      deadPort = await freeDnsPort();
    });
    afterAll(async () => {
      await primary?.stop();
    });

    describeDnsProviderContract(`rfc2136 (${PRIMARY_NAMES[kind]}, ${ALGORITHMS[kind]})`, async () => {
      await primary.emptyZone();
      const real = providerFor(primary);
      // Nothing listens on deadPort: one quick try there is an outage as the adapter sees one.
      const unreachable = providerFor(primary, deadPort, { timeoutMs: 300, retries: 0 });
      let failNext = false;
      const provider: DnsProvider = {
        exclusive: real.exclusive,
        zones: () => real.zones(),
        records: (zone) => real.records(zone),
        apply: (zone, changes) => {
          const target = failNext ? unreachable : real;
          failNext = false;
          return target.apply(zone, changes);
        },
      };
      const [zone] = await real.zones();
      return {
        provider,
        zone: zone!,
        addForeign: (set) => primary.addForeign(set),
        cleanup: async () => undefined,
        failNext: () => {
          failNext = true;
        },
      };
    });
  });
}
