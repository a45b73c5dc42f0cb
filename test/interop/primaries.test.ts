/**
 * The primary-server harness itself (test/support/primaries.ts): for BIND 9,
 * Knot DNS and PowerDNS, the zone's TSIG key may UPDATE and AXFR and nothing
 * else may; restartEmpty really empties the zone; a paused server answers
 * nothing. The RFC 2136 interop tests rely on each of these.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIMARY_KINDS, PRIMARY_NAMES, randomTsigKey, requirePrimary, startPrimary, type Primary, type PrimaryKind, type TsigAlgorithm } from '../support/primaries.js';

const peers = Object.fromEntries(PRIMARY_KINDS.map((kind) => [kind, requirePrimary(kind)])) as Record<PrimaryKind, ReturnType<typeof requirePrimary>>;

const ZONE = 'dyn.example.test';

for (const kind of PRIMARY_KINDS) {
  describe.skipIf(!peers[kind].available)(`${PRIMARY_NAMES[kind]} as a TSIG primary (hmac-sha256)`, () => {
    let primary: Primary;
    beforeAll(async () => {
      primary = await startPrimary(kind, { zone: ZONE, algorithm: 'hmac-sha256' });
    });
    afterAll(async () => {
      await primary?.stop();
    });

    it('starts with only SOA and NS', async () => {
      expect((await primary.query(ZONE, 'SOA')).values).toHaveLength(1);
      expect((await primary.query(ZONE, 'NS')).values).toEqual(['ns1.example.net.']);
      const transfer = await primary.axfr();
      expect(transfer.ok).toBe(true);
      expect(transfer.records.map((r) => r.split(' ')[3]).sort()).toEqual(['NS', 'SOA', 'SOA']);
    });

    it('applies an nsupdate signed with the key, which dig then sees', async () => {
      await primary.addForeign({ name: `keyed.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] });
      expect(await primary.query(`keyed.${ZONE}`, 'A')).toEqual({ status: 'NOERROR', values: ['192.0.2.1'] });
    });

    it('refuses an nsupdate signed with a wrong secret, or not signed by a known key', async () => {
      const wrongSecret = randomTsigKey(primary.key.name, primary.key.algorithm);
      const unknownKey = randomTsigKey('someone-else', primary.key.algorithm);
      for (const key of [wrongSecret, unknownKey]) {
        const res = await primary.nsupdate([`update add wrong.${ZONE}. 60 IN A 192.0.2.66`], key);
        expect(res.code, res.output).not.toBe(0);
      }
      expect((await primary.query(`wrong.${ZONE}`, 'A')).status).toBe('NXDOMAIN');
    });

    it('transfers the zone only to the key', async () => {
      expect((await primary.axfr(null)).ok).toBe(false);
      expect((await primary.axfr(randomTsigKey(primary.key.name, primary.key.algorithm))).ok).toBe(false);
      const transfer = await primary.axfr();
      expect(transfer.ok).toBe(true);
      expect(transfer.records).toContain(`keyed.${ZONE}. 60 IN A 192.0.2.1`);
    });

    it('restartEmpty leaves SOA and NS only, on the same port', async () => {
      const port = primary.port;
      await primary.addForeign({ name: `gone.${ZONE}`, type: 'AAAA', ttl: 60, values: ['2001:db8::1'] });
      await primary.restartEmpty();
      expect(primary.port).toBe(port);
      expect((await primary.query(`gone.${ZONE}`, 'AAAA')).status).toBe('NXDOMAIN');
      expect((await primary.query(`keyed.${ZONE}`, 'A')).status).toBe('NXDOMAIN');
      const transfer = await primary.axfr();
      expect(transfer.records.map((r) => r.split(' ')[3]).sort()).toEqual(['NS', 'SOA', 'SOA']);
      // And it still takes updates after the restart.
      await primary.addForeign({ name: `again.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.2'] });
      expect((await primary.query(`again.${ZONE}`, 'A')).values).toEqual(['192.0.2.2']);
    });

    it('emptyZone removes every record but SOA and NS without a restart', async () => {
      await primary.addForeign({ name: `a.b.${ZONE}`, type: 'TXT', ttl: 60, values: ['"one"', '"two"'] });
      await primary.addForeign({ name: `*.w.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.3'] });
      await primary.addForeign({ name: ZONE, type: 'MX', ttl: 60, values: ['10 mail.example.net.'] });
      await primary.emptyZone();
      const transfer = await primary.axfr();
      expect(transfer.records.map((r) => r.split(' ')[3]).sort()).toEqual(['NS', 'SOA', 'SOA']);
      await primary.emptyZone(); // nothing left to delete
    });

    it('answers nothing while paused, and again once resumed', async () => {
      primary.pause();
      try {
        expect((await primary.query(ZONE, 'SOA', { timeoutSeconds: 1 })).status).toBe('TIMEOUT');
      } finally {
        primary.resume();
      }
      expect((await primary.query(ZONE, 'SOA')).status).toBe('NOERROR');
    });
  });
}

// hmac-sha512 on every server that has it: signed updates pass, a wrong secret does not.
const SHA512: TsigAlgorithm = 'hmac-sha512';
for (const kind of PRIMARY_KINDS) {
  describe.skipIf(!peers[kind].available)(`${PRIMARY_NAMES[kind]} as a TSIG primary (${SHA512})`, () => {
    let primary: Primary;
    beforeAll(async () => {
      primary = await startPrimary(kind, { zone: ZONE, algorithm: SHA512 });
    });
    afterAll(async () => {
      await primary?.stop();
    });

    it('takes updates signed with the key only', async () => {
      expect(primary.key.algorithm).toBe(SHA512);
      await primary.addForeign({ name: `mx.${ZONE}`, type: 'MX', ttl: 60, values: ['10 mail.example.net.'] });
      expect((await primary.query(`mx.${ZONE}`, 'MX')).values).toEqual(['10 mail.example.net.']);
      const res = await primary.nsupdate([`update add wrong.${ZONE}. 60 IN A 192.0.2.66`], randomTsigKey(primary.key.name, SHA512));
      expect(res.code, res.output).not.toBe(0);
      expect((await primary.query(`wrong.${ZONE}`, 'A')).status).toBe('NXDOMAIN');
    });
  });
}
