/**
 * Interop with real resolvers' debugging tools: every authoritative
 * behaviour of issue 3 scope 2 checked with BIND's `dig` and Knot's `kdig`,
 * plus zone transfers (allow-list, TSIG) and IXFR fallback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { run } from '../interop/harness.js';
import { dig, flagsOf, parseZoneText, rawUdp, startTestDns, statusOf, ZONE, type TestDns } from './support.js';

const digPeer = requirePeer('dig');
const kdigPeer = requirePeer('kdig');
const KEY = 'xfr-key';
const SECRET = Buffer.from('signpost-test-tsig-secret-0123456789').toString('base64');

const ZONE_TEXT = `
host   A     192.0.2.1
host   AAAA  2001:db8::1
v6only AAAA  2001:db8::2
a.b.c  A     192.0.2.3
${Array.from({ length: 12 }, (_, i) => `big TXT "${String(i).padStart(2, '0')}${'x'.repeat(98)}"`).join('\n')}
${Array.from({ length: 20 }, (_, i) => `many${i}.deep.sub.tree A 10.0.0.${i}`).join('\n')}
`;

describe.skipIf(!digPeer.available)('dig (BIND 9 tools)', () => {
  let server: TestDns;
  const q = (...args: string[]) => dig(digPeer.path, server.port, args);

  beforeAll(async () => {
    server = await startTestDns(parseZoneText(ZONE, ZONE_TEXT), { SIGNPOST_DNS_TSIG_KEYS: `${KEY}:${SECRET}` });
  });
  afterAll(async () => server?.close());

  it('answers authoritatively (AA) without recursion', async () => {
    const r = await q('host.dyn.example.test', 'A');
    expect(statusOf(r.stdout)).toBe('NOERROR');
    expect(flagsOf(r.stdout)).toEqual(expect.arrayContaining(['qr', 'aa']));
    expect(flagsOf(r.stdout)).not.toContain('ra');
    expect(r.stdout).toMatch(/^host\.dyn\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.1$/m);
  });

  it('NXDOMAIN carries the SOA with the negative TTL', async () => {
    const r = await q('missing.dyn.example.test', 'A');
    expect(statusOf(r.stdout)).toBe('NXDOMAIN');
    expect(flagsOf(r.stdout)).toContain('aa');
    expect(r.stdout).toMatch(/AUTHORITY SECTION:\ndyn\.example\.test\.\s+60\s+IN\s+SOA\s+ns1\.dyn\.example\.test\. hostmaster\.dyn\.example\.test\. \d+ 3600 600 1209600 60/);
  });

  it('NODATA: existing name, other type → NOERROR, empty answer, SOA', async () => {
    const r = await q('v6only.dyn.example.test', 'A');
    expect(statusOf(r.stdout)).toBe('NOERROR');
    expect(r.stdout).toContain('ANSWER: 0');
    expect(r.stdout).toMatch(/AUTHORITY SECTION:\ndyn\.example\.test\.\s+60\s+IN\s+SOA/);
  });

  it('empty non-terminals are NODATA, not NXDOMAIN', async () => {
    for (const name of ['b.c.dyn.example.test', 'c.dyn.example.test']) {
      const r = await q(name, 'A');
      expect(statusOf(r.stdout)).toBe('NOERROR');
      expect(r.stdout).toContain('ANSWER: 0');
    }
  });

  it('REFUSED outside served zones, never recursing', async () => {
    for (const name of ['example.com', 'test', 'xdyn.example.test']) {
      const r = await q(name, 'A');
      expect(statusOf(r.stdout)).toBe('REFUSED');
      expect(flagsOf(r.stdout)).not.toContain('aa');
    }
  });

  it('ANY is minimal over UDP (RFC 8482) and complete over TCP', async () => {
    const udp = await q('host.dyn.example.test', 'ANY', '+notcp', '+noall', '+answer');
    expect(udp.stdout.trim().split('\n')).toHaveLength(1);
    const tcp = await q('host.dyn.example.test', 'ANY', '+tcp', '+noall', '+answer');
    expect(tcp.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('EDNS(0): OPT echoed with our payload size; version 1 gets BADVERS', async () => {
    const r = await q('host.dyn.example.test', 'A', '+bufsize=4096');
    expect(r.stdout).toMatch(/EDNS: version: 0, flags:; udp: 1232/);
    const d = await q('host.dyn.example.test', 'A', '+dnssec');
    expect(d.stdout).toMatch(/EDNS: version: 0, flags: do; udp: 1232/);
    const noedns = await q('host.dyn.example.test', 'A', '+noedns');
    expect(noedns.stdout).not.toContain('OPT PSEUDOSECTION');
    const v1 = await q('host.dyn.example.test', 'A', '+edns=1', '+noednsnegotiation');
    expect(v1.stdout).toContain('status: BADVERS');
  });

  it('sets TC when the answer exceeds the UDP size, and the TCP retry gets it all', async () => {
    const tc = await q('big.dyn.example.test', 'TXT', '+noedns', '+ignore');
    expect(flagsOf(tc.stdout)).toContain('tc');
    const retry = await q('big.dyn.example.test', 'TXT', '+noedns');
    expect(retry.stdout).toContain('Truncated, retrying in TCP mode');
    expect(retry.stdout).toContain('ANSWER: 12');
    // 1.3 kB > 1232, our EDNS ceiling: truncated even when the client offers 4096.
    const edns = await q('big.dyn.example.test', 'TXT', '+bufsize=4096', '+ignore');
    expect(flagsOf(edns.stdout)).toContain('tc');
    expect(edns.stdout).toContain('ANSWER: 0');
  });

  it('matches case-insensitively and echoes the question as asked', async () => {
    const r = await q('HoSt.DYN.example.TEST', 'A');
    expect(statusOf(r.stdout)).toBe('NOERROR');
    expect(r.stdout).toMatch(/QUESTION SECTION:\n;HoSt\.DYN\.example\.TEST\.\s+IN\s+A/);
    expect(r.stdout).toMatch(/192\.0\.2\.1/);
  });

  it('compresses names in answers', async () => {
    // 2 A records for one owner: without compression this is 12+26+4 + 2*(23+14) = 116 bytes.
    const r = await q('host.dyn.example.test', 'ANY', '+tcp', '+noedns');
    const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(r.stdout)?.[1]);
    expect(size).toBe(12 + 27 + 2 * (2 + 10) + 4 + 16); // header, question, 2 pointers + fixed fields, rdata
  });

  it('FORMERR for a header without a question; NOTIMP for an unsupported opcode', async () => {
    const h = await q('+header-only', 'host.dyn.example.test');
    expect(statusOf(h.stdout)).toBe('FORMERR');
    const u = await q('+opcode=status', 'host.dyn.example.test');
    expect(statusOf(u.stdout)).toBe('NOTIMP');
  });

  it('AXFR from an allowed address returns the zone between two SOAs', async () => {
    const r = await q(ZONE, 'AXFR');
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith(';'));
    expect(lines[0]).toMatch(/\sSOA\s/);
    expect(lines.at(-1)).toMatch(/\sSOA\s/);
    expect(lines).toHaveLength(2 + 2 + 1 + 4 + 12 + 20); // SOA×2, NS×2, glue, host A/AAAA, v6only, a.b.c, big×12, many×20
  });

  it('AXFR with a valid TSIG key is signed and verified by dig', async () => {
    const r = await q('-y', `hmac-sha256:${KEY}:${SECRET}`, ZONE, 'AXFR');
    expect(r.stdout).not.toMatch(/failed|tsig verify failure/i);
    expect(r.stdout).toMatch(/XFR size: 41 records/);
    expect(r.stdout).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 32 /);
  });

  it('AXFR with a wrong key or a wrong secret is refused with NOTAUTH', async () => {
    const badSecret = await q('-y', `hmac-sha256:${KEY}:${Buffer.from('wrong').toString('base64')}`, ZONE, 'AXFR');
    expect(badSecret.stdout).toMatch(/Transfer failed|NOTAUTH|tsig/i);
    expect(badSecret.stdout).not.toMatch(/XFR size/);
    const badKey = await q('-y', `hmac-sha256:other:${SECRET}`, ZONE, 'AXFR');
    expect(badKey.stdout).not.toMatch(/XFR size/);
  });

  it('IXFR from a current serial gets one SOA; from an old one the whole zone', async () => {
    const soa = await q(ZONE, 'SOA', '+short');
    const serial = Number(soa.stdout.trim().split(/\s+/)[2]);
    const current = await q(ZONE, `IXFR=${serial}`);
    expect(current.stdout.split('\n').filter((l) => /\sSOA\s/.test(l) && !l.startsWith(';'))).toHaveLength(1);
    const old = await q(ZONE, `IXFR=${serial - 5}`);
    expect(old.stdout).toMatch(/XFR size: 41 records/);
  });

  it('AXFR over UDP is not implemented; AXFR of a non-apex name is NOTAUTH', async () => {
    // dig always transfers over TCP, so the UDP case is a raw query.
    const axfrUdp = Buffer.from('1234000000010000000000000364796e076578616d706c65047465737400' + '00fc0001', 'hex');
    const udp = await rawUdp(server.port, axfrUdp);
    expect(udp?.[3]! & 0x0f).toBe(4);
    const sub = await q('host.dyn.example.test', 'AXFR');
    expect(sub.stdout).toMatch(/NOTAUTH|failed/i);
  });
});

describe.skipIf(!digPeer.available)('transfer allow-list', () => {
  it('refuses AXFR from an address not on the list', async () => {
    const server = await startTestDns(parseZoneText(ZONE, ZONE_TEXT), { SIGNPOST_DNS_AXFR_ALLOW: '192.0.2.0/24' });
    try {
      const r = await dig(digPeer.path, server.port, [ZONE, 'AXFR']);
      expect(r.stdout).toMatch(/Transfer failed|REFUSED/);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!kdigPeer.available)('kdig (Knot tools)', () => {
  let server: TestDns;
  const k = (...args: string[]) => run(kdigPeer.path, ['@127.0.0.1', '-p', String(server.port), '+timeout=2', '+retry=0', ...args], { timeoutMs: 20_000 });
  const kstatus = (out: string) => /status: ([A-Z]+)/.exec(out)?.[1];
  const kflags = (out: string) => (/;; Flags: ([a-z ]+);/.exec(out)?.[1] ?? '').trim().split(/\s+/);

  beforeAll(async () => {
    server = await startTestDns(parseZoneText(ZONE, ZONE_TEXT), { SIGNPOST_DNS_TSIG_KEYS: `${KEY}:${SECRET}` });
  });
  afterAll(async () => server?.close());

  it('AA answer, case-insensitive', async () => {
    // kdig lower-cases names itself, so case echo is checked with dig.
    const r = await k('HOST.dyn.example.test', 'A');
    expect(kstatus(r.stdout)).toBe('NOERROR');
    expect(kflags(r.stdout)).toEqual(expect.arrayContaining(['qr', 'aa']));
    expect(r.stdout).toContain('192.0.2.1');
  });

  it('NXDOMAIN + SOA, NODATA, empty non-terminal, REFUSED', async () => {
    const nx = await k('missing.dyn.example.test', 'A');
    expect(kstatus(nx.stdout)).toBe('NXDOMAIN');
    expect(nx.stdout).toMatch(/AUTHORITY SECTION:\n(;; )?dyn\.example\.test\.\s+60\s+IN\s+SOA/);
    const nodata = await k('v6only.dyn.example.test', 'A');
    expect(kstatus(nodata.stdout)).toBe('NOERROR');
    expect(nodata.stdout).toContain('ANSWER: 0');
    const ent = await k('b.c.dyn.example.test', 'A');
    expect(kstatus(ent.stdout)).toBe('NOERROR');
    const refused = await k('example.com', 'A');
    expect(kstatus(refused.stdout)).toBe('REFUSED');
  });

  it('ANY minimal over UDP, full over TCP', async () => {
    const udp = await k('host.dyn.example.test', 'ANY');
    expect(udp.stdout).toContain('ANSWER: 1');
    const tcp = await k('host.dyn.example.test', 'ANY', '+tcp');
    expect(tcp.stdout).toContain('ANSWER: 2');
  });

  it('EDNS, TC and TCP fallback', async () => {
    const e = await k('host.dyn.example.test', 'A', '+edns', '+bufsize=4096');
    expect(e.stdout).toMatch(/EDNS PSEUDOSECTION:\n;; Version: 0; flags: ; UDP size: 1232 B/);
    const tc = await k('big.dyn.example.test', 'TXT', '+noedns', '+ignore');
    expect(kflags(tc.stdout)).toContain('tc');
    const retried = await k('big.dyn.example.test', 'TXT', '+noedns');
    expect(retried.stdout).toContain('ANSWER: 12');
  });

  it('AXFR signed with TSIG and verified by kdig', async () => {
    const r = await k('-y', `hmac-sha256:${KEY}:${SECRET}`, ZONE, 'AXFR');
    expect(r.output).not.toMatch(/failed|;; (ERROR|WARNING)/i);
    expect(r.stdout).toMatch(/Received \d+ B \(\d+ messages?, 41 records\)/);
  });
});
