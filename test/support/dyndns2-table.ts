/**
 * One dyndns2 test table, runnable against any deployment shape: the
 * in-process app the Node server serves, and the Lambda handler with v1, v2
 * and Function URL events. Each case starts from a fresh deployment holding
 * the users below and no hosts.
 */
export const TABLE_ZONES = ['dyn.example.test', 'example.org'] as const;
export const TABLE_USERS = [
  { username: 'alice', password: 'alice-password', domains: ['home.dyn.example.test', 'office.dyn.example.test', '*.alice.dyn.example.test'] },
  { username: 'bob', password: 'bob-password', domains: ['bob.dyn.example.test'] },
] as const;
export const TABLE_PEER = '203.0.113.9';
export const TABLE_UA = 'ddclient/3.10.0';

export interface TableRequest {
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly path?: string;
  readonly query?: string;
  /** Basic credentials; null sends none. Default alice. */
  readonly auth?: readonly [string, string] | null;
  /** Replaces the default headers (user agent) when given. */
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly peer?: string;
}

export interface TableResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

export interface TableTarget {
  request(req: TableRequest): Promise<TableResponse>;
  /** Published A/AAAA records of dyn.example.test as `name TYPE value`, sorted. */
  records(): Promise<string[]>;
  /** Makes the DNS backend fail the next change. */
  failDnsNext(): void;
}

export interface TableCase {
  readonly name: string;
  /** Requests sent first (their answers are not checked). */
  readonly before?: readonly TableRequest[];
  readonly request: TableRequest;
  readonly status?: number;
  readonly body: string;
  readonly headers?: Record<string, RegExp>;
  /** The published records afterwards. */
  readonly records?: readonly string[];
  readonly failDns?: boolean;
}

const up = (query: string, extra: Partial<TableRequest> = {}): TableRequest => ({ query, ...extra });

export const DYNDNS2_TABLE: readonly TableCase[] = [
  {
    name: 'good: publishes the address',
    request: up('hostname=home.dyn.example.test&myip=192.0.2.1'),
    body: 'good 192.0.2.1',
    headers: { 'content-type': /^text\/plain/, 'content-length': /^14$/ },
    records: ['home.dyn.example.test A 192.0.2.1'],
  },
  {
    name: 'nochg: the same address again',
    before: [up('hostname=home.dyn.example.test&myip=192.0.2.1')],
    request: up('hostname=home.dyn.example.test&myip=192.0.2.1'),
    body: 'nochg 192.0.2.1',
    records: ['home.dyn.example.test A 192.0.2.1'],
  },
  {
    name: 'good: a changed address replaces the old one',
    before: [up('hostname=home.dyn.example.test&myip=192.0.2.1')],
    request: up('hostname=home.dyn.example.test&myip=192.0.2.2'),
    body: 'good 192.0.2.2',
    records: ['home.dyn.example.test A 192.0.2.2'],
  },
  { name: 'badauth: wrong password', request: up('hostname=home.dyn.example.test&myip=192.0.2.1', { auth: ['alice', 'wrong-password'] }), body: 'badauth', records: [] },
  { name: 'badauth: unknown user', request: up('hostname=home.dyn.example.test&myip=192.0.2.1', { auth: ['mallory', 'alice-password'] }), body: 'badauth' },
  {
    name: '401 challenge without credentials',
    request: up('hostname=home.dyn.example.test&myip=192.0.2.1', { auth: null }),
    status: 401,
    body: 'badauth',
    headers: { 'www-authenticate': /^Basic realm="Signpost"/ },
  },
  {
    name: 'query-string credentials',
    request: up('username=alice&password=alice-password&hostname=home.dyn.example.test&myip=192.0.2.5', { auth: null }),
    body: 'good 192.0.2.5',
    records: ['home.dyn.example.test A 192.0.2.5'],
  },
  {
    name: 'form-encoded POST',
    request: {
      method: 'POST',
      body: 'hostname=home.dyn.example.test&myip=192.0.2.6',
      headers: { 'user-agent': TABLE_UA, 'content-type': 'application/x-www-form-urlencoded' },
    },
    body: 'good 192.0.2.6',
  },
  { name: 'notfqdn: a single-label name', request: up('hostname=localhost&myip=192.0.2.1'), body: 'notfqdn' },
  { name: 'notfqdn: no hostname', request: up('myip=192.0.2.1'), body: 'notfqdn' },
  { name: 'notfqdn: an address that is not one', request: up('hostname=home.dyn.example.test&myip=300.1.1.1'), body: 'notfqdn' },
  { name: 'nohost: a name granted to someone else', request: up('hostname=bob.dyn.example.test&myip=192.0.2.1'), body: 'nohost', records: [] },
  { name: 'nohost: a name in no served zone', request: up('hostname=home.elsewhere.example&myip=192.0.2.1'), body: 'nohost' },
  { name: 'nohost: a look-alike suffix is not the zone', request: up('hostname=home.evildyn.example.test&myip=192.0.2.1'), body: 'nohost' },
  {
    name: 'numhost: more than 20 names',
    request: up(`hostname=${Array.from({ length: 21 }, (_, i) => `h${i}.alice.dyn.example.test`).join(',')}&myip=192.0.2.1`),
    body: 'numhost',
  },
  { name: 'badagent: no User-Agent', request: up('hostname=home.dyn.example.test&myip=192.0.2.1', { headers: {} }), body: 'badagent' },
  { name: 'badsys: unknown system', request: up('system=nonsense&hostname=home.dyn.example.test&myip=192.0.2.1'), body: 'badsys' },
  { name: 'dnserr: the DNS backend fails', request: up('hostname=home.dyn.example.test&myip=192.0.2.1'), failDns: true, body: 'dnserr', records: [] },
  { name: 'IPv6 address', request: up('hostname=home.dyn.example.test&myipv6=2001:DB8:0::1'), body: 'good 2001:db8::1', records: ['home.dyn.example.test AAAA 2001:db8::1'] },
  {
    name: 'dual stack in one myip',
    request: up('hostname=home.dyn.example.test&myip=192.0.2.1,2001:db8::1'),
    body: 'good 192.0.2.1,2001:db8::1',
    records: ['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test AAAA 2001:db8::1'],
  },
  { name: "no myip: the caller's IPv4 address", request: up('hostname=home.dyn.example.test'), body: `good ${TABLE_PEER}` },
  {
    name: "no myip: the caller's IPv6 address",
    request: up('hostname=home.dyn.example.test', { peer: '2001:db8::99' }),
    body: 'good 2001:db8::99',
    records: ['home.dyn.example.test AAAA 2001:db8::99'],
  },
  { name: 'X-Forwarded-For from an untrusted peer is ignored', request: up('hostname=home.dyn.example.test', { headers: { 'user-agent': TABLE_UA, 'x-forwarded-for': '198.51.100.1' } }), body: `good ${TABLE_PEER}` },
  {
    name: 'several names, one line each in order',
    before: [up('hostname=office.dyn.example.test&myip=192.0.2.7')],
    request: up('hostname=home.dyn.example.test,office.dyn.example.test,bob.dyn.example.test,nas.alice.dyn.example.test&myip=192.0.2.7'),
    body: 'good 192.0.2.7\nnochg 192.0.2.7\nnohost\ngood 192.0.2.7',
  },
  { name: 'checkip answers the caller address', request: { path: '/nic/checkip', auth: null }, body: TABLE_PEER },
];
