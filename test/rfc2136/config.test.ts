/**
 * SIGNPOST_PUBLISHER=rfc2136 and its variables: server forms, keys and
 * algorithms, per-zone overrides from the zones file, the built-in server
 * switch, and error sentences that never show the secret.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { KNOWN_VARIABLES } from '../../src/config/known-variables.js';
import { parseServer } from '../../src/config/rfc2136-env.js';

const SECRET = Buffer.from('rfc2136-config-test-secret').toString('base64');
const base = { SIGNPOST_ZONES: 'dyn.example.com,home.example.net', SIGNPOST_PUBLISHER: 'rfc2136', SIGNPOST_RFC2136_SERVER: '192.0.2.53', SIGNPOST_RFC2136_KEY: `signpost:${SECRET}` };
const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('RFC 2136 publisher configuration', () => {
  it('defaults to the built-in publisher and server', () => {
    expect(loadConfig({}).publisher).toEqual({ kind: 'builtin', builtinDns: true, rfc2136Zones: [] });
  });

  it('reads server, key and algorithm for every zone; the built-in server is off unless SIGNPOST_DNS=on', () => {
    const c = loadConfig({ ...base, SIGNPOST_RFC2136_ALGORITHM: 'hmac-sha512' });
    expect(c.publisher.kind).toBe('rfc2136');
    expect(c.publisher.builtinDns).toBe(false);
    expect(c.publisher.rfc2136Zones).toEqual(
      ['dyn.example.com', 'home.example.net'].map((name) => ({ name, server: { host: '192.0.2.53', port: 53 }, key: { name: 'signpost', algorithm: 'hmac-sha512', secret: Buffer.from(SECRET, 'base64') } })),
    );
    expect(loadConfig({ ...base, SIGNPOST_DNS: 'on' }).publisher.builtinDns).toBe(true);
  });

  it.each([
    ['192.0.2.53', { host: '192.0.2.53', port: 53 }],
    ['192.0.2.53:5353', { host: '192.0.2.53', port: 5353 }],
    ['[2001:db8::53]:53', { host: '2001:db8::53', port: 53 }],
    ['[2001:db8::53]', { host: '2001:db8::53', port: 53 }],
    ['2001:db8::53', { host: '2001:db8::53', port: 53 }],
    ['ns1.example.com:53', undefined],
    ['192.0.2.53:0', undefined],
    ['192.0.2.53:70000', undefined],
  ])('server %s', (raw, expected) => {
    expect(parseServer(raw)).toEqual(expected);
  });

  it('takes per-zone servers and keys from the zones file, keys by name from SIGNPOST_RFC2136_KEY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signpost-rfc2136-config-'));
    const file = join(dir, 'zones.json');
    await writeFile(file, JSON.stringify({ 'home.example.net': { rfc2136: { server: '[2001:db8::2]:5300', key: 'Home-Key.' } } }));
    const c = loadConfig({ ...base, SIGNPOST_RFC2136_KEY: `signpost:${SECRET},hmac-sha512:home-key:${SECRET}`, SIGNPOST_DNS_ZONES_FILE: file });
    expect(c.publisher.rfc2136Zones.map((z) => [z.name, z.server, z.key.name, z.key.algorithm])).toEqual([
      ['dyn.example.com', { host: '192.0.2.53', port: 53 }, 'signpost', 'hmac-sha256'],
      ['home.example.net', { host: '2001:db8::2', port: 5300 }, 'home-key', 'hmac-sha512'],
    ]);
    await writeFile(file, JSON.stringify({ 'home.example.net': { rfc2136: { key: 'missing' } } }));
    expect(error({ ...base, SIGNPOST_DNS_ZONES_FILE: file })).toContain("zone home.example.net names rfc2136 key 'missing', which SIGNPOST_RFC2136_KEY does not define");
    await writeFile(file, JSON.stringify({ 'home.example.net': { rfc2136: { server: 'primary' } } }));
    expect(error({ ...base, SIGNPOST_DNS_ZONES_FILE: file })).toContain("zone home.example.net has rfc2136 server 'primary', which is not address[:port]");
  });

  it('says what is missing or wrong in sentences, never showing the secret', () => {
    const { SIGNPOST_RFC2136_SERVER: _s, SIGNPOST_RFC2136_KEY: _k, ...bare } = base;
    const missing = error(bare);
    expect(missing).toContain("SIGNPOST_PUBLISHER=rfc2136 needs SIGNPOST_RFC2136_SERVER (the primary's address:port)");
    expect(missing).toContain('SIGNPOST_PUBLISHER=rfc2136 needs SIGNPOST_RFC2136_KEY (name:base64secret');
    expect(missing.split('\n').length).toBe(3); // once per variable, not per zone
    const badKey = error({ ...base, SIGNPOST_RFC2136_KEY: 'signpost:not base64!' });
    expect(badKey).toContain('SIGNPOST_RFC2136_KEY must be name:base64secret');
    expect(badKey).toContain('got a value that is not shown');
    expect(badKey).not.toContain('not base64!');
    expect(error({ ...base, SIGNPOST_RFC2136_SERVER: 'ns1' })).toContain("SIGNPOST_RFC2136_SERVER must be the primary server as address[:port], e.g. 192.0.2.53:53 or [2001:db8::53]:53 (port 53 when left out), got 'ns1'");
    expect(error({ ...base, SIGNPOST_RFC2136_ALGORITHM: 'hmac-md5' })).toContain('SIGNPOST_RFC2136_ALGORITHM must be one of hmac-sha256, hmac-sha512');
    expect(error({ SIGNPOST_PUBLISHER: 'bind' })).toContain('SIGNPOST_PUBLISHER must be one of builtin, rfc2136');
    expect(error({ SIGNPOST_DNS: 'off' })).toContain('SIGNPOST_DNS=off needs SIGNPOST_PUBLISHER=rfc2136');
  });

  it('knows the new variables (no misspelling warning)', () => {
    for (const v of ['SIGNPOST_PUBLISHER', 'SIGNPOST_DNS', 'SIGNPOST_RFC2136_SERVER', 'SIGNPOST_RFC2136_KEY', 'SIGNPOST_RFC2136_ALGORITHM']) expect(KNOWN_VARIABLES.has(v)).toBe(true);
  });
});
