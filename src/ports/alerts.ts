/** An operator alert: SNS on AWS, a webhook self-hosted, the log always. */
export interface Alert {
  readonly subject: string;
  readonly instanceId?: string;
  readonly record?: string;
  /** The zone concerned, when the failure is about a zone rather than one record. */
  readonly zone?: string;
  readonly cause: string;
}

export interface AlertSink {
  /** Must not throw: a failing alert channel is logged by the adapter, never masks the original failure. */
  alert(alert: Alert): Promise<void>;
}
