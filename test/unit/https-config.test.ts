import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { LETS_ENCRYPT_DIRECTORY } from '../../src/adapters/tls/https-settings.js';

const load = (env: Record<string, string>) => loadConfig({ SIGNPOST_ZONES: 'dyn.example.com', ...env });
const refusal = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('HTTPS settings', () => {
  it('are off by default', () => {
    expect(load({}).https).toBeUndefined();
  });

  it('serve certificate files', () => {
    expect(load({ SIGNPOST_HTTPS_PORT: '8443', SIGNPOST_TLS_CERT: '/etc/c.pem', SIGNPOST_TLS_KEY: '/etc/k.pem' }).https).toEqual({
      port: 8443,
      certificate: { kind: 'files', certFile: '/etc/c.pem', keyFile: '/etc/k.pem' },
    });
  });

  it('obtain a certificate from Let’s Encrypt by default, renewing 30 days before expiry', () => {
    expect(load({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_PUBLIC_NAME: 'DDNS.dyn.example.com., *.dyn.example.com' }).https).toEqual({
      port: 443,
      certificate: { kind: 'acme', directoryUrl: LETS_ENCRYPT_DIRECTORY, names: ['ddns.dyn.example.com', '*.dyn.example.com'], renewBeforeMs: 30 * 86_400_000 },
    });
  });

  it('refuse contradictions and names outside the served zones, in sentences', () => {
    expect(refusal({ SIGNPOST_TLS_CERT: 'c.pem', SIGNPOST_TLS_KEY: 'k.pem' })).toContain('need SIGNPOST_HTTPS_PORT');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443' })).toContain('SIGNPOST_HTTPS_PORT needs a certificate');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_TLS_CERT: 'c.pem' })).toContain('go together');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_TLS_CERT: 'c.pem', SIGNPOST_TLS_KEY: 'k.pem', SIGNPOST_PUBLIC_NAME: 'a.dyn.example.com' })).toContain('exclude each other');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_PUBLIC_NAME: 'ddns.example.org' })).toContain('ddns.example.org does not');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_PUBLIC_NAME: 'a.dyn.example.com', SIGNPOST_ACME_DIRECTORY: 'http://ca/dir' })).toContain('SIGNPOST_ACME_DIRECTORY must be the https:// URL');
    expect(refusal({ SIGNPOST_HTTPS_PORT: '443', SIGNPOST_PUBLIC_NAME: 'bad name' })).toContain('SIGNPOST_PUBLIC_NAME must be comma-separated domain names');
  });
});
