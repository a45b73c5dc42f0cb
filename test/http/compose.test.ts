/** composeHttpApp: the app every runtime serves takes its settings from the core, only the peer and admin key from the runtime. */
import { LinearRouter } from 'hono/router/linear-router';
import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { Metrics } from '../../src/adapters/observability/metrics.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { composeHttpApp, type HttpRuntime } from '../../src/config/http-app.js';
import { createCore } from '../../src/config/services.js';

async function compose(env: Record<string, string>, peer: string, router?: HttpRuntime['router']) {
  const core = await createCore(loadConfig({ SIGNPOST_ZONES: 'dyn.example.test', ...env }), {
    store: new MemoryStore(),
    provider: new MemoryDnsProvider(['dyn.example.test']),
    logger: createLogger('silent'),
    metrics: new Metrics({ processMetrics: false }),
  });
  return composeHttpApp(core, { adminKey: { verify: (k) => k === 'runtime-key' }, peerAddress: () => peer, ...(router ? { router } : {}) });
}

describe('composeHttpApp', () => {
  it('believes X-Forwarded-For only from the proxies the configuration trusts', async () => {
    const trusting = await compose({ SIGNPOST_TRUSTED_PROXIES: '10.0.0.0/8' }, '10.1.2.3');
    const res = await trusting.request('/nic/checkip', { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(await res.text()).toBe('198.51.100.7');
    const untrusting = await compose({}, '192.0.2.4');
    expect(await (await untrusting.request('/nic/checkip', { headers: { 'x-forwarded-for': '198.51.100.7' } })).text()).toBe('192.0.2.4');
  });

  it('refuses the user agents the configuration blocks', async () => {
    const app = await compose({ SIGNPOST_BLOCKED_USER_AGENTS: 'badclient' }, '192.0.2.4');
    const res = await app.request('/nic/update?hostname=h.dyn.example.test', { headers: { 'user-agent': 'BadClient/1.0', authorization: 'Basic YTpi' } });
    expect(await res.text()).toBe('badagent');
  });

  it('checks the admin key the runtime gives', async () => {
    const app = await compose({}, '192.0.2.4');
    expect((await app.request('/users', { headers: { 'x-api-key': 'runtime-key' } })).status).toBe(200);
    expect((await app.request('/users', { headers: { 'x-api-key': 'other-key' } })).status).toBe(403);
  });

  it('builds the app on the router the runtime picks (Lambda: one that is cheap to build), serving the same routes', async () => {
    const byDefault = await compose({}, '192.0.2.4');
    const linear = await compose({}, '192.0.2.4', new LinearRouter());
    expect(linear.router).toBeInstanceOf(LinearRouter);
    expect(byDefault.router).not.toBeInstanceOf(LinearRouter);
    for (const app of [byDefault, linear]) {
      expect(await (await app.request('/nic/checkip')).text()).toBe('192.0.2.4');
      expect((await app.request('/users', { headers: { 'x-api-key': 'runtime-key' } })).status).toBe(200);
      expect((await app.request('/no/such/route')).status).toBe(404);
    }
  });
});
