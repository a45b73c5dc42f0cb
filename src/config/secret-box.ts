/**
 * The self-hosted SecretBox: AES-256-GCM under SIGNPOST_SECRET_KEY when it
 * is set (checked now, so a bad value stops the start), else under the
 * `secret.key` file of the data directory, created 0600 on first use.
 */
import { AesGcmBox, SECRET_KEY_BYTES } from '../adapters/crypto/aes-gcm-box.js';
import { LazySecretBox } from '../adapters/crypto/lazy-box.js';
import { decodeSecretKey, loadOrCreateSecretKey } from '../adapters/crypto/secret-key-file.js';
import type { SecretBox } from '../ports/secret-box.js';
import { ConfigError } from './config-error.js';
import type { Config } from './env.js';

export function secretBoxFor(config: Pick<Config, 'secretKey' | 'dataDir'>): SecretBox {
  if (config.secretKey !== undefined) {
    const key = decodeSecretKey(config.secretKey);
    // The value is a secret: the message names the variable only.
    if (!key) throw new ConfigError(`SIGNPOST_SECRET_KEY must be the base64 of ${SECRET_KEY_BYTES} random bytes (e.g. from \`openssl rand -base64 ${SECRET_KEY_BYTES}\`)`);
    return new AesGcmBox(key);
  }
  return new LazySecretBox(() => new AesGcmBox(loadOrCreateSecretKey(config.dataDir)));
}
