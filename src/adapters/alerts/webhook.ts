import type { Alert, AlertSink } from '../../ports/alerts.js';

/** Alerts POSTed as JSON to a URL (self-hosted). A non-2xx answer is a failure the caller logs. */
export class WebhookAlertSink implements AlertSink {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async alert(alert: Alert): Promise<void> {
    const res = await this.fetchImpl(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...alert, source: 'signpost' }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
  }
}
