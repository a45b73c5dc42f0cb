/**
 * Fuzzing the UPDATE path in process: valid signed UPDATEs, mutated (bit
 * flips, truncation, count fields, lengths, names, inserted and deleted
 * bytes, TSIG fields), go through the responder exactly as the sockets hand
 * them over. None may throw; every UPDATE request gets an answer with its
 * ID; and the use case sees only requests that valid messages carried, each
 * at most once (a mutation that still verifies, such as another header ID,
 * is a replay).
 */
import { describe, expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { Responder } from '../../src/adapters/dns/builtin/responder.js';
import { sign, type TsigKey } from '../../src/adapters/dns/builtin/tsig.js';
import { isUpdateRequest, UpdateListener } from '../../src/adapters/dns/builtin/update-listener.js';
import { CLASS, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { encodeUpdate, UPDATE_REQUEST_FLAGS, type UpdateRecord } from '../../src/adapters/dns/rfc2136/update-message.js';
import { CidrSet } from '../../src/domain/ip.js';
import type { DnsUpdateRequest, DnsUpdateService, UpdateKey } from '../../src/domain/dns-update.js';
import { dnsEnv, ZONE } from './support.js';

const NOW = 1_800_000_000;
const PACKETS = 200_000;
const SEEDS = 2_000;
const KEY: UpdateKey = { name: 'fuzz-key', algorithm: 'hmac-sha256', secret: Buffer.from('fuzz-secret-0123456789abcdef0123456'), username: 'alice' };
const TSIG_KEY: TsigKey = { name: KEY.name, secret: Buffer.from(KEY.secret), algorithm: KEY.algorithm };

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

class RecordingService implements DnsUpdateService {
  readonly executed: DnsUpdateRequest[] = [];
  async resolveKey(name: string) {
    return name === KEY.name ? KEY : undefined;
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

describe('UPDATE fuzz', () => {
  it(`${PACKETS} mutated signed UPDATEs: no exception, an answer to each, only valid messages applied, each once`, async () => {
    const service = new RecordingService();
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 5 });
    const now = () => NOW * 1000;
    const responder = new Responder({ zones: publisher, transfer: { allow: new CidrSet([]), keys: new Map() }, now: () => NOW });
    // No backoff: the fuzzer's failures would otherwise soon shut its address out and test nothing.
    responder.acceptUpdates(new UpdateListener({ service, now, throttle: { freeFailures: Infinity, baseDelayMs: 0, maxDelayMs: 0, forgetAfterMs: 0, maxKeys: 1 } }));

    /** Request (without the source address) → how many more times it may be applied. */
    const valid = new Map<string, number>();
    const seeds = Array.from({ length: SEEDS }, (_, i) => {
      const { prerequisites, updates } = seedRecords(i);
      const message = sign(encodeUpdate({ id: i, flags: UPDATE_REQUEST_FLAGS, zone: { name: ZONE, class: CLASS.IN }, prerequisites, updates, additional: [] }), TSIG_KEY, { time: NOW - (i % 200) }).message;
      return message;
    });
    // The requests the seeds carry, as the use case would see them (learnt by sending each seed to a listener of its own).
    const reference = new RecordingService();
    const referenceListener = new UpdateListener({ service: reference, now });
    for (const s of seeds) await referenceListener.handle(s, '192.0.2.1', true);
    // Seeds of the same content may each be applied once: count how many carry each request.
    for (const request of reference.executed) {
      const id = JSON.stringify({ ...request, sourceAddress: '' });
      valid.set(id, (valid.get(id) ?? 0) + 1);
    }
    expect(reference.executed).toHaveLength(SEEDS);

    const r = prng(0x5eed);
    let answered = 0;
    const started = Date.now();
    for (let i = 0; i < PACKETS; i++) {
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
        if (isUpdateRequest(msg)) throw new Error(`packet ${i}: an UPDATE request not taken`);
        for (const _ of responder.respond(msg, '198.51.100.1', tcp));
      }
    }
    const elapsed = Date.now() - started;

    for (const request of service.executed) {
      const id = JSON.stringify({ ...request, sourceAddress: '' });
      expect(valid.get(id) ?? 0, id).toBeGreaterThan(0);
      valid.set(id, valid.get(id)! - 1);
    }
    expect(service.executed.length).toBeGreaterThan(SEEDS / 2); // valid messages did get through
    expect(answered).toBeGreaterThan(PACKETS * 0.8);
    console.log(`update fuzz: ${PACKETS} packets in ${elapsed} ms, ${answered} UPDATE answers, ${service.executed.length} applied`);
  }, 120_000);
});
