/**
 * `npm run bench:web`: the web page's weight and the time to render the
 * hosts page for one user with 500 hosts (each with history), on the SQLite
 * store, in process through app.request() (no socket, no browser: the
 * server's share of a page view). Knobs: BENCH_HOSTS (default 500),
 * BENCH_ROUNDS (default 50). Not a test: it prints a table and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdminKey } from '../src/app/admin-key.js';
import { MemoryDnsProvider } from '../src/adapters/dns/memory.js';
import { createLogger } from '../src/adapters/observability/logger.js';
import { SqliteStore } from '../src/adapters/store/sqlite.js';
import { loadConfig } from '../src/config/env.js';
import { composeHttpApp } from '../src/config/http-app.js';
import { createCore } from '../src/config/services.js';
import { WebClient } from '../test/support/web-client.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const ZONE = 'dyn.example.test';

const dir = mkdtempSync(join(tmpdir(), 'signpost-bench-web-'));
try {
  const config = loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_ZONES: ZONE });
  const store = new SqliteStore(join(dir, 'signpost.db'), config.historyLimit);
  const core = await createCore(config, { store, provider: new MemoryDnsProvider([ZONE]), logger: createLogger('silent') });
  const app = composeHttpApp(core, { adminKey: await loadAdminKey(store, 'bench-admin-key-0123456789'), peerAddress: () => '192.0.2.1' });
  await core.accounts.createUser({ username: 'alice', password: 'bench-password', domains: [`*.alice.${ZONE}`] });
  const now = Date.now();
  for (let i = 0; i < HOSTS; i++) {
    const name = `h${i}.alice.${ZONE}`;
    const addresses = { v4: `10.${(i >> 8) & 255}.${i & 255}.1`, v6: `2001:db8::${i.toString(16)}` };
    await store.putHost({ name, zone: ZONE, owner: 'alice', addresses, ttl: 60, updatedAt: now - i * 1000, version: 1 }, null);
    for (let h = 0; h < 3; h++) {
      await store.appendHistory({ hostname: name, owner: 'alice', at: now - h * 60_000, sourceAddress: '198.51.100.7', userAgent: 'ddclient/3.10.0', before: {}, after: addresses, result: 'good' });
    }
  }

  const browser = new WebClient(app);
  const bytes = async (path: string) => Buffer.byteLength((await browser.get(path)).body);
  const signIn = await bytes('/');
  await browser.signIn('alice', 'bench-password');
  const css = await bytes('/static/signpost.css');
  const js = await bytes('/static/copy.js');
  const icon = await bytes('/static/icon.svg');
  const first = `h0.alice.${ZONE}`;

  const times: number[] = [];
  let hostsPage = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    const page = await browser.get('/');
    times.push(performance.now() - started);
    hostsPage = Buffer.byteLength(page.body);
    if (!page.body.includes(first)) throw new Error('the hosts page does not list the hosts');
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);

  const rows: [string, number, boolean][] = [
    ['sign-in', signIn, false],
    [`hosts (${HOSTS} hosts)`, hostsPage, false],
    ['host page', await bytes(`/host/${first}`), false],
    ['router setup', await bytes(`/host/${first}/setup`), true],
    ['password', await bytes('/account/password'), false],
  ];
  console.log(`stylesheet ${css} B, copy script ${js} B, icon ${icon} B (cached after the first page)`);
  console.log('page                     HTML B   HTML+CSS+JS B');
  for (const [name, html, script] of rows) console.log(`${name.padEnd(24)} ${String(html).padStart(7)}   ${String(html + css + (script ? js : 0)).padStart(7)}`);
  console.log(`hosts page render for ${HOSTS} hosts over ${ROUNDS} rounds: median ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`);
  await core.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
