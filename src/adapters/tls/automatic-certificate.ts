/**
 * The server's own certificate, obtained and kept fresh: at start the one in
 * the data directory is served if it still covers the configured names;
 * when there is none, or it is within the renewal window, a new one is
 * ordered. A failed order is retried with a doubling delay (capped), and
 * the current certificate keeps being served meanwhile — a CA outage shows
 * as log lines and an expiry that comes closer, not as an outage.
 */
import type { Logger } from 'pino';
import { nextCheckDelay, renewalDue, retryDelay, type RenewalPolicy } from '../../domain/certificate-renewal.js';
import type { LoadedPair } from './certificate-files.js';
import type { CertificateStore } from './certificate-store.js';
import { newAccountKey, obtainCertificate, type DnsChallengeWriter } from './acme-issuer.js';
import { certificateExpiry } from './pem.js';

export interface AutomaticCertificateDeps {
  readonly directoryUrl: string;
  readonly email?: string;
  readonly names: readonly string[];
  readonly policy: RenewalPolicy;
  readonly store: CertificateStore;
  readonly challenges: DnsChallengeWriter;
  /** Puts a new certificate into the running server. */
  readonly apply: (pair: LoadedPair) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class AutomaticCertificate {
  private current: LoadedPair | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: AutomaticCertificateDeps) {}

  /** When the served certificate expires (ms since the epoch); undefined while there is none. */
  get notAfter(): number | undefined {
    return this.current?.notAfter;
  }

  /** Serves the stored certificate, if any, and starts looking after it (an order right away when needed). */
  start(): void {
    this.current = this.deps.store.certificate(this.deps.names);
    if (this.current) this.deps.apply(this.current);
    else this.deps.logger.info({ names: this.deps.names, directory: this.deps.directoryUrl }, 'no TLS certificate yet; HTTPS handshakes fail until one is obtained');
    this.schedule(0);
  }

  /** Orders a new certificate now, whatever the current one's expiry (a forced renewal); rejects when the order fails. */
  renew(): Promise<void> {
    return this.run(true);
  }

  /** Stops the schedule; waits up to `graceMs` for an order in progress. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.running) return;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.running.catch(() => undefined), new Promise<void>((resolve) => (timeout = setTimeout(resolve, graceMs)))]);
    clearTimeout(timeout);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(false).catch(() => undefined), delayMs);
    this.timer.unref();
  }

  /** One look (or a forced order), never two at once; reschedules itself. */
  private run(force: boolean): Promise<void> {
    this.running ??= this.check(force).finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(force: boolean): Promise<void> {
    const now = this.now();
    const { policy, logger } = this.deps;
    if (!force && !renewalDue(this.current?.notAfter, now, policy)) {
      this.schedule(nextCheckDelay(this.current!.notAfter, now, policy));
      return;
    }
    try {
      const pair = await this.order();
      this.current = pair;
      this.failures = 0;
      this.deps.apply(pair);
      logger.info({ names: this.deps.names, notAfter: new Date(pair.notAfter).toISOString() }, 'obtained a TLS certificate');
      this.schedule(nextCheckDelay(pair.notAfter, this.now(), policy));
    } catch (error) {
      this.failures++;
      const retryMs = retryDelay(this.failures, policy);
      const serving = this.current ? new Date(this.current.notAfter).toISOString() : undefined;
      logger.error(
        { err: error, names: this.deps.names, failures: this.failures, retryInSeconds: Math.round(retryMs / 1000), ...(serving ? { servingCertificateUntil: serving } : {}) },
        serving ? 'TLS certificate renewal failed; still serving the current certificate' : 'could not obtain a TLS certificate',
      );
      this.schedule(retryMs);
      throw error;
    }
  }

  private async order(): Promise<LoadedPair> {
    const { store } = this.deps;
    let accountKey = store.accountKey();
    if (accountKey === undefined) {
      accountKey = await newAccountKey();
      store.saveAccountKey(accountKey);
    }
    const issued = await obtainCertificate(this.deps.names, {
      directoryUrl: this.deps.directoryUrl,
      ...(this.deps.email === undefined ? {} : { email: this.deps.email }),
      accountKey,
      challenges: this.deps.challenges,
    });
    store.saveCertificate(issued.cert, issued.key);
    return { cert: issued.cert, key: issued.key, notAfter: certificateExpiry(issued.cert) };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
