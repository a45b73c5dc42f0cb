/**
 * The scenario world self-hosted: the real factory (createCore) with the
 * built-in DNS server, events POSTed to /events/ec2 of the one Hono app as
 * an EventBridge API destination would, EC2 read from the strict fake.
 */
import type { Hono } from 'hono';
import { MemoryAlertSink } from '../../src/adapters/alerts/log.js';
import { Ec2ApiReader } from '../../src/adapters/ec2/reader.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { Metrics } from '../../src/adapters/observability/metrics.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadAdminKey } from '../../src/app/admin-key.js';
import { sha256Hex } from '../../src/app/secrets.js';
import { loadConfig } from '../../src/config/env.js';
import { composeHttpApp } from '../../src/config/http-app.js';
import { loadInstanceSettings } from '../../src/config/instance-env.js';
import { createCore, type Core } from '../../src/config/services.js';
import { PublishError } from '../../src/ports/dns-provider.js';
import type { InstanceRegistry } from '../../src/ports/instance-registry.js';
import { FakeEc2 } from './fake-ec2.js';
import { setUpEc2, show, type World } from './scenarios.js';

export const EVENTS_KEY = 'eventbridge-connection-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789';
export const BUILTIN_ZONES = 'corp.example,example.com,dhcp.internal,1.0.10.in-addr.arpa';

export const builtinEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  SIGNPOST_ZONES: BUILTIN_ZONES,
  SIGNPOST_LOG_LEVEL: 'silent',
  SIGNPOST_DNS_SERIAL: '2024050100',
  SIGNPOST_INSTANCE_EVENTS: 'true',
  SIGNPOST_INSTANCE_EVENTS_KEY_SHA256: sha256Hex(EVENTS_KEY),
  SIGNPOST_INSTANCE_PRIVATE_ZONES: 'corp.example,dhcp.internal,1.0.10.in-addr.arpa',
  AWS_REGION: 'us-east-1',
  ...extra,
});

export interface BuiltinWorld extends World {
  readonly app: Hono;
  readonly core: Core;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any }>;
}

export async function builtinWorld(options: { registry?: InstanceRegistry } = {}): Promise<BuiltinWorld> {
  const env = builtinEnv();
  const config = loadConfig(env);
  const ec2 = new FakeEc2();
  setUpEc2(ec2);
  const alerts = new MemoryAlertSink();
  const store = new MemoryStore();
  const core = await createCore(config, {
    store,
    logger: createLogger('silent'),
    metrics: new Metrics({ processMetrics: false }),
    instances: { settings: loadInstanceSettings(env), ec2: new Ec2ApiReader(ec2), alerts, registry: options.registry ?? new MemoryInstanceRegistry() },
  });
  const adminKey = await loadAdminKey(store, ADMIN_KEY);
  const app = composeHttpApp(core, { adminKey, peerAddress: () => '198.51.100.1' });
  const publisher = core.dns!.publisher;
  const post = async (body: unknown, headers: Record<string, string> = { 'x-signpost-events-key': EVENTS_KEY }) => {
    const res = await app.request('/events/ec2', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return {
    app,
    core,
    ec2,
    alerts: alerts.alerts,
    post,
    async send(event) {
      const { status, json } = await post(event);
      if (status === 200) return { ok: true };
      if (status === 503 && json.error.code === 'event_failed') return { ok: false };
      throw new Error(`unexpected answer ${status} ${JSON.stringify(json)}`);
    },
    async records(_view, zone) {
      return show(await publisher.records(zone));
    },
    async addForeign(_view, zone, rrset) {
      await publisher.apply(zone, { create: [rrset], update: [], delete: [] });
    },
    writes: () => publisher.version,
    failNextWrite() {
      const original = publisher.apply.bind(publisher);
      publisher.apply = async () => {
        publisher.apply = original;
        throw new PublishError('unavailable', 'simulated outage', { cause: new Error('EIO') });
      };
    },
  };
}
