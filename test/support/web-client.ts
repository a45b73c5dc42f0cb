/**
 * A browser-like client for the web pages over `app.request()`: it keeps
 * cookies, sends Origin on posts as browsers do, and reads the form token
 * out of the last page.
 */
import type { Hono } from 'hono';

export const ORIGIN = 'http://localhost';

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: Hono,
    private readonly env: Record<string, unknown> = {},
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(path, { method: 'GET', headers });
  }

  /** Posts a form; `origin: null` leaves the Origin header out, a string sends that one. */
  async post(path: string, fields: Record<string, string>, options: { origin?: string | null; headers?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...options.headers };
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    if (origin !== null) headers.origin = origin;
    return this.send(path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  }

  /** Fetches `formPath`, then posts `fields` with the page's form token to `action`. */
  async submit(formPath: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await this.get(formPath);
    return this.post(action, { form_token: formToken(page.body), ...fields });
  }

  async signIn(username: string, password: string): Promise<Page> {
    return this.submit('/', '/sign-in', { username, password });
  }

  private async send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { 'user-agent': 'test-browser/1.0', ...(cookie ? { cookie } : {}), ...init.headers };
    const res = await this.app.request(path, { ...init, headers }, this.env);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
}

export function formToken(html: string): string {
  const match = /name="form_token" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no form token on the page');
  return match[1]!;
}
