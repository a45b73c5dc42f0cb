/**
 * What the Lambda entry point reads from an API Gateway / Function URL event
 * itself, rather than from the HTTP request: the caller's address and the
 * API key API Gateway validated.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** REST API (payload v1) or HTTP API / Function URL (payload v2). */
export type LambdaHttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

export function isV2(event: LambdaHttpEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === '2.0' && 'http' in ((event as APIGatewayProxyEventV2).requestContext ?? {});
}

/**
 * The TCP peer as API Gateway / the Function URL saw it
 * (v1 `requestContext.identity.sourceIp`, v2 `requestContext.http.sourceIp`).
 * Never a header: X-Forwarded-For is only believed from configured trusted
 * proxies, by the app, like on Node.
 */
export function sourceIp(event: LambdaHttpEvent | undefined): string | undefined {
  if (!event?.requestContext) return undefined;
  if (isV2(event)) return event.requestContext.http.sourceIp || undefined;
  return (event as APIGatewayProxyEvent).requestContext.identity?.sourceIp || undefined;
}

/** The API key API Gateway (REST, payload v1) validated against a usage plan, if any. */
export function validatedApiKey(event: LambdaHttpEvent | undefined): string | undefined {
  if (!event?.requestContext || isV2(event)) return undefined;
  const identity = (event as APIGatewayProxyEvent).requestContext.identity;
  return identity?.apiKey && identity.apiKeyId ? identity.apiKey : undefined;
}
