import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Per-host update tokens and the admin key are recognisable by prefix (so logs and scanners can spot leaks). */
export const TOKEN_PREFIX = 'spt_';
export const ADMIN_KEY_PREFIX = 'spk_';

export function newSecret(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function hmacHex(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && ab.length > 0 && timingSafeEqual(ab, bb);
}
