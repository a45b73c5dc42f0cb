import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { clientKey, ConnectionTable, defaultPerClientLimit } from '../../src/adapters/net/connection-table.js';

class Conn {
  closed = false;
  constructor(
    readonly name: string,
    public busy = false,
  ) {}
  close(): void {
    this.closed = true;
  }
}

describe('ConnectionTable', () => {
  it('a client at its cap gives up its least recently active idle connection', () => {
    const table = new ConnectionTable<Conn>({ total: 10, perClient: 2 });
    const [a, b, c] = [new Conn('a'), new Conn('b'), new Conn('c')];
    expect(table.admit('192.0.2.1', a)).toBe(true);
    expect(table.admit('192.0.2.1', b)).toBe(true);
    table.touch(a); // b is now the least recently active
    expect(table.admit('192.0.2.1', c)).toBe(true);
    expect([a.closed, b.closed, c.closed]).toEqual([false, true, false]);
    expect(table.countFor('192.0.2.1')).toBe(2);
  });

  it('a full table makes room from the heaviest client, never from a busy connection', () => {
    const table = new ConnectionTable<Conn>({ total: 4, perClient: 4 });
    const heavy = [new Conn('h1', true), new Conn('h2'), new Conn('h3')];
    const light = new Conn('l1');
    heavy.forEach((c) => table.admit('192.0.2.1', c));
    table.admit('192.0.2.2', light);
    expect(table.admit('192.0.2.3', new Conn('n'))).toBe(true);
    expect(heavy.map((c) => c.closed)).toEqual([false, true, false]); // h1 is busy; h2 is the oldest idle one
    expect(light.closed).toBe(false);
    expect(table.size).toBe(4);
  });

  it('refuses a newcomer when every connection that could go is busy', () => {
    const table = new ConnectionTable<Conn>({ total: 2, perClient: 2 });
    table.admit('192.0.2.1', new Conn('a', true));
    table.admit('192.0.2.2', new Conn('b', true));
    expect(table.admit('192.0.2.3', new Conn('c'))).toBe(false);
    expect(table.size).toBe(2);
  });

  it('exempt clients (trusted proxies) are not held to the per-client cap', () => {
    const table = new ConnectionTable<Conn>({ total: 10, perClient: 1, exempt: (a) => a === '192.0.2.9' });
    const conns = [new Conn('a'), new Conn('b'), new Conn('c')];
    conns.forEach((c) => expect(table.admit('192.0.2.9', c)).toBe(true));
    expect(conns.some((c) => c.closed)).toBe(false);
  });

  it('remove is idempotent and forgets empty clients', () => {
    const table = new ConnectionTable<Conn>({ total: 2, perClient: 2 });
    const a = new Conn('a');
    table.admit('192.0.2.1', a);
    table.remove(a);
    table.remove(a);
    expect(table.size).toBe(0);
    expect(table.countFor('192.0.2.1')).toBe(0);
  });
});

describe('clientKey', () => {
  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:bbbb::2'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('192.0.2.1')).not.toBe(clientKey('192.0.2.2'));
  });

  it('an eighth of the table per client by default', () => {
    expect(defaultPerClientLimit(256)).toBe(32);
    expect(defaultPerClientLimit(5)).toBe(1);
  });
});

describe('connection limit settings', () => {
  const base = { SIGNPOST_ZONES: 'dyn.example.test' };
  it('per-client caps default to an eighth of the totals and follow them', () => {
    const c = loadConfig({ ...base, SIGNPOST_DNS_MAX_TCP: '80', SIGNPOST_HTTP_MAX_CONNECTIONS: '40' });
    expect([c.dns.maxTcpPerClient, c.http.maxConnectionsPerClient]).toEqual([10, 5]);
    expect(loadConfig(base).dns.maxTcpPerClient).toBe(32);
  });

  it('a cap below 1 or a timeout that is not a number stops the start, naming the variable', () => {
    expect(() => loadConfig({ ...base, SIGNPOST_DNS_MAX_TCP_PER_CLIENT: '0' })).toThrow(/SIGNPOST_DNS_MAX_TCP_PER_CLIENT/);
    expect(() => loadConfig({ ...base, SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: '-1' })).toThrow(/SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT/);
    expect(() => loadConfig({ ...base, SIGNPOST_HTTP_KEEPALIVE_SECONDS: 'soon' })).toThrow(/SIGNPOST_HTTP_KEEPALIVE_SECONDS/);
  });

  it('headers must arrive within the request timeout when that is shorter than 10 s', () => {
    expect(loadConfig({ ...base, SIGNPOST_HTTP_REQUEST_TIMEOUT_SECONDS: '4' }).http).toMatchObject({ requestTimeoutMs: 4000, headersTimeoutMs: 4000 });
  });
});
