import type { MiddlewareHandler } from 'hono';
import type {} from '../../adapters/http/admin-key-request.js';
import { validatedApiKey, type LambdaHttpEvent } from './event.js';

/**
 * Reads the API key API Gateway validated from the Lambda event
 * (`c.env.event`, put there by `hono/aws-lambda`) into the request's context,
 * where the admin key check finds it. Per request, so concurrent
 * invocations never see each other's key.
 */
export const gatewayApiKey: MiddlewareHandler = async (c, next) => {
  const key = validatedApiKey((c.env as { event?: LambdaHttpEvent } | undefined)?.event);
  if (key !== undefined) c.set('gatewayApiKey', key);
  await next();
};
