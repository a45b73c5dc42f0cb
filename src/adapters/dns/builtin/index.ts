/**
 * The built-in authoritative DNS server assembled: publisher (zone
 * snapshots), responder (answers), sockets and NOTIFY. The factory in
 * src/config/services.ts creates it; the Node entry point starts listening.
 */
import type { RRSet } from '../../../domain/records.js';
import type { ZoneRef } from '../../../ports/dns-provider.js';
import { CidrSet } from '../../../domain/ip.js';
import type { Store } from '../../../ports/store.js';
import type { DnsUpdateService } from '../../../domain/dns-update.js';
import type { DnsTraffic } from '../../../ports/metrics.js';
import { DnsCounters } from './counters.js';
import { Notifier, parseTarget } from './notify.js';
import { BuiltinDnsPublisher } from './publisher.js';
import { Responder } from './responder.js';
import { UpdateListener } from './update-listener.js';
import { serialAdd, serialLessThan } from './serial.js';
import { startDnsServer, type RunningDnsServer } from './server.js';
import type { DnsConfig } from './settings.js';
import { parseKeys, type TsigKey } from './tsig.js';
import type { ZoneSnapshot } from './zone.js';

export { BuiltinDnsPublisher } from './publisher.js';
export type { DnsConfig } from './settings.js';

export interface BuiltinDnsLog {
  error(context: Record<string, unknown>, message: string): void;
  /** Refused UPDATEs (one line each, for fail2ban); not logged without it. */
  warn?(context: Record<string, unknown>, message: string): void;
}

/** Serials are persisted at most this often (and on close). */
const SERIAL_FLUSH_MS = 1000;
const serialKey = (zone: string) => `dns.serial.${zone}`;

export class BuiltinDns {
  readonly publisher: BuiltinDnsPublisher;
  readonly responder: Responder;
  private readonly counters = new DnsCounters();
  private notifier: Notifier | undefined;
  private readonly notifyKey: TsigKey | undefined;
  private store: Store | undefined;
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: DnsConfig,
    private readonly log?: BuiltinDnsLog,
    /** Served zones that count as private (from the instance settings). */
    privateZones: readonly string[] = [],
  ) {
    this.publisher = new BuiltinDnsPublisher(config.zones, {
      privateZones,
      ...(config.serial !== undefined ? { initialSerial: config.serial } : {}),
      onChange: (zone: ZoneSnapshot) => {
        this.notifier?.notify(zone);
        this.serialChanged(zone.apex);
      },
    });
    const keys = parseKeys(config.tsigKeys);
    if (config.notifyKey && !keys.has(config.notifyKey)) throw new Error(`SIGNPOST_DNS_NOTIFY_KEY: no key named ${config.notifyKey} in SIGNPOST_DNS_TSIG_KEYS`);
    this.notifyKey = config.notifyKey ? keys.get(config.notifyKey) : undefined;
    this.responder = new Responder({ zones: this.publisher, transfer: { allow: new CidrSet(config.axfrAllow), keys }, counters: this.counters });
  }

  /** Queries, UPDATEs, transfers and NOTIFYs since start, and each zone's serial now (for `/metrics`). */
  traffic(): DnsTraffic {
    return this.counters.traffic(this.config.zones.map((z) => ({ zone: z.apex, serial: this.publisher.snapshot(z.apex)!.serial })));
  }

  /**
   * Startup: every zone's records as Signpost's owners want them (`desired`:
   * the DNS registry's owner sources), loaded wholesale without a serial
   * change, and a serial that continues from the persisted one when that is
   * ahead of the start value (a busy zone can run ahead of the clock;
   * secondaries ignore a serial that goes backwards).
   */
  async loadFrom(store: Store, desired: (zone: ZoneRef) => Promise<readonly RRSet[]>): Promise<void> {
    this.store = store;
    for (const ref of await this.publisher.zones()) {
      this.publisher.load(ref.name, await desired(ref));
    }
    for (const zone of this.config.zones) {
      const stored = Number(await store.getSetting(serialKey(zone.apex)));
      const start = this.publisher.snapshot(zone.apex)!.serial;
      if (Number.isInteger(stored) && !serialLessThan(stored, start)) this.publisher.setSerial(zone.apex, serialAdd(stored));
    }
  }

  private serialChanged(zone: string): void {
    if (!this.store) return;
    this.dirty.add(zone);
    this.flushTimer ??= setTimeout(() => void this.flushSerials(), SERIAL_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Writes the serials changed since the last flush. */
  async flushSerials(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const zones = [...this.dirty];
    this.dirty.clear();
    for (const zone of zones) {
      try {
        await this.store?.setSetting(serialKey(zone), String(this.publisher.snapshot(zone)!.serial));
      } catch (error) {
        this.log?.error({ err: error, zone }, 'could not persist the SOA serial');
      }
    }
  }

  /**
   * Accepts RFC 2136 UPDATE signed with users' TSIG keys (update-listener.ts):
   * `service` finds a key by name on every message and applies verified
   * requests. Without this call every UPDATE answers NOTIMP.
   */
  acceptUpdates(service: DnsUpdateService): void {
    const log = this.log;
    this.responder.acceptUpdates(
      new UpdateListener({
        service,
        ...(log ? { log: { error: (context, message) => log.error(context, message), warn: (context, message) => log.warn?.(context, message) } } : {}),
      }),
    );
  }

  /** Starts answering on host:port and notifying secondaries; close() stops both. */
  async listen(host: string, port: number): Promise<RunningDnsServer> {
    const onError = (error: unknown, context: string) => this.log?.error({ err: error, context }, 'dns server error');
    const server = await startDnsServer({ host, port, responder: this.responder, tcpIdleMs: this.config.tcpIdleMs, maxTcpConnections: this.config.maxTcpConnections, maxTcpPerClient: this.config.maxTcpPerClient, onError });
    const notifier = new Notifier({
      targets: this.config.notify.map(parseTarget),
      ...(this.notifyKey ? { key: this.notifyKey } : {}),
      onError: (error, target) => this.log?.error({ err: error, target }, 'notify failed'),
      onAck: () => this.counters.notify('acked'),
      onGiveUp: () => this.counters.notify('failed'),
    });
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
        await this.flushSerials();
      },
    };
  }
}
