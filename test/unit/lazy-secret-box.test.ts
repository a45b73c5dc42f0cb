/** The self-hosted secret box: SIGNPOST_SECRET_KEY checked at once, else secret.key read or created on first use. */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AesGcmBox } from '../../src/adapters/crypto/aes-gcm-box.js';
import { LazySecretBox } from '../../src/adapters/crypto/lazy-box.js';
import { ConfigError } from '../../src/config/config-error.js';
import { secretBoxFor } from '../../src/config/secret-box.js';
import { SecretBoxError } from '../../src/ports/secret-box.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-box-'));
  dirs.push(dir);
  return dir;
};
const secret = Buffer.from('a TSIG secret');

describe('secretBoxFor', () => {
  it('with SIGNPOST_SECRET_KEY: that key, and no file', () => {
    const dataDir = tempDir();
    const key = Buffer.alloc(32, 2);
    const sealed = secretBoxFor({ secretKey: key.toString('base64'), dataDir }).seal(secret, 'tsig:k');
    expect(new AesGcmBox(key).open(sealed, 'tsig:k')).toEqual(secret);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
  });

  it('refuses a SIGNPOST_SECRET_KEY that is not base64 of 32 bytes, naming the variable and not the value', () => {
    for (const bad of ['', 'c2hvcnQ=', Buffer.alloc(33, 1).toString('base64'), 'not base64 at all, but long enough to be 32 bytes']) {
      let error: unknown;
      try {
        secretBoxFor({ secretKey: bad, dataDir: tempDir() });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^SIGNPOST_SECRET_KEY must be the base64 of 32 random bytes/);
      if (bad) expect((error as Error).message).not.toContain(bad);
    }
  });

  it('without it: secret.key (0600) appears on first use, and every box of that directory shares it', () => {
    const dataDir = join(tempDir(), 'data');
    const server = secretBoxFor({ dataDir });
    const cli = secretBoxFor({ dataDir });
    expect(existsSync(dataDir)).toBe(false);
    const sealed = cli.seal(secret, 'tsig:k');
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(server.open(sealed, 'tsig:k')).toEqual(secret);
  });
});

describe('LazySecretBox', () => {
  it('reports a key that cannot be loaded as a SecretBoxError, and tries again on the next use', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'secret.key'), 'not a key\n', { mode: 0o600 });
    const box = secretBoxFor({ dataDir });
    expect(() => box.seal(secret, 'c')).toThrow(SecretBoxError);
    expect(() => box.open('v1.a.b.c', 'c')).toThrow(/the secret key could not be loaded/);
    writeFileSync(join(dataDir, 'secret.key'), Buffer.alloc(32, 6).toString('base64'));
    expect(new AesGcmBox(Buffer.alloc(32, 6)).open(box.seal(secret, 'c'), 'c')).toEqual(secret);
  });

  it('makes its box once', () => {
    let made = 0;
    const box = new LazySecretBox(() => (made++, new AesGcmBox(Buffer.alloc(32, 1))));
    expect(made).toBe(0);
    box.open(box.seal(secret, 'c'), 'c');
    box.seal(secret, 'c');
    expect(made).toBe(1);
  });
});
