/**
 * The files of the automatic certificate in the data directory (`tls/`),
 * all 0600 in a 0700 directory: the ACME account key (the account is
 * looked up by it, so keeping it avoids a new account on every start), the
 * certificate chain and its private key. A file is written beside its place
 * and renamed over it, so a crash never leaves half a file; a crash between
 * the certificate and its key leaves a pair that does not load, which is
 * treated as no certificate (one more order).
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCertificatePair, type LoadedPair } from './certificate-files.js';

export const TLS_DIR = 'tls';

export class CertificateStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, TLS_DIR);
  }

  get certFile(): string {
    return join(this.dir, 'certificate.pem');
  }

  get keyFile(): string {
    return join(this.dir, 'certificate.key');
  }

  /** The stored account key (PEM), or undefined on the first start. */
  accountKey(): string | undefined {
    return readOptional(join(this.dir, 'acme-account.key'));
  }

  saveAccountKey(pem: string): void {
    this.write('acme-account.key', pem);
  }

  /**
   * The stored certificate and key when they load and cover exactly `names`
   * (a changed SIGNPOST_PUBLIC_NAME needs a new certificate); else undefined.
   */
  certificate(names: readonly string[]): LoadedPair | undefined {
    try {
      const pair = loadCertificatePair(this.certFile, this.keyFile);
      return sameNames(pair.cert, names) ? pair : undefined;
    } catch {
      return undefined;
    }
  }

  /** Key first: a crash in between leaves the old certificate with the new key, which does not load. */
  saveCertificate(cert: string, key: string): void {
    this.write('certificate.key', key);
    this.write('certificate.pem', cert);
  }

  private write(file: string, contents: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const path = join(this.dir, file);
    const temporary = `${path}.new`;
    writeFileSync(temporary, contents, { mode: 0o600 });
    chmodSync(temporary, 0o600); // a file left from an interrupted write keeps its old mode
    renameSync(temporary, path);
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the leaf's DNS names are exactly `names`, in any order. */
function sameNames(pem: string, names: readonly string[]): boolean {
  const covered = (new X509Certificate(pem).subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase())
    .sort();
  return JSON.stringify(covered) === JSON.stringify([...new Set(names)].sort());
}
