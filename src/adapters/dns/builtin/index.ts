/**
 * The built-in authoritative DNS server assembled: publisher (zone
 * snapshots), responder (answers), sockets and NOTIFY. The factory in
 * src/config/services.ts creates it; the Node entry point starts listening.
 */
import { hostRRSets } from '../../../domain/records.js';
import { CidrSet } from '../../../domain/ip.js';
import type { Store } from '../../../ports/store.js';
import { Notifier, parseTarget } from './notify.js';
import { BuiltinDnsPublisher } from './publisher.js';
import { Responder } from './responder.js';
import { startDnsServer, type RunningDnsServer } from './server.js';
import type { DnsConfig } from './settings.js';
import { parseKeys } from './tsig.js';
import type { ZoneSnapshot } from './zone.js';

export { BuiltinDnsPublisher } from './publisher.js';
export type { DnsConfig } from './settings.js';

export interface BuiltinDnsLog {
  error(context: Record<string, unknown>, message: string): void;
}

export class BuiltinDns {
  readonly publisher: BuiltinDnsPublisher;
  readonly responder: Responder;
  private notifier: Notifier | undefined;

  constructor(
    private readonly config: DnsConfig,
    private readonly log?: BuiltinDnsLog,
  ) {
    this.publisher = new BuiltinDnsPublisher(config.zones, {
      ...(config.serial !== undefined ? { initialSerial: config.serial } : {}),
      onChange: (zone: ZoneSnapshot) => this.notifier?.notify(zone),
    });
    this.responder = new Responder({ zones: this.publisher, transfer: { allow: new CidrSet(config.axfrAllow), keys: parseKeys(config.tsigKeys) } });
  }

  /** Startup: every zone's host records from the store. */
  async loadFrom(store: Store): Promise<void> {
    for (const zone of this.config.zones) {
      const hosts = await store.listHosts({ zone: zone.apex });
      this.publisher.load(
        zone.apex,
        hosts.flatMap((h) => hostRRSets(h.name, h.addresses, h.ttl)),
      );
    }
  }

  /** Starts answering on host:port and notifying secondaries; close() stops both. */
  async listen(host: string, port: number): Promise<RunningDnsServer> {
    const onError = (error: unknown, context: string) => this.log?.error({ err: error, context }, 'dns server error');
    const server = await startDnsServer({ host, port, responder: this.responder, tcpIdleMs: this.config.tcpIdleMs, maxTcpConnections: this.config.maxTcpConnections, onError });
    const notifier = new Notifier({ targets: this.config.notify.map(parseTarget), onError: (error, target) => this.log?.error({ err: error, target }, 'notify failed') });
    this.notifier = notifier;
    // Secondaries learn about the serial we start with (it may be newer than theirs).
    for (const zone of this.config.zones) notifier.notify(this.publisher.snapshot(zone.apex)!);
    return {
      port: server.port,
      host: server.host,
      close: async () => {
        notifier.close();
        if (this.notifier === notifier) this.notifier = undefined;
        await server.close();
      },
    };
  }
}
