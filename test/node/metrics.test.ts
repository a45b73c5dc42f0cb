/**
 * `/metrics` of a running server after real traffic (HTTP, dyndns2, DNS over
 * UDP and TCP, a zone transfer, an UPDATE, a NOTIFY acknowledged by a fake
 * secondary): the series carry the labels a dashboard groups by, and every
 * metric name docs/grafana-dashboard.json queries is exported with samples.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, ZONE, ADMIN_KEY, type TestServer } from '../interop/harness.js';
import { rawUdp, waitFor } from '../dns/support.js';

const PASSWORD = 'alice-password-1';
let server: TestServer;
let secondary: UdpSocket;
let notified = 0;
let text = '';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const query = (name: string, type: dnsPacket.RecordType, id = 1, flags = 0) => dnsPacket.encode({ type: 'query', id, flags, questions: [{ type, name }] });

/** One message over TCP; resolves with every answer message until the connection goes quiet or closes. */
function tcp(port: number, msg: Uint8Array, expect = 1): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 255]), msg])));
    let pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        out.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (out.length >= expect) socket.end();
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

/** The value of one sample, by name and exact labels (in the order exported), or undefined. */
const sample = (name: string, labels = '') => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

beforeAll(async () => {
  // A secondary that acknowledges every NOTIFY.
  secondary = createSocket('udp4');
  secondary.on('message', (msg, rinfo) => {
    notified++;
    const ack = Buffer.from(msg);
    ack[2]! |= 0x80;
    secondary.send(ack.subarray(0, 12 + (msg.length - 12)), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => secondary.bind(0, '127.0.0.1', resolve));
  server = await startTestServer({ SIGNPOST_DNS_AXFR_ALLOW: '127.0.0.1/32', SIGNPOST_DNS_NOTIFY: `127.0.0.1:${secondary.address().port}` });
  await server.core.accounts.createUser({ username: 'alice', password: PASSWORD, domains: [`*.alice.${ZONE}`] });
  const dnsPort = server.dnsPort!;

  // HTTP: a successful update (publishes), wrong passwords until the throttle steps in, an admin route with a parameter.
  const update = (user: string, password: string) => fetch(`${server.url}/nic/update?hostname=home.alice.${ZONE}&myip=192.0.2.10`, { headers: { authorization: basic(user, password) } });
  expect(await (await update('alice', PASSWORD)).text()).toBe('good 192.0.2.10');
  for (let i = 0; i < 7; i++) await (await update('mallory', 'wrong-password')).text();
  expect((await fetch(`${server.url}/hosts/home.alice.${ZONE}`, { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
  expect((await fetch(`${server.url}/no/such/page?secret=1`)).status).toBe(404);
  expect((await fetch(`${server.url}//nic/checkip/`)).status).toBe(200);
  await waitFor(async () => notified > 0, 5000);

  // DNS: the same question twice over UDP (the second from the answer cache), a name that does not exist, TCP, AXFR, an unsigned UPDATE.
  for (let i = 0; i < 2; i++) expect(await rawUdp(dnsPort, query(`home.alice.${ZONE}`, 'A', 10 + i))).toBeDefined();
  expect(await rawUdp(dnsPort, query(`nothing.${ZONE}`, 'AAAA'))).toBeDefined();
  expect(await tcp(dnsPort, query(ZONE, 'SOA'))).toHaveLength(1);
  const axfr = await tcp(dnsPort, query(ZONE, 'AXFR'), 1);
  expect(axfr.length).toBeGreaterThan(0);
  const updateMsg = query(ZONE, 'SOA', 77, 5 << 11);
  expect(await rawUdp(dnsPort, updateMsg)).toBeDefined();

  const res = await fetch(`${server.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  text = await res.text();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  secondary?.close();
});

describe('/metrics after real traffic', () => {
  it('counts DNS answers by question type, response code and transport, and cache hits, from plain counters', () => {
    expect(sample('signpost_dns_queries_total', '{qtype="A",rcode="NOERROR",transport="udp"}')).toBe(2);
    expect(sample('signpost_dns_cache_hits_total', '{qtype="A",transport="udp"}')).toBe(1);
    expect(sample('signpost_dns_queries_total', '{qtype="AAAA",rcode="NXDOMAIN",transport="udp"}')).toBe(1);
    expect(sample('signpost_dns_queries_total', '{qtype="SOA",rcode="NOERROR",transport="tcp"}')).toBe(1);
    expect(sample('signpost_dns_queries_total', '{qtype="AXFR",rcode="NOERROR",transport="tcp"}')).toBe(1);
  });

  it('counts zone transfers, UPDATEs by response code, NOTIFY outcomes and each zone serial', () => {
    expect(sample('signpost_dns_transfers_total', '{type="AXFR",outcome="completed"}')).toBe(1);
    expect(text).toMatch(/^signpost_dns_updates_total\{rcode="(REFUSED|NOTAUTH|FORMERR)"\} 1$/m);
    expect(sample('signpost_dns_notifies_total', '{outcome="acked"}')).toBeGreaterThanOrEqual(1);
    const serial = server.core.dns!.publisher.snapshot(ZONE)!.serial;
    expect(sample('signpost_dns_soa_serial', `{zone="${ZONE}"}`)).toBe(serial);
  });

  it('counts HTTP requests by route pattern and status, never by raw URL', () => {
    expect(sample('signpost_http_requests_total', '{method="GET",route="/nic/update",status="200"}')).toBe(8);
    expect(sample('signpost_http_requests_total', '{method="GET",route="/hosts/:name",status="200"}')).toBe(1);
    expect(sample('signpost_http_requests_total', '{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample('signpost_http_requests_total', '{method="GET",route="/nic/checkip",status="200"}')).toBe(1);
    expect(text).not.toContain(`home.alice.${ZONE}"`);
    expect(text).not.toContain('secret');
  });

  it('counts failed logins by door and result, publish latency per backend, and what the store holds', () => {
    expect(sample('signpost_login_failures_total', '{door="dyndns2",result="badauth"}')).toBeGreaterThanOrEqual(5);
    expect(sample('signpost_login_failures_total', '{door="dyndns2",result="throttled"}')).toBeGreaterThanOrEqual(1);
    expect(sample('signpost_publish_duration_seconds_count', '{backend="builtin",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample('signpost_users')).toBe(1);
    expect(sample('signpost_hosts')).toBe(1);
    expect(sample('signpost_hosts_blocked')).toBe(0);
    expect(sample('signpost_challenge_values')).toBe(0);
  });

  it('exports, with samples, every metric name the Grafana dashboard queries', () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const used = new Set(dashboard.match(/\bsignpost_[a-z0-9_]+/g));
    expect(used.size).toBeGreaterThan(15);
    const exported = new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    // Every panel queries through the data source the import asks for.
    const parsed = JSON.parse(dashboard) as { panels: { type: string; targets?: { expr: string }[] }[] };
    for (const p of parsed.panels.filter((p) => p.type !== 'row')) expect(p.targets?.length).toBeGreaterThan(0);
  });
});
