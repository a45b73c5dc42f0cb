/**
 * Crash safety: a stream of acknowledged updates, the server SIGKILLed in the
 * middle of it, a restart on the same data directory — and every update that
 * was answered `good` is still there (current address and history).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.js';

const ADMIN_KEY = 'crash-test-admin-key-0123456789';
const AUTH = `Basic ${Buffer.from('alice:crash test pw').toString('base64')}`;
const WORKERS = 4;
const KILL_AFTER_ACKS = 200;
const host = (w: number) => `c${w}.alice.dyn.example.test`;

interface Stream {
  readonly sent: string[];
  readonly acked: string[];
}

describe('crash safety', () => {
  let dataDir = '';
  const servers: ChildServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const server = await spawnServer({
      SIGNPOST_DATA_DIR: dataDir,
      SIGNPOST_ADMIN_KEY: ADMIN_KEY,
      SIGNPOST_LOG_LEVEL: 'warn',
      SIGNPOST_ABUSE_MAX_UPDATES: '0',
      SIGNPOST_ABUSE_MAX_NOCHG: '0',
      SIGNPOST_HISTORY_LIMIT: '100000',
    });
    servers.push(server);
    return server;
  };

  it('keeps every acknowledged update across a SIGKILL', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'signpost-crash-'));
    const first = await start();
    const created = await fetch(`${first.url}/user`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'crash test pw', domains: ['*.alice.dyn.example.test'] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    let acks = 0;
    let killed: Promise<void> | undefined;
    const streams: Stream[] = Array.from({ length: WORKERS }, () => ({ sent: [], acked: [] }));
    const worker = async (w: number) => {
      const stream = streams[w]!;
      for (let i = 1; ; i++) {
        const ip = `10.${w}.${(i >> 8) & 255}.${i & 255}`; // a different address every time
        stream.sent.push(ip);
        let body: string;
        try {
          const res = await fetch(`${first.url}/nic/update?hostname=${host(w)}&myip=${ip}`, { headers: { authorization: AUTH, 'user-agent': 'crash-test/1.0' } });
          body = await res.text();
        } catch {
          return; // the server is gone: this update was never acknowledged
        }
        if (body !== `good ${ip}`) throw new Error(`unexpected answer for ${ip}: ${body}`);
        stream.acked.push(ip);
        if (++acks === KILL_AFTER_ACKS) killed = first.kill('SIGKILL'); // the other workers are mid-request
        if (killed) await new Promise((r) => setTimeout(r, 0));
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const second = await start();
    const admin = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${second.url}${path}`, { headers: { 'x-api-key': ADMIN_KEY } });
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    };
    for (let w = 0; w < WORKERS; w++) {
      const { sent, acked } = streams[w]!;
      const last = acked.at(-1);
      expect(last, `worker ${w} got no acknowledgement`).toBeDefined();
      // The current address is the last acknowledged one, or one whose answer the crash swallowed.
      const current = await admin<{ ipv4: string | null }>(`/hosts/${host(w)}`);
      const allowed = sent.slice(sent.indexOf(last!));
      expect(allowed, `worker ${w}: current ${current.ipv4}, last acked ${last}`).toContain(current.ipv4);
      // Every acknowledged change is in the history.
      const { history } = await admin<{ history: { result: string; after: { v4?: string } }[] }>(`/hosts/${host(w)}/history?limit=1000`);
      const recorded = new Set(history.filter((h) => h.result === 'good').map((h) => h.after.v4));
      const missing = acked.filter((ip) => !recorded.has(ip));
      expect(missing, `worker ${w}: acknowledged updates lost`).toEqual([]);
    }

    // And the restarted server keeps serving updates for the same hosts.
    const res = await fetch(`${second.url}/nic/update?hostname=${host(0)}&myip=10.99.0.1`, { headers: { authorization: AUTH, 'user-agent': 'crash-test/1.0' } });
    expect(await res.text()).toBe('good 10.99.0.1');
  }, 90_000); // two cold starts of a child process: generous under a loaded CI machine
});
