import { timingSafeEqual } from 'node:crypto';
import type { AdminKey, AdminKeyRequest } from '../../app/admin-key.js';
import { digestsEqual, sha256Hex } from '../../app/secrets.js';
import type { AdminAuthMode } from '../../config/lambda-env.js';

/**
 * The admin key check on Lambda (modes documented in config/lambda-env.ts).
 * The key API Gateway validated comes with each request (`gatewayApiKey`,
 * set by the `gatewayApiKey` middleware from the REST event; absent for
 * HTTP API / Function URL events).
 */
export function lambdaAdminKey(options: {
  readonly mode: AdminAuthMode;
  readonly keySha256?: string;
  readonly plainKey?: string;
}): AdminKey {
  const hash = options.keySha256 ?? (options.plainKey ? sha256Hex(options.plainKey) : undefined);
  const matchesHash = (presented: string) => hash !== undefined && digestsEqual(hash, sha256Hex(presented));
  if (options.mode === 'key') return { verify: matchesHash };
  return {
    verify(presented: string, request?: AdminKeyRequest) {
      const validated = request?.gatewayApiKey;
      if (validated === undefined || !sameSecret(validated, presented)) return false;
      return hash === undefined || matchesHash(presented);
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(sha256Hex(a), 'hex');
  const bb = Buffer.from(sha256Hex(b), 'hex');
  return timingSafeEqual(ab, bb);
}
