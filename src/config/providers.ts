/**
 * Which backend publishes (SIGNPOST_PUBLISHER). The built-in server is the
 * default; `rfc2136` sends signed UPDATEs to the user's own primary, wrapped
 * so an outage triggers a reconcile, and (SIGNPOST_DNS=on) mirrored into the
 * built-in server too. The use cases still speak DnsPublisher; `asPublisher`
 * bridges to the DnsProvider port until they move to it.
 */
import type { Logger } from 'pino';
import { ResyncAfterOutage } from '../app/resync-after-outage.js';
import { rrsetKey } from '../domain/records.js';
import type { DnsProvider } from '../ports/dns-provider.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { Store } from '../ports/store.js';
import type { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { Rfc2136Provider } from '../adapters/dns/rfc2136/provider.js';
import type { Config } from './env.js';

export interface Rfc2136Publishing {
  readonly publisher: DnsPublisher;
  /** Called once the use cases exist: what to run after an outage. */
  setReconcile(reconcile: () => Promise<unknown>): void;
  close(): void;
}

export function createRfc2136Provider(config: Config, logger: Logger): Rfc2136Provider {
  return new Rfc2136Provider({ zones: config.publisher.rfc2136Zones, logger });
}

/**
 * The RFC 2136 publisher for the use cases. The server is shared with
 * records Signpost did not write, so `records` lists only the A/AAAA sets at
 * names of stored hosts: the reconciler must never plan to delete the rest.
 */
export function rfc2136Publishing(config: Config, store: Store, logger: Logger, builtin?: BuiltinDns): Rfc2136Publishing {
  let reconcile: () => Promise<unknown> = async () => undefined;
  const provider = new ResyncAfterOutage(createRfc2136Provider(config, logger), {
    reconcile: () => reconcile(),
    onError: (error) => logger.warn({ err: error }, 'reconcile after a DNS server outage failed; will retry'),
    onRecovered: () => logger.info('DNS server reachable again; records reconciled with the store'),
  });
  const bridge = asPublisher(provider);
  const publisher: DnsPublisher = {
    async records(zone) {
      const hosts = await store.listHosts({ zone });
      const owned = new Set(hosts.flatMap((h) => [rrsetKey({ name: h.name, type: 'A' }), rrsetKey({ name: h.name, type: 'AAAA' })]));
      return (await bridge.records(zone)).filter((r) => owned.has(rrsetKey(r)));
    },
    async applyChanges(zone, changes) {
      await bridge.applyChanges(zone, changes);
      // The built-in server, when also running, mirrors what the primary accepted; it holds only Signpost's records.
      await builtin?.publisher.applyChanges(zone, changes).catch((error: unknown) => logger.error({ err: error, zone }, 'built-in DNS server could not mirror an update'));
    },
  };
  return { publisher, setReconcile: (fn) => (reconcile = fn), close: () => provider.close() };
}

/** A DnsProvider seen through the older zone-by-name DnsPublisher port. */
export function asPublisher(provider: DnsProvider): DnsPublisher {
  const ref = (zone: string) => ({ id: zone, name: zone, private: false });
  return { records: (zone) => provider.records(ref(zone)), applyChanges: (zone, changes) => provider.apply(ref(zone), changes) };
}
