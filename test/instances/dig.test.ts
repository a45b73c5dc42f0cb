/**
 * Self-hosted end to end: a real Signpost server (SQLite store and registry,
 * built-in DNS on an ephemeral port) receives EventBridge events on
 * POST /events/ec2, and Debian's `dig` sees the records appear, survive a
 * restart, and disappear. Under CI=true a missing dig fails the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alerts/log.js';
import { Ec2ApiReader } from '../../src/adapters/ec2/reader.js';
import { loadConfig } from '../../src/config/env.js';
import { loadInstanceSettings } from '../../src/config/instance-env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';
import { dig } from '../dns/support.js';
import { requirePeer } from '../support/peers.js';
import { builtinEnv, EVENTS_KEY } from './builtin-world.js';
import { stateEvent } from './events.js';
import { FakeEc2 } from './fake-ec2.js';
import { instance, setUpEc2 } from './scenarios.js';

const digPeer = requirePeer('dig');
const dataDir = mkdtempSync(join(tmpdir(), 'signpost-instances-dig-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.skipIf(!digPeer.available)('dig sees instance records appear and disappear', { timeout: 60_000 }, () => {
  const ec2 = new FakeEc2();
  setUpEc2(ec2);
  const env = builtinEnv({ SIGNPOST_DATA_DIR: dataDir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_ADMIN_KEY: 'dig-test-admin-key-0123456789' });
  const start = () => startServer(loadConfig(env), { instances: { settings: loadInstanceSettings(env), ec2: new Ec2ApiReader(ec2), alerts: new MemoryAlertSink() } });
  let server: RunningServer | undefined;
  afterAll(async () => server?.close());

  const send = async (event: unknown) => {
    const res = await fetch(`${server!.url}/events/ec2`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signpost-events-key': EVENTS_KEY }, body: JSON.stringify(event) });
    expect(res.status).toBe(200);
  };
  const short = async (name: string, type: string) => (await dig(digPeer.path, server!.dnsPort!, ['+short', '+norecurse', name, type])).stdout.trim().split('\n').filter(Boolean);

  it('running → A, AAAA, CNAME and PTR answer; a restart keeps them; stopped → NXDOMAIN', async () => {
    server = await start();
    ec2.launch(instance({ ipv6: ['2001:db8:0:1::5'], tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'web', 'signpost:cname': 'www' } }));
    expect(await short('web.corp.example', 'A')).toEqual([]);
    await send(stateEvent(instance().id, 'running', 1));
    expect(await short('web.corp.example', 'A')).toEqual(['10.0.1.5']);
    expect(await short('web.corp.example', 'AAAA')).toEqual(['2001:db8:0:1::5']);
    expect(await short('www.corp.example', 'A')).toEqual(['web.corp.example.', '10.0.1.5']);
    expect(await short('-x', '10.0.1.5')).toEqual(['web.corp.example.']);

    await server.close();
    server = await start(); // records come back from the registry, not from EC2
    expect(await short('web.corp.example', 'A')).toEqual(['10.0.1.5']);
    expect(await short('-x', '10.0.1.5')).toEqual(['web.corp.example.']);

    ec2.set(instance().id, { state: 'stopped' });
    await send(stateEvent(instance().id, 'stopped', 10));
    const gone = await dig(digPeer.path, server.dnsPort!, ['+norecurse', 'web.corp.example', 'A']);
    expect(gone.stdout).toContain('status: NXDOMAIN');
    expect(await short('www.corp.example', 'CNAME')).toEqual([]);
    expect(await short('-x', '10.0.1.5')).toEqual([]);
  });
});
