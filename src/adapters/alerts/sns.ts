import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert, AlertSink } from '../../ports/alerts.js';

/** Alerts as SNS messages (the stack's alerts topic): a short subject, the alert as JSON. */
export class SnsAlertSink implements AlertSink {
  constructor(
    private readonly client: Pick<SNSClient, 'send'>,
    private readonly topicArn: string,
  ) {}

  async alert(alert: Alert): Promise<void> {
    // SNS subjects are at most 100 printable ASCII characters.
    const subject = alert.subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: JSON.stringify(alert) }));
  }
}
