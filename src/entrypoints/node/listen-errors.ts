import { ConfigError } from '../../config/config-error.js';
import type { Config } from '../../config/env.js';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'another process already uses it',
  EADDRNOTAVAIL: 'the address is not one of this machine',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
};

/**
 * Turns a failed listen/bind of the HTTP or DNS server into a configuration
 * error naming the variable to change, or undefined for any other error.
 * Node puts the address and port on the error; matching them against the
 * configuration tells which variable chose them.
 */
export function explainListenError(error: unknown, config: Config): ConfigError | undefined {
  const { code, address, port } = (error ?? {}) as { code?: unknown; address?: unknown; port?: unknown };
  if (typeof code !== 'string' || REASONS[code] === undefined) return undefined;
  // Node leaves the port off some errors (EADDRNOTAVAIL from listen), and the address off none we know of.
  const host = typeof address === 'string' ? (address.includes(':') ? `[${address}]` : address) : undefined;
  const where = [host, typeof port === 'number' ? String(port) : undefined].filter(Boolean).join(':') || 'the configured address';
  if (code === 'EADDRNOTAVAIL') {
    const variable = config.dns.host !== undefined && config.dns.host !== config.host && address === config.dns.host ? 'SIGNPOST_DNS_HOST' : 'SIGNPOST_HOST';
    return new ConfigError(`cannot listen on ${where}: ${REASONS[code]}; set ${variable} to one of its addresses, or 0.0.0.0 / :: for all`);
  }
  const variables = [
    port === config.httpPort ? 'SIGNPOST_HTTP_PORT' : '',
    port === config.https?.port ? 'SIGNPOST_HTTPS_PORT' : '',
    port === config.dnsPort ? 'SIGNPOST_DNS_PORT' : '',
  ].filter(Boolean);
  const choose = variables.length > 0 ? variables.join(' or ') : 'SIGNPOST_HTTP_PORT / SIGNPOST_DNS_PORT';
  return new ConfigError(`cannot listen on ${where}: ${REASONS[code]}; choose another port with ${choose}`);
}
