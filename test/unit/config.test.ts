import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { unknownVariableWarnings } from '../../src/config/known-variables.js';

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

describe('configuration errors read as sentences', () => {
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it.each([
    [{ SIGNPOST_TTL: 'abc' }, "SIGNPOST_TTL must be a whole number of seconds between 1 and 86400, got 'abc'"],
    [{ SIGNPOST_TTL: '1e3' }, "SIGNPOST_TTL must be a whole number of seconds between 1 and 86400, got '1e3'"],
    [{ SIGNPOST_HTTP_PORT: 'eighty' }, "SIGNPOST_HTTP_PORT must be a port number between 0 and 65535 (0 picks a free one), got 'eighty'"],
    [{ SIGNPOST_DNS_PORT: '70000' }, "SIGNPOST_DNS_PORT must be a port number between 0 and 65535 (0 picks a free one), got '70000'"],
    [{ SIGNPOST_HOST: 'not-an-ip' }, "SIGNPOST_HOST must be an IP address of this machine, such as 0.0.0.0, :: or 127.0.0.1, got 'not-an-ip'"],
    [{ SIGNPOST_DNS_HOST: 'localhost' }, "SIGNPOST_DNS_HOST must be an IP address of this machine, such as 0.0.0.0, :: or 127.0.0.1, got 'localhost'"],
    [{ SIGNPOST_LOG_LEVEL: 'loud' }, "SIGNPOST_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'"],
    [{ SIGNPOST_ZONES: 'bad_zone!' }, "SIGNPOST_ZONES must be comma-separated domain names, e.g. dyn.example.com, got 'bad_zone!'"],
    [{ SIGNPOST_DNS_NS: 'bad_name' }, "SIGNPOST_DNS_NS must be comma-separated host names with optional glue"],
    [{ SIGNPOST_DNS_NS: 'ns1.{zone}=not-an-ip' }, 'SIGNPOST_DNS_NS must be comma-separated host names with optional glue'],
    [{ SIGNPOST_DNS_MAX_TCP: '0' }, "SIGNPOST_DNS_MAX_TCP must be a whole number of at least 1, got '0'"],
    [{ SIGNPOST_DNS_TCP_IDLE_SECONDS: 'soon' }, "SIGNPOST_DNS_TCP_IDLE_SECONDS must be a number of seconds of at least 0.05, got 'soon'"],
    [{ SIGNPOST_SHUTDOWN_GRACE_SECONDS: '-1' }, "SIGNPOST_SHUTDOWN_GRACE_SECONDS must be a number of seconds of at least 0, got '-1'"],
  ])('%o → %s', (env, expected) => {
    expect(message(env)).toContain(expected);
  });

  it.each([['xfr:not base64!'], ['xfr:c2VjcmV0#'], ['xfr:c2VjcmV0IQ']])('refuses a TSIG secret that is not base64 (%s) without showing it', (keys) => {
    const text = message({ SIGNPOST_DNS_TSIG_KEYS: keys });
    expect(text).toContain('SIGNPOST_DNS_TSIG_KEYS must be comma-separated name:secret entries, each secret in base64');
    expect(text).not.toContain(keys.split(':')[1]);
  });

  it('never shows the admin key it refuses', () => {
    const text = message({ SIGNPOST_ADMIN_KEY: 'short-secret' });
    expect(text).toContain('SIGNPOST_ADMIN_KEY must be at least 16 characters long');
    expect(text).not.toContain('short-secret');
  });

  it('accepts what the README documents', () => {
    const c = loadConfig({ SIGNPOST_DNS_NS: 'ns1.{zone}=192.0.2.53,ns2.example.net', SIGNPOST_DNS_TSIG_KEYS: 'xfr:c2VjcmV0', SIGNPOST_HOST: '::' });
    expect(c.dns.zones[0]?.nameservers.map((n) => n.name)).toEqual(['ns1.dyn.example.test', 'ns2.example.net']);
    expect(c.dns.tsigKeys).toEqual(['xfr:c2VjcmV0']);
  });
});

describe('unknown SIGNPOST_* variables', () => {
  it('names the closest known variable of a typo', () => {
    expect(unknownVariableWarnings({ SIGNPOST_ZONE: 'dyn.example.com', SIGNPOST_HTTP_PROT: '80', PATH: '/bin' })).toEqual([
      'SIGNPOST_HTTP_PROT is not a Signpost setting and is ignored; did you mean SIGNPOST_HTTP_PORT?',
      'SIGNPOST_ZONE is not a Signpost setting and is ignored; did you mean SIGNPOST_ZONES?',
    ]);
  });

  it('offers no far-fetched suggestion and knows the Lambda and instance variables', () => {
    expect(unknownVariableWarnings({ SIGNPOST_COMPLETELY_DIFFERENT: 'x' })).toEqual(['SIGNPOST_COMPLETELY_DIFFERENT is not a Signpost setting and is ignored']);
    expect(unknownVariableWarnings({ SIGNPOST_TABLE_NAME: 't', SIGNPOST_INSTANCE_EVENTS: 'true', SIGNPOST_DNS_NS: 'ns1.{zone}', SIGNPOST_LAMBDA_ENTRY: 'http' })).toEqual([]);
  });
});

describe('SIGNPOST_ACME_DNS_ZONE', () => {
  it('defaults to acme.<first zone> and must lie strictly below a served zone', () => {
    expect(loadConfig({ SIGNPOST_ZONES: 'dyn.example.test,example.org' }).acmeDns.zone).toBe('acme.dyn.example.test');
    expect(loadConfig({ SIGNPOST_ZONES: 'dyn.example.test,example.org', SIGNPOST_ACME_DNS_ZONE: 'Certs.Example.Org.' }).acmeDns.zone).toBe('certs.example.org');
    // the zone's apex would reserve every name in it; a name outside the zones could never be served
    for (const value of ['dyn.example.test', 'acme.other.test']) {
      expect(() => loadConfig({ SIGNPOST_ZONES: 'dyn.example.test', SIGNPOST_ACME_DNS_ZONE: value })).toThrow('SIGNPOST_ACME_DNS_ZONE must lie below one of SIGNPOST_ZONES');
    }
  });
});
