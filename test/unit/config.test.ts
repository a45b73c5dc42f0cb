import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';

describe('configuration', () => {
  it('runs with zero configuration', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ dataDir: './data', httpPort: 8080, dnsPort: 5353, zones: ['dyn.example.test'], trustedProxies: [] });
    expect(c.adminKey).toBeUndefined();
  });

  it('reads the documented variables', () => {
    const c = loadConfig({
      SIGNPOST_DATA_DIR: '/var/lib/signpost',
      SIGNPOST_HOST: '::',
      SIGNPOST_HTTP_PORT: '80',
      SIGNPOST_DNS_PORT: '53',
      SIGNPOST_ZONES: 'Dyn.Example.COM., home.example.net',
      SIGNPOST_ADMIN_KEY: 'a-very-long-admin-key',
      SIGNPOST_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::1',
    });
    expect(c).toMatchObject({ host: '::', httpPort: 80, dnsPort: 53, zones: ['dyn.example.com', 'home.example.net'], adminKey: 'a-very-long-admin-key' });
    expect(c.trustedProxies).toEqual(['10.0.0.0/8', '2001:db8::1']);
  });

  it.each([
    ['SIGNPOST_HTTP_PORT', 'eighty'],
    ['SIGNPOST_HTTP_PORT', '70000'],
    ['SIGNPOST_DNS_PORT', '-1'],
    ['SIGNPOST_ZONES', 'bad_zone!,x'],
    ['SIGNPOST_ADMIN_KEY', 'short'],
    ['SIGNPOST_TRUSTED_PROXIES', '10.0.0.0/99'],
    ['SIGNPOST_LOG_LEVEL', 'loud'],
  ])('stops on a bad %s with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
