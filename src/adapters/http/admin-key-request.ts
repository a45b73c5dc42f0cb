/**
 * What the admin key check knows about a request beyond its headers. A
 * runtime's middleware sets it on the Hono context (on Lambda: the key API
 * Gateway validated, read from the event); a client can never set it.
 */
import type { Context } from 'hono';
import type { AdminKeyRequest } from '../../app/admin-key.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The API key API Gateway validated for this request (REST API events only). */
    gatewayApiKey?: string;
  }
}

export function adminKeyRequest(c: Context): AdminKeyRequest {
  const gatewayApiKey = c.get('gatewayApiKey');
  return gatewayApiKey === undefined ? {} : { gatewayApiKey };
}
