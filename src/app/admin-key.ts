import type { Store } from '../ports/store.js';
import { ADMIN_KEY_PREFIX, digestsEqual, newSecret, sha256Hex } from './secrets.js';

const SETTING = 'admin_key_sha256';

/** What a key check may know about the request beyond the presented key, as the runtime saw it. */
export interface AdminKeyRequest {
  /** The key API Gateway validated against a usage plan for this request (REST API on Lambda only). */
  readonly gatewayApiKey?: string;
}

export interface AdminKey {
  /** Constant-time check of a presented key. */
  verify(presented: string, request?: AdminKeyRequest): boolean;
  /** Set only when this start generated the key: print it once, it is not stored. */
  readonly generated?: string;
}

/**
 * The admin API key. Exactly one key is valid at a time, and only its
 * SHA-256 is kept in the store:
 * - a configured key (SIGNPOST_ADMIN_KEY) replaces the stored hash, so any
 *   earlier key, generated or configured, stops working for good;
 * - without one, the stored hash stays in force: removing the variable keeps
 *   the last configured key (it neither revives an older key nor generates);
 * - only when nothing was ever stored is a key generated (and returned once).
 */
export async function loadAdminKey(store: Store, configured: string | undefined): Promise<AdminKey> {
  const stored = await store.getSetting(SETTING);
  let generated: string | undefined;
  let hash: string;
  if (configured) {
    hash = sha256Hex(configured);
    if (stored !== hash) await store.setSetting(SETTING, hash);
  } else if (stored) {
    hash = stored;
  } else {
    generated = newSecret(ADMIN_KEY_PREFIX, 32);
    hash = sha256Hex(generated);
    await store.setSetting(SETTING, hash);
  }
  return { verify: (presented) => digestsEqual(hash, sha256Hex(presented)), ...(generated ? { generated } : {}) };
}
