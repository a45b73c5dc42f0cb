import type { Logger } from 'pino';
import type { Alert, AlertSink } from '../../ports/alerts.js';

/** Alerts to the log, and on to another sink (SNS, webhook) if given; the log line survives a failing channel. */
export class LoggingAlertSink implements AlertSink {
  constructor(
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly next?: AlertSink,
  ) {}

  async alert(alert: Alert): Promise<void> {
    this.logger.warn({ alert }, alert.subject);
    await this.next?.alert(alert).catch((error: unknown) => this.logger.error({ err: error }, 'alert delivery failed'));
  }
}

/** Keeps alerts in memory (tests, and the HTTP endpoint's response). */
export class MemoryAlertSink implements AlertSink {
  readonly alerts: Alert[] = [];
  async alert(alert: Alert): Promise<void> {
    this.alerts.push(alert);
  }
}
