/**
 * Fuzzing the UPDATE path in process: valid signed UPDATEs, mutated (bit
 * flips, truncation, count fields, lengths, names, inserted and deleted
 * bytes, TSIG fields), go through the responder exactly as the sockets hand
 * them over, into a real core (TsigKeys, DnsUpdates, memory store, the
 * built-in server's publisher). None may throw; every UPDATE request gets an
 * answer with its ID; the use case sees only requests that valid messages
 * carried, each at most once (a mutation that still verifies, such as
 * another header ID, is a replay); and the store and DNS end up exactly as
 * those requests alone leave them.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { sign, type TsigKey } from '../../src/adapters/dns/builtin/tsig.js';
import { UpdateListener } from '../../src/adapters/dns/builtin/update-listener.js';
import { CLASS, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { encodeUpdate, UPDATE_REQUEST_FLAGS, type UpdateRecord } from '../../src/adapters/dns/rfc2136/update-message.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { createCore, type Core } from '../../src/config/services.js';
import type { DnsUpdateRequest, DnsUpdateService, UpdateKey } from '../../src/domain/dns-update.js';
import { ZONE } from './support.js';

/** Real time: the built-in server's responder checks signed queries against the clock. */
const NOW = Math.floor(Date.now() / 1000);
const CLOCK_MS = NOW * 1000;
const PACKETS = 200_000;
const SEEDS = 2_000;
const KEY = { name: 'fuzz.alice' };
/** The key's secret, as TsigKeys made it. */
const KEY_SECRET = { value: Buffer.alloc(0) };

/** xorshift32: the same packets on every run, so a failure can be replayed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, below: (n: number) => next() % n };
}

const txt = (s: string) => ({ kind: 'bytes' as const, bytes: Uint8Array.from([s.length, ...Buffer.from(s)]) });

function seedRecords(i: number): { prerequisites: UpdateRecord[]; updates: UpdateRecord[] } {
  const host = `h${i % 7}.alice.${ZONE}`;
  const challenge = `_acme-challenge.${host}`;
  const shapes: { prerequisites: UpdateRecord[]; updates: UpdateRecord[] }[] = [
    { prerequisites: [], updates: [{ name: challenge, type: TYPE.TXT, class: CLASS.IN, ttl: 60, rdata: txt(`value-${i}`) }] },
    { prerequisites: [], updates: [{ name: challenge, type: TYPE.TXT, class: CLASS.NONE, ttl: 0, rdata: txt(`value-${i - 1}`) }] },
    { prerequisites: [{ name: host, type: TYPE.ANY, class: CLASS.NONE, ttl: 0 }], updates: [{ name: host, type: TYPE.A, class: CLASS.IN, ttl: 60, rdata: { kind: 'ipv4', address: 0xc0000200 + (i & 0xff) } }] },
    { prerequisites: [], updates: [{ name: host, type: TYPE.AAAA, class: CLASS.IN, ttl: 60, rdata: { kind: 'bytes', bytes: Uint8Array.from(Buffer.from(`20010db8000000000000000000${(i & 0xffff).toString(16).padStart(6, '0')}`, 'hex')) } }] },
    { prerequisites: [{ name: host, type: TYPE.A, class: CLASS.ANY, ttl: 0 }], updates: [{ name: host, type: TYPE.A, class: CLASS.ANY, ttl: 0 }, { name: challenge, type: TYPE.ANY, class: CLASS.ANY, ttl: 0 }] },
    { prerequisites: [], updates: [{ name: host, type: 99, class: CLASS.IN, ttl: 60, rdata: { kind: 'bytes', bytes: Uint8Array.of(i & 0xff, 2, 3) } }, { name: `mail.${host}`, type: TYPE.MX, class: CLASS.IN, ttl: 60, rdata: { kind: 'mx', preference: 10, name: host } }] },
  ];
  return shapes[i % shapes.length]!;
}

/** Learns the request each seed carries, as the use case would see it. */
class RecordingService implements DnsUpdateService {
  readonly executed: DnsUpdateRequest[] = [];
  async resolveKey(name: string): Promise<UpdateKey | undefined> {
    return name === KEY.name ? { name, algorithm: 'hmac-sha256', secret: KEY_SECRET.value, username: 'alice' } : undefined;
  }
  async execute(request: DnsUpdateRequest) {
    this.executed.push(request);
    return 'NOERROR' as const;
  }
}

type Mutation = (m: Uint8Array, r: ReturnType<typeof prng>) => Uint8Array;

const MUTATIONS: Mutation[] = [
  // bit flips
  (m, r) => {
    const out = Uint8Array.from(m);
    for (let n = 1 + r.below(3); n > 0; n--) out[r.below(out.length)]! ^= 1 << r.below(8);
    return out;
  },
  // truncation
  (m, r) => m.slice(0, r.below(m.length)),
  // count fields (ZOCOUNT, PRCOUNT, UPCOUNT, ADCOUNT)
  (m, r) => {
    const out = Uint8Array.from(m);
    const at = 4 + 2 * r.below(4);
    const v = [0, 1, 2, 0xffff, ((out[at]! << 8) | out[at + 1]!) + (r.below(2) ? 1 : -1)][r.below(5)]! & 0xffff;
    out[at] = v >> 8;
    out[at + 1] = v & 0xff;
    return out;
  },
  // a 16-bit field anywhere (RDLENGTH, type, class, TSIG lengths land here often)
  (m, r) => {
    const out = Uint8Array.from(m);
    const at = 12 + r.below(Math.max(1, out.length - 13));
    const v = [0, 1, 0xff, 0xffff, r.below(0x10000), out.length - at][r.below(6)]!;
    out[at] = (v >> 8) & 0xff;
    if (at + 1 < out.length) out[at + 1] = v & 0xff;
    return out;
  },
  // names: a label length or a compression pointer (backwards, forwards, to itself)
  (m, r) => {
    const out = Uint8Array.from(m);
    const at = 12 + r.below(Math.max(1, out.length - 13));
    if (r.below(2)) out[at] = [0, 1, 63, 64, 0x80, 0xc0, r.below(256)][r.below(7)]!;
    else {
      const target = [at, at + 2, 12, r.below(out.length), 0][r.below(5)]!;
      out[at] = 0xc0 | ((target >> 8) & 0x3f);
      if (at + 1 < out.length) out[at + 1] = target & 0xff;
    }
    return out;
  },
  // inserted or deleted bytes
  (m, r) => {
    const at = r.below(m.length + 1);
    if (r.below(2)) return Uint8Array.from([...m.subarray(0, at), ...Array.from({ length: 1 + r.below(4) }, () => r.below(256)), ...m.subarray(at)]);
    return Uint8Array.from([...m.subarray(0, at), ...m.subarray(Math.min(m.length, at + 1 + r.below(4)))]);
  },
  // the header ID (not covered by the MAC: a replay) and the flags word
  (m, r) => {
    const out = Uint8Array.from(m);
    const at = r.below(4);
    out[at] = r.below(256);
    return out;
  },
  // unchanged (the first copy of each seed is applied; later ones are replays)
  (m) => m,
];

/** A self-hosted core on a memory store: the real TSIG keys, DnsUpdates and built-in DNS server, with a fixed clock. */
async function memoryCore(): Promise<Core> {
  const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_DNS_NS: 'ns1.{zone}=127.0.0.1', SIGNPOST_DNS_SERIAL: '2024010100', SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'), SIGNPOST_DATA_DIR: tmpdir() });
  const core = await createCore(config, { store: new MemoryStore(), now: () => CLOCK_MS });
  await core.accounts.createUser({ username: 'alice', password: 'correct horse battery', domains: [`*.alice.${ZONE}`] });
  const key = await core.tsigKeys.create('alice', { name: KEY.name });
  KEY_SECRET.value = Buffer.from(key.secret, 'base64');
  return core;
}

/** What the store and the DNS server hold for the zone, comparable across cores. */
async function state(core: Core) {
  const hosts = (await core.store.listHosts()).map((h) => ({ name: h.name, owner: h.owner, addresses: h.addresses }));
  const challenges = (await core.store.listChallenges()).map((c) => ({ name: c.name, values: c.values, alias: c.alias ?? null }));
  const [zone] = await core.provider.zones();
  const records = (await core.provider.records(zone!)).filter((r) => r.type !== 'SOA');
  return JSON.parse(JSON.stringify({ hosts, challenges, records }));
}

describe('UPDATE fuzz', () => {
  it(`${PACKETS} mutated signed UPDATEs through a real DnsUpdates: no exception, an answer to each, the state exactly the valid messages' effect`, async () => {
    const core = await memoryCore();
    const responder = core.dns!.responder;
    const before = await state(core);
    const executed: DnsUpdateRequest[] = [];
    const service: DnsUpdateService = {
      resolveKey: (name) => core.tsigKeys.resolve(name),
      execute: async (request) => {
        executed.push(request);
        return core.dnsUpdates.execute(request);
      },
    };
    const now = () => CLOCK_MS;
    // No backoff: the fuzzer's failures would otherwise soon shut its address out and test nothing.
    responder.acceptUpdates(new UpdateListener({ service, now, throttle: { freeFailures: Infinity, baseDelayMs: 0, maxDelayMs: 0, forgetAfterMs: 0, maxKeys: 1 } }));
    const tsigKey: TsigKey = { name: KEY.name, secret: KEY_SECRET.value, algorithm: 'hmac-sha256' };

    const seeds = Array.from({ length: SEEDS }, (_, i) => {
      const { prerequisites, updates } = seedRecords(i);
      return sign(encodeUpdate({ id: i, flags: UPDATE_REQUEST_FLAGS, zone: { name: ZONE, class: CLASS.IN }, prerequisites, updates, additional: [] }), tsigKey, { time: NOW - (i % 200) }).message;
    });
    /** Request (without the source address) → how many more times it may be applied: once per seed that carries it. */
    const valid = new Map<string, number>();
    const reference = new RecordingService();
    const referenceListener = new UpdateListener({ service: reference, now });
    for (const seed of seeds) await referenceListener.handle(seed, '192.0.2.1', true);
    expect(reference.executed).toHaveLength(SEEDS);
    for (const request of reference.executed) {
      const id = JSON.stringify({ ...request, sourceAddress: '' });
      valid.set(id, (valid.get(id) ?? 0) + 1);
    }

    const r = prng(0x5eed);
    let answered = 0;
    const started = Date.now();
    for (let i = 0; i < PACKETS; i++) {
      // Awaited answers settle as microtasks: yield now and then so the test runner's own messages get through.
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      const seed = seeds[r.below(SEEDS)]!;
      const msg = Buffer.from(MUTATIONS[r.below(MUTATIONS.length)]!(seed, r));
      const tcp = r.below(2) === 0;
      const pending = responder.updating(msg, '198.51.100.1', tcp);
      // Plain checks: expect() on every packet would cost more than the packet.
      if (pending) {
        const answer = await pending;
        if (!answer || answer[0] !== msg[0] || answer[1] !== msg[1] || (answer[2]! & 0x80) === 0) throw new Error(`packet ${i} (${msg.toString('hex')}): bad answer ${answer && Buffer.from(answer).toString('hex')}`);
        answered++;
      } else {
        for (const _ of responder.respond(msg, '198.51.100.1', tcp));
      }
    }
    const elapsed = Date.now() - started;

    for (const request of executed) {
      const id = JSON.stringify({ ...request, sourceAddress: '' });
      expect(valid.get(id) ?? 0, id).toBeGreaterThan(0);
      valid.set(id, valid.get(id)! - 1);
    }
    expect(executed.length).toBeGreaterThan(SEEDS / 2); // valid messages did get through
    expect(answered).toBeGreaterThan(PACKETS * 0.8);
    // The store and DNS hold exactly what the applied messages, sent alone and in the same order, leave behind.
    const after = await state(core);
    expect(after).not.toEqual(before);
    const replay = await memoryCore();
    for (const request of executed) await replay.dnsUpdates.execute(request);
    expect(after).toEqual(await state(replay));
    await Promise.all([core.close(), replay.close()]);
    console.log(`update fuzz: ${PACKETS} packets in ${elapsed} ms, ${answered} UPDATE answers, ${executed.length} applied`);
  }, 120_000);
});
