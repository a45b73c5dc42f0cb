/**
 * Certificate files the operator renews (certbot, lego, a corporate CA),
 * reloaded when they change: the files' modification times are looked at
 * every few seconds (polling works on every filesystem and survives
 * editors and tools that replace a file by renaming a new one over it), and
 * a new pair goes into the running server for the next handshake. A pair
 * that does not load (a key written before its certificate, a typo) leaves
 * the current one in place and is tried again when either file changes.
 */
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { certificateExpiry } from './pem.js';

export interface LoadedPair extends SecureContextOptions {
  readonly cert: string;
  readonly key: string;
  /** When the certificate expires (ms since the epoch). */
  readonly notAfter: number;
}

/** Reads and checks the pair (the key must match the certificate); throws with the reason. */
export function loadCertificatePair(certFile: string, keyFile: string): LoadedPair {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  // Parses both and checks the key belongs to the certificate, as a handshake would.
  createSecureContext({ cert, key });
  return { cert, key, notAfter: certificateExpiry(cert) };
}

export interface WatchedFiles {
  stop(): void;
}

/**
 * Calls `apply` with each new pair that loads, after the one loaded at start
 * (which the caller passes to its server itself).
 */
export function watchCertificateFiles(
  files: { readonly certFile: string; readonly keyFile: string },
  apply: (pair: LoadedPair) => void,
  logger: Logger,
  intervalMs = 2000,
): WatchedFiles {
  const stamp = () => [files.certFile, files.keyFile].map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1).join('/');
  let seen = stamp();
  const timer = setInterval(() => {
    const now = stamp();
    if (now === seen) return;
    seen = now;
    try {
      const pair = loadCertificatePair(files.certFile, files.keyFile);
      apply(pair);
      logger.info({ cert: files.certFile, notAfter: new Date(pair.notAfter).toISOString() }, 'reloaded the TLS certificate');
    } catch (error) {
      logger.error({ err: error, cert: files.certFile, key: files.keyFile }, 'the changed TLS certificate files do not load; still serving the previous certificate');
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
