/** The route table (src/adapters/http/routes.ts) is what the app serves: no route missing from it, none it lists unserved. */
import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES, routeKey } from '../../src/adapters/http/routes.js';
import { builtinWorld } from '../instances/builtin-world.js';

describe('HTTP route table', () => {
  it('every route in the table is served by the app (instance events enabled)', async () => {
    const { app } = await builtinWorld();
    for (const route of HTTP_ROUTES) {
      const path = route.path.replace(/:(\w+)/g, 'sample-$1');
      const res = await app.request(path, { method: route.method, headers: { 'user-agent': 'route-table-test' } });
      const body = await res.text();
      expect(res.status === 404 && (route.method === 'HEAD' || body.includes('not_found')), `${routeKey(route)} → ${res.status} ${body}`).toBe(false);
    }
  });

  it('the app registers no route the table does not list', async () => {
    const { app } = await builtinWorld();
    const table = new Set(HTTP_ROUTES.map(routeKey));
    const registered = app.routes.filter((r) => r.path !== '*' && r.path !== '/*' && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    expect(registered.length).toBeGreaterThan(15);
    for (const route of registered) expect(table.has(route), route).toBe(true);
  });

  it('serves /myip and /checkip like /nic/checkip', async () => {
    const { app } = await builtinWorld();
    for (const path of ['/nic/checkip', '/myip', '/checkip', '//myip/']) expect(await (await app.request(path)).text(), path).toBe('198.51.100.1');
  });
});
