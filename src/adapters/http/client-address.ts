import { normalizeRemoteAddress, type CidrSet } from '../../domain/ip.js';

/**
 * The caller's address. `X-Forwarded-For` is believed only when the socket
 * peer is a trusted proxy; then the chain is walked from the right and the
 * first hop that is not itself a trusted proxy is the client.
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: CidrSet): string | undefined {
  const direct = normalizeRemoteAddress(peer);
  if (!direct || !forwardedFor || trusted.size === 0 || !trusted.contains(direct)) return direct;
  let client = direct;
  for (const hop of forwardedFor.split(',').reverse()) {
    const address = normalizeRemoteAddress(hop.trim());
    if (!address) break; // a garbled hop: trust nothing further left
    client = address;
    if (!trusted.contains(address)) break;
  }
  return client;
}
