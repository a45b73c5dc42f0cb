/** Reading PEM certificates with Node's own X.509 parser. */
import { X509Certificate } from 'node:crypto';

/** When the first certificate of a PEM chain (the leaf) expires, in ms since the epoch; throws if there is none. */
export function certificateExpiry(pem: string): number {
  return Date.parse(new X509Certificate(pem).validTo);
}
