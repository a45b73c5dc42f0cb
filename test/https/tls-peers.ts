/**
 * TLS clients as routers and operators run them: `openssl s_client` without
 * SNI (old firmware), `curl --http1.0` (inadyn's HTTP), and openssl making
 * throwaway certificates.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { run } from '../interop/harness.js';

export interface Handshake {
  /** The leaf the server presented. */
  readonly certificate: X509Certificate;
  /** What came back for the request sent after the handshake. */
  readonly response: string;
  readonly output: string;
}

/**
 * `openssl s_client -noservername` to 127.0.0.1:port: no SNI at all, as old
 * TLS stacks do; sends `request` (raw HTTP) and reads until the server closes.
 */
export function handshakeWithoutSni(openssl: string, port: number, request = 'GET /healthz HTTP/1.0\r\nHost: ddns.dyn.example.test\r\n\r\n'): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const child = spawn(openssl, ['s_client', '-connect', `127.0.0.1:${port}`, '-noservername'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0];
      if (!pem) return reject(new Error(`no certificate presented:\n${out}`));
      resolve({ certificate: new X509Certificate(pem), response: out.slice(out.indexOf('-----END CERTIFICATE-----')), output: out });
    });
    // stdin stays open: s_client quits at its end, maybe before the answer; it exits when the server closes (HTTP/1.0).
    child.stdin.write(request);
  });
}

/** A self-signed certificate for `name` (its own trust anchor), as `<dir>/<file>.pem` + `.key`. */
export async function selfSigned(openssl: string, dir: string, file: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${file}.pem`);
  const key = join(dir, `${file}.key`);
  const made = await run(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', key, '-out', cert,
  ]);
  if (made.code !== 0) throw new Error(made.output);
  return { cert, key };
}
