import type { Store } from '../ports/store.js';
import { ADMIN_KEY_PREFIX, digestsEqual, newSecret, sha256Hex } from './secrets.js';

const SETTING = 'admin_key_sha256';

export interface AdminKey {
  /** Constant-time check of a presented key. */
  verify(presented: string): boolean;
  /** Set only when this start generated the key: print it once, it is not stored. */
  readonly generated?: string;
}

/**
 * The admin API key: from configuration if given, otherwise generated on
 * first start. Only its SHA-256 is kept in the store.
 */
export async function loadAdminKey(store: Store, configured: string | undefined): Promise<AdminKey> {
  let generated: string | undefined;
  let hash: string;
  if (configured) {
    hash = sha256Hex(configured);
  } else {
    const stored = await store.getSetting(SETTING);
    if (stored) {
      hash = stored;
    } else {
      generated = newSecret(ADMIN_KEY_PREFIX, 32);
      hash = sha256Hex(generated);
      await store.setSetting(SETTING, hash);
    }
  }
  return { verify: (presented) => digestsEqual(hash, sha256Hex(presented)), ...(generated ? { generated } : {}) };
}
