/**
 * Where the secret key comes from: SIGNPOST_SECRET_KEY (base64 of 32 bytes)
 * when set — so several processes or a restored backup share it — else a
 * `secret.key` file in the data directory, created 0600 with random bytes on
 * first use. Losing the key makes sealed secrets unreadable (they must be
 * issued again), so backups must include it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_KEY_BYTES } from './aes-gcm-box.js';

export const SECRET_KEY_FILE = 'secret.key';

export function decodeSecretKey(base64: string): Buffer | undefined {
  const key = Buffer.from(base64.trim(), 'base64');
  return key.length === SECRET_KEY_BYTES && key.toString('base64').replace(/=+$/, '') === base64.trim().replace(/=+$/, '') ? key : undefined;
}

/** Reads the key file in `dataDir`, creating it (0600, in a 0700 directory) when absent. */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    const fd = openSync(path, 'wx', 0o600); // fails if it exists: two first starts never write two keys
    try {
      writeSync(fd, randomBytes(SECRET_KEY_BYTES).toString('base64') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const key = decodeSecretKey(readFileSync(path, 'utf8'));
  if (!key) throw new Error(`${path} does not hold a base64 key of ${SECRET_KEY_BYTES} bytes`);
  return key;
}

/**
 * Copies a key file to `target`, 0600, through a private temporary file and
 * a rename (a reader never sees half a key). The key is checked first: a
 * copy that cannot be read back is no backup.
 */
export function copySecretKey(source: string, target: string): void {
  if (!decodeSecretKey(readFileSync(source, 'utf8'))) throw new Error(`${source} does not hold a base64 key of ${SECRET_KEY_BYTES} bytes`);
  const partial = `${target}.partial-${process.pid}`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, readFileSync(source));
  } finally {
    closeSync(fd);
  }
  chmodSync(partial, 0o600);
  renameSync(partial, target);
}
