/**
 * The HTTPS listener beside the plain one: the same request listener and
 * connection caps, with the certificate from files (reloaded when they
 * change) or obtained automatically (renewed before it expires). Plain HTTP
 * stays: many routers cannot speak TLS.
 */
import type { RequestListener } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DEFAULT_RETRY_MAX_MS, DEFAULT_RETRY_MIN_MS } from '../../domain/certificate-renewal.js';
import { createBoundedHttpServer } from '../../adapters/net/http-server.js';
import { AutomaticCertificate } from '../../adapters/tls/automatic-certificate.js';
import { loadCertificatePair, watchCertificateFiles, type LoadedPair } from '../../adapters/tls/certificate-files.js';
import { CertificateStore } from '../../adapters/tls/certificate-store.js';
import type { HttpsConfig } from '../../adapters/tls/https-settings.js';
import { ConfigError } from '../../config/config-error.js';
import type { Core } from '../../config/services.js';

/** The owner of the server's own challenge values: not a username (those start with a letter or digit). */
export const SERVER_CHALLENGE_OWNER = '@server';

export interface HttpsListener {
  readonly server: HttpsServer;
  readonly port: number;
  /** Orders a new certificate now (automatic certificates only). */
  readonly renew?: () => Promise<void>;
  /** Stops reloading and renewing (the server itself is closed by the caller, with the plain one). */
  stop(): Promise<void>;
}

export async function listenHttps(
  config: HttpsConfig,
  core: Core,
  listener: RequestListener,
  exempt: (address: string) => boolean,
  host: string,
): Promise<HttpsListener> {
  const source = config.certificate;
  // Files that do not load stop the start (a typo in a path should not wait for the first handshake to show).
  const initial = source.kind === 'files' ? loadAtStart(source.certFile, source.keyFile) : undefined;
  // Without a certificate yet, Node refuses every handshake: the port is bound (a clash shows at start) but serves nothing.
  const server = createBoundedHttpServer(listener, core.config.http, exempt, initial ? { cert: initial.cert, key: initial.key } : {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let notAfter = initial?.notAfter;
  const apply = (pair: LoadedPair) => {
    server.setSecureContext({ cert: pair.cert, key: pair.key });
    notAfter = pair.notAfter;
  };
  core.metrics.watchCertificate(() => notAfter);
  core.logger.info({ host, port, certificate: source.kind }, 'https listening');

  if (source.kind === 'files') {
    const watch = watchCertificateFiles(source, apply, core.logger);
    return { server, port, stop: async () => watch.stop() };
  }
  const automatic = new AutomaticCertificate({
    directoryUrl: source.directoryUrl,
    ...(source.email === undefined ? {} : { email: source.email }),
    names: source.names,
    policy: { renewBeforeMs: source.renewBeforeMs, retryMinMs: DEFAULT_RETRY_MIN_MS, retryMaxMs: DEFAULT_RETRY_MAX_MS },
    store: new CertificateStore(core.config.dataDir),
    challenges: {
      add: (name, value) => core.challenges.add(name, value, SERVER_CHALLENGE_OWNER),
      remove: (name, value) => core.challenges.remove(name, value, SERVER_CHALLENGE_OWNER),
    },
    apply,
    logger: core.logger,
  });
  automatic.start();
  return { server, port, renew: () => automatic.renew(), stop: () => automatic.stop(core.config.shutdownGraceMs) };
}

function loadAtStart(certFile: string, keyFile: string): LoadedPair {
  try {
    return loadCertificatePair(certFile, keyFile);
  } catch (error) {
    throw new ConfigError(`SIGNPOST_TLS_CERT (${certFile}) and SIGNPOST_TLS_KEY (${keyFile}) must be a readable PEM certificate and its private key: ${(error as Error).message}`);
  }
}

