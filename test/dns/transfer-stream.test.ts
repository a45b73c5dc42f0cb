/**
 * A large zone transfer streams from one snapshot across many event-loop
 * turns: queries keep being answered while it runs, and an update made
 * mid-transfer does not leak into it.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RRSet } from '../../src/domain/records.js';
import { rawUdp, startTestDns, ZONE, type TestDns } from './support.js';

const N = 100_000;
const EXPECTED = N + 2 + 2 + 1; // hosts, SOA×2, NS×2 (ns1 + ns2), glue
const AXFR = Buffer.from('00070000000100000000000003' + Buffer.from('dyn').toString('hex') + '07' + Buffer.from('example').toString('hex') + '04' + Buffer.from('test').toString('hex') + '0000fc0001', 'hex');
const Q_H0 = Buffer.from('00080000000100000000000002' + Buffer.from('h0').toString('hex') + '0364796e076578616d706c6504746573740000010001', 'hex');

describe('streamed zone transfer', () => {
  let server: TestDns;
  beforeAll(async () => {
    const records: RRSet[] = Array.from({ length: N }, (_, i) => ({ name: `h${i}.${ZONE}`, type: 'A', ttl: 60, values: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`] }));
    server = await startTestDns(records);
  });
  afterAll(async () => server?.close());

  it('keeps answering queries during a 100k-record AXFR, which stays consistent', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let records = 0;
    let messages = 0;
    const done = new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error(`transfer incomplete: ${records} records in ${messages} messages`)), 15_000);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          messages++;
          records += msg.readUInt16BE(6);
          if (records >= EXPECTED) resolve();
        }
      });
    });
    socket.write(Buffer.concat([Buffer.of(0, AXFR.length), AXFR]));

    // Mid-transfer: an update lands and queries get answered quickly.
    const latencies: number[] = [];
    // Only once the first message arrived is the transfer's snapshot certainly taken (a fixed 5 ms wait
    // was not always enough for the server to read the request).
    while (messages === 0) await new Promise((r) => setTimeout(r, 1));
    await server.dns.publisher.apply(ZONE, { create: [{ name: `late.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.99'] }], update: [], delete: [] });
    let seenDuringFirstQuery = -1;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const answer = await rawUdp(server.port, Q_H0);
      latencies.push(performance.now() - t);
      if (i === 0) seenDuringFirstQuery = records;
      expect(answer?.subarray(-4)).toEqual(Buffer.of(10, 0, 0, 0));
    }
    expect(seenDuringFirstQuery).toBeLessThan(EXPECTED); // the query was answered while the transfer ran
    await done;
    socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(records).toBe(EXPECTED); // nothing more (the mid-transfer update is not in it)
    expect(messages).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(250);
  });
});
