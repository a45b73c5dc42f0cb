/**
 * Which backend publishes (SIGNPOST_PUBLISHER). The built-in server is the
 * default; `rfc2136` sends signed UPDATEs to the user's own primary, wrapped
 * so that an outage triggers a reconcile, and (SIGNPOST_DNS=on) mirrored into
 * the built-in server too.
 */
import type { Logger } from 'pino';
import { ResyncAfterOutage } from '../app/resync-after-outage.js';
import type { DnsProvider } from '../ports/dns-provider.js';
import type { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { MirroredDnsProvider } from '../adapters/dns/mirrored.js';
import { Rfc2136Provider } from '../adapters/dns/rfc2136/provider.js';
import type { Config } from './env.js';

export interface Rfc2136Publishing {
  readonly provider: DnsProvider;
  /** Called once the use cases exist: what to run after an outage. */
  setReconcile(reconcile: () => Promise<unknown>): void;
  close(): void;
}

export function createRfc2136Provider(config: Config, logger: Logger): Rfc2136Provider {
  return new Rfc2136Provider({ zones: config.publisher.rfc2136Zones, logger });
}

/** The RFC 2136 provider the server publishes through: reconciled after outages, mirrored into the built-in server when that runs. */
export function rfc2136Publishing(config: Config, logger: Logger, builtin?: BuiltinDns): Rfc2136Publishing {
  let reconcile: () => Promise<unknown> = async () => undefined;
  const primary = new ResyncAfterOutage(createRfc2136Provider(config, logger), {
    reconcile: () => reconcile(),
    onError: (error) => logger.warn({ err: error }, 'reconcile after a DNS server outage failed; will retry'),
    onRecovered: () => logger.info('DNS server reachable again; records reconciled with the store'),
  });
  const provider = builtin ? new MirroredDnsProvider(primary, builtin.publisher, logger) : primary;
  return { provider, setReconcile: (fn) => (reconcile = fn), close: () => primary.close() };
}
