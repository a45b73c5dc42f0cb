/** The built-in publisher: strict like the in-memory fake, atomic swaps, RFC 1982 serials, wiring. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { serialAdd, serialLessThan } from '../../src/adapters/dns/builtin/serial.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { plan } from '../../src/domain/plan.js';
import type { RRSet } from '../../src/domain/records.js';
import { startServer } from '../../src/entrypoints/node/server.js';
import { PublishError } from '../../src/ports/dns-provider.js';
import { dnsEnv, rawUdp, ZONE } from './support.js';

const a = (name: string, ip: string): RRSet => ({ name, type: 'A', ttl: 60, values: [ip] });
const settings = () => dnsEnv().dns.zones;

describe('BuiltinDnsPublisher', () => {
  it('applies plans, bumps the serial once per change and reports managed records only', async () => {
    const changed: number[] = [];
    const p = new BuiltinDnsPublisher(settings(), { initialSerial: 10, onChange: (z) => changed.push(z.serial) });
    await p.apply(ZONE, plan([], [a('x.dyn.example.test', '192.0.2.1')]));
    await p.apply(ZONE, plan([a('x.dyn.example.test', '192.0.2.1')], [a('x.dyn.example.test', '192.0.2.2')]));
    expect(changed).toEqual([11, 12]);
    expect(await p.records(ZONE)).toEqual([a('x.dyn.example.test', '192.0.2.2')]);
    await p.apply(ZONE, plan([], [])); // empty plan: no new serial
    expect(p.snapshot(ZONE)!.serial).toBe(12);
  });

  it('is strict and all-or-nothing', async () => {
    const p = new BuiltinDnsPublisher(settings(), { initialSerial: 1 });
    await p.apply(ZONE, plan([], [a('x.dyn.example.test', '192.0.2.1')]));
    const before = p.snapshot(ZONE);
    await expect(p.apply(ZONE, { create: [a('y.dyn.example.test', '192.0.2.9'), a('x.dyn.example.test', '192.0.2.1')], update: [], delete: [] })).rejects.toBeInstanceOf(PublishError);
    await expect(p.apply(ZONE, { create: [], update: [], delete: [a('x.dyn.example.test', '192.0.2.99')] })).rejects.toThrow('not as expected');
    await expect(p.apply(ZONE, { create: [a('x.other.test', '192.0.2.1')], update: [], delete: [] })).rejects.toThrow('outside');
    await expect(p.apply('other.test', plan([], [a('x.other.test', '192.0.2.1')]))).rejects.toThrow('not served');
    await expect(p.apply(ZONE, plan([], [a('bad.dyn.example.test', 'not-an-ip')]))).rejects.toThrow('invalid record');
    // Configuration-owned sets (SOA, NS, glue) cannot be touched through a plan.
    await expect(p.apply(ZONE, { create: [], update: [], delete: [a('ns1.dyn.example.test', '127.0.0.1')] })).rejects.toThrow('not as expected');
    expect(p.snapshot(ZONE)).toBe(before); // nothing swapped
    expect((await p.records(ZONE)).map((r) => r.name)).toEqual(['x.dyn.example.test']);
  });

  it('applying the same desired state twice is a no-op (idempotency)', async () => {
    const p = new BuiltinDnsPublisher(settings(), { initialSerial: 1 });
    const desired = [a('x.dyn.example.test', '192.0.2.1')];
    await p.apply(ZONE, plan(await p.records(ZONE), desired));
    await p.apply(ZONE, plan(await p.records(ZONE), desired));
    expect(p.snapshot(ZONE)!.serial).toBe(2);
  });

  it('wraps the serial modulo 2^32 and compares it by RFC 1982', async () => {
    const p = new BuiltinDnsPublisher(settings(), { initialSerial: 0xffffffff });
    await p.apply(ZONE, plan([], [a('x.dyn.example.test', '192.0.2.1')]));
    expect(p.snapshot(ZONE)!.serial).toBe(0);
    expect(serialAdd(0xffffffff, 2)).toBe(1);
    expect(serialLessThan(0xffffffff, 0)).toBe(true);
    expect(serialLessThan(0, 0xffffffff)).toBe(false);
    expect(serialLessThan(1, 2)).toBe(true);
    expect(serialLessThan(5, 5)).toBe(false);
  });
});

describe('background compaction', () => {
  it('folds a grown overlay into the base between updates without changing content', async () => {
    const p = new BuiltinDnsPublisher(settings(), { initialSerial: 1 });
    const n = 30_000;
    p.load(ZONE, Array.from({ length: n }, (_, i) => a(`h${i}.dyn.example.test`, '10.0.0.1')));
    const tick = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 6000; i++) {
      const name = `h${(i * 7) % n}.dyn.example.test`;
      const current = p.snapshot(ZONE)!.node(name)!.sets.values().next().value!.rrset;
      await p.apply(ZONE, { create: [], update: [{ from: current, to: a(name, `10.1.${(i >> 8) & 255}.${i & 255}`) }], delete: [] });
      if (i === 3000 || i === 5999) await p.apply(ZONE, { create: [a(`new${i}.dyn.example.test`, '192.0.2.1')], update: [], delete: [] });
      if (i % 100 === 0) await tick();
    }
    for (let i = 0; i < 200; i++) await tick();
    const snap = p.snapshot(ZONE)!;
    expect(snap.overlaySize).toBeLessThan(4096);
    expect(snap.serial).toBe(1 + 6000 + 2);
    const records = await p.records(ZONE);
    expect(records).toHaveLength(n + 2);
    expect(snap.node('h0.dyn.example.test')!.sets.size).toBe(1);
    expect(snap.node('new5999.dyn.example.test')).toBeDefined();
    // The last update of each name wins.
    const last = new Map<string, string>();
    for (let i = 0; i < 6000; i++) last.set(`h${(i * 7) % n}.dyn.example.test`, `10.1.${(i >> 8) & 255}.${i & 255}`);
    for (const [name, ip] of last) expect(snap.node(name)!.sets.values().next().value!.rrset.values).toEqual([ip]);
  });
});

describe('wiring', () => {
  it('startServer serves DNS from the store on an ephemeral port and close() stops it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signpost-dns-wiring-'));
    const config = loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_ZONES: ZONE });
    const server = await startServer(config);
    try {
      expect(server.dnsPort).toBeGreaterThan(0);
      await server.core.store.putHost({ name: 'stored.dyn.example.test', zone: ZONE, owner: 'nobody', addresses: { v4: '192.0.2.77' }, ttl: 60, updatedAt: 0, version: 1 }, null);
    } finally {
      await server.close();
    }
    // A restart loads the host from the store.
    const again = await startServer(config);
    const q = Buffer.from('beef000000010000000000000673746f7265640364796e076578616d706c6504746573740000010001', 'hex');
    try {
      const answer = await rawUdp(again.dnsPort!, q);
      expect(answer?.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 77));
    } finally {
      await again.close();
    }
    expect(await rawUdp(again.dnsPort!, q)).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });

  it('persists the SOA serial so a restart never moves it backwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signpost-dns-serial-'));
    const config = loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_ZONES: ZONE, SIGNPOST_DNS_SERIAL: '1000' });
    const first = await startServer(config);
    for (let i = 1; i <= 5; i++) await first.core.dns!.publisher.apply(ZONE, plan(i === 1 ? [] : [a('s.dyn.example.test', `192.0.2.${i - 1}`)], [a('s.dyn.example.test', `192.0.2.${i}`)]));
    expect(first.core.dns!.publisher.snapshot(ZONE)!.serial).toBe(1005);
    await first.close();
    const second = await startServer(config); // the configured start (1000) is behind what secondaries have seen
    try {
      expect(second.core.dns!.publisher.snapshot(ZONE)!.serial).toBe(1006);
    } finally {
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('per-zone settings file', () => {
  it('overrides NS and SOA per zone; unknown zones and bad fields are configuration errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signpost-dns-zones-'));
    const file = join(dir, 'zones.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify({ 'b.example.test': { ns: ['ns.example.net', 'ns9.{zone}=192.0.2.9'], refresh: 7200, minimum: 30 } }));
    const c = loadConfig({ SIGNPOST_ZONES: 'a.example.test,b.example.test', SIGNPOST_DNS_ZONES_FILE: file });
    const [za, zb] = c.dns.zones;
    expect(za).toMatchObject({ apex: 'a.example.test', nameservers: [{ name: 'ns1.a.example.test' }], soa: { refresh: 3600, minimum: 60 } });
    expect(zb).toMatchObject({ apex: 'b.example.test', nameservers: [{ name: 'ns.example.net' }, { name: 'ns9.b.example.test', addresses: ['192.0.2.9'] }], soa: { mname: 'ns.example.net', refresh: 7200, minimum: 30 } });

    await writeFile(file, JSON.stringify({ 'typo.example.test': { refresh: 1 } }));
    expect(() => loadConfig({ SIGNPOST_ZONES: 'a.example.test', SIGNPOST_DNS_ZONES_FILE: file })).toThrow(ConfigError);
    expect(() => loadConfig({ SIGNPOST_ZONES: 'a.example.test', SIGNPOST_DNS_ZONES_FILE: file })).toThrow('not in SIGNPOST_ZONES');
    await writeFile(file, JSON.stringify({ 'a.example.test': { refresh: 'soon' } }));
    expect(() => loadConfig({ SIGNPOST_ZONES: 'a.example.test', SIGNPOST_DNS_ZONES_FILE: file })).toThrow('SIGNPOST_DNS_ZONES_FILE');
    expect(() => loadConfig({ SIGNPOST_DNS_ZONES_FILE: join(dir, 'missing.json') })).toThrow('SIGNPOST_DNS_ZONES_FILE');
    await rm(dir, { recursive: true, force: true });
  });
});
