import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmBox } from '../../src/adapters/crypto/aes-gcm-box.js';
import { SECRET_KEY_FILE, decodeSecretKey, loadOrCreateSecretKey } from '../../src/adapters/crypto/secret-key-file.js';
import { SecretBoxError } from '../../src/ports/secret-box.js';

const key = Buffer.alloc(32, 7);
const secret = Buffer.from('tsig secret bytes');

describe('AesGcmBox', () => {
  const box = new AesGcmBox(key);

  it('opens what it sealed, for the same context only', () => {
    const sealed = box.seal(secret, 'tsig:alice:k1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret.toString('base64url'));
    expect(box.open(sealed, 'tsig:alice:k1')).toEqual(secret);
    expect(() => box.open(sealed, 'tsig:bob:k1')).toThrow(SecretBoxError);
  });

  it('seals the same secret differently each time', () => {
    expect(box.seal(secret, 'c')).not.toBe(box.seal(secret, 'c'));
  });

  it('refuses altered text, another key and garbage', () => {
    const sealed = box.seal(secret, 'c');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    expect(() => box.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'c')).toThrow(SecretBoxError);
    expect(() => new AesGcmBox(Buffer.alloc(32, 8)).open(sealed, 'c')).toThrow(SecretBoxError);
    for (const junk of ['', 'v1', 'v2.a.b.c', 'v1.a.b.c.d', 'plain text']) expect(() => box.open(junk, 'c')).toThrow(SecretBoxError);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new AesGcmBox(Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('the secret key file', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is created once, 0600, and read back the same', () => {
    const dir = join(tempDir(), 'data');
    const first = loadOrCreateSecretKey(dir);
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(loadOrCreateSecretKey(dir)).toEqual(first);
  });

  it('tightens a key file left readable by others, and refuses one that holds no key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, SECRET_KEY_FILE), Buffer.alloc(32, 1).toString('base64'), { mode: 0o644 });
    expect(loadOrCreateSecretKey(dir)).toEqual(Buffer.alloc(32, 1));
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, SECRET_KEY_FILE), 'short');
    expect(() => loadOrCreateSecretKey(dir)).toThrow(/32 bytes/);
    expect(readFileSync(join(dir, SECRET_KEY_FILE), 'utf8')).toBe('short'); // never replaced: sealed secrets depend on it
  });

  it.each([
    [Buffer.alloc(32, 3).toString('base64'), true],
    [Buffer.alloc(31, 3).toString('base64'), false],
    ['not base64 at all!', false],
    ['', false],
  ])('decodes %j: %s', (text, ok) => expect(decodeSecretKey(text) !== undefined).toBe(ok));
});
