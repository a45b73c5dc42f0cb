/**
 * Self-hosted wiring of instance registration: SQLite registry beside the
 * store (and an owner source of the DNS registry), EC2 read through the AWS
 * SDK (credentials and region from the SDK's usual environment), the
 * server's DNS provider as the DNS side, alerts to the log and an optional
 * webhook. Off unless SIGNPOST_INSTANCE_EVENTS=true.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LoggingAlertSink } from '../adapters/alerts/log.js';
import { WebhookAlertSink } from '../adapters/alerts/webhook.js';
import { Ec2ApiReader } from '../adapters/ec2/reader.js';
import type { InstanceEventsEndpoint } from '../adapters/http/instance-event-routes.js';
import { SqliteInstanceRegistry } from '../adapters/store/instance-registry-sqlite.js';
import { InstanceOwners } from '../app/dns-owners.js';
import type { DnsRegistry } from '../app/dns-registry.js';
import { InstanceEvents } from '../app/instance-events.js';
import type { AlertSink } from '../ports/alerts.js';
import type { Ec2Reader } from '../ports/ec2-reader.js';
import type { InstanceRegistry } from '../ports/instance-registry.js';
import type { Config } from './env.js';
import { loadInstanceSettings, type InstanceSettings } from './instance-env.js';

/**
 * The AWS SDK's EC2 client is imported only when registration is on: loading
 * it costs most of a second of CPU, which every server start and CLI command
 * (they all build the same core) would otherwise pay.
 */
async function sdkEc2Reader(): Promise<Ec2Reader> {
  const [{ EC2Client }, { sdkEc2Api }] = await Promise.all([import('@aws-sdk/client-ec2'), import('../adapters/ec2/ec2-api.js')]);
  return new Ec2ApiReader(sdkEc2Api(new EC2Client({})));
}

/** Test seams: replace what would reach AWS or the disk. */
export interface InstanceOverrides {
  readonly settings?: InstanceSettings;
  readonly ec2?: Ec2Reader;
  readonly alerts?: AlertSink;
  readonly registry?: InstanceRegistry;
}

export interface SelfHostedInstances {
  readonly endpoint: InstanceEventsEndpoint;
  /** Closes the registry's own SQLite connection (unless a test supplied the registry). */
  readonly close: () => Promise<void>;
}

export async function wireSelfHostedInstances(
  config: Config,
  dns: DnsRegistry,
  logger: Logger,
  overrides: InstanceOverrides = {},
): Promise<SelfHostedInstances | undefined> {
  const settings = overrides.settings ?? loadInstanceSettings(process.env);
  if (!settings.enabled) return undefined;
  const registry = overrides.registry ?? new SqliteInstanceRegistry(join(config.dataDir, 'signpost.db'));
  // Registered records become Signpost's in the DNS registry: loaded at start, reconciled, never taken for drift.
  dns.addSource(new InstanceOwners(registry));
  const channel = overrides.alerts ?? (settings.alertWebhookUrl ? new WebhookAlertSink(settings.alertWebhookUrl) : undefined);
  const instances = new InstanceEvents({
    registry,
    ec2: overrides.ec2 ?? (await sdkEc2Reader()),
    dns,
    alerts: new LoggingAlertSink(logger, channel),
    settings: settings.use,
    now: Date.now,
  });
  return {
    endpoint: { instances, keyHeader: settings.eventsKeyHeader, ...(settings.eventsKeySha256 ? { keySha256: settings.eventsKeySha256 } : {}) },
    close: async () => {
      if (!overrides.registry && registry instanceof SqliteInstanceRegistry) await registry.close();
    },
  };
}
