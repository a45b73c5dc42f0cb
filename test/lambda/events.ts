/**
 * Lambda HTTP events built from the AWS documentation examples in
 * fixtures/ (REST API proxy payload v1, HTTP API payload v2, Function URL),
 * with the request's method, path, query, headers, body and source address
 * filled in the way each service fills them.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import type { LambdaHttpEvent } from '../../src/entrypoints/lambda/event.js';

export type EventKind = 'v1' | 'v2' | 'url';

export interface HttpRequest {
  readonly method?: string;
  readonly path: string;
  /** Raw query string as the client sent it (percent-encoded), without `?`. */
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly sourceIp: string;
  /** v1 only: the key API Gateway validated against a usage plan. */
  readonly apiKey?: string;
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
const FIXTURES = { v1: fixture('apigw-rest-v1.json'), v2: fixture('http-api-v2.json'), url: fixture('function-url.json') };

export function toEvent(kind: EventKind, req: HttpRequest): LambdaHttpEvent {
  const method = req.method ?? 'GET';
  const params = new URLSearchParams(req.query ?? '');
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of params) (multiQuery[k] ??= []).push(v);
  const headers = req.headers ?? {};
  const event = structuredClone(FIXTURES[kind]);
  event.body = req.body ?? null;
  event.isBase64Encoded = false;
  if (kind === 'v1') {
    // REST API: header names as sent, multi-value maps, decoded query values; stage not in `path`.
    event.resource = '/{proxy+}';
    event.path = req.path;
    event.httpMethod = method;
    event.headers = { ...headers };
    event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    const hasQuery = params.size > 0;
    event.queryStringParameters = hasQuery ? Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v.at(-1)])) : null;
    event.multiValueQueryStringParameters = hasQuery ? multiQuery : null;
    event.pathParameters = { proxy: req.path.replace(/^\/+/, '') };
    Object.assign(event.requestContext, { httpMethod: method, path: `/prod${req.path}`, resourcePath: '/{proxy+}', stage: 'prod' });
    Object.assign(event.requestContext.identity, {
      sourceIp: req.sourceIp,
      userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
      apiKey: req.apiKey ?? null,
      apiKeyId: req.apiKey ? 'abcdef1234' : null,
    });
    return event as APIGatewayProxyEvent;
  }
  // HTTP API / Function URL: lower-case header names, repeated values joined by commas, raw query string.
  event.rawPath = req.path;
  event.rawQueryString = req.query ?? '';
  delete event.cookies;
  event.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (params.size > 0) event.queryStringParameters = Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v.join(',')]));
  else delete event.queryStringParameters;
  event.pathParameters = kind === 'v2' ? null : event.pathParameters;
  if (kind === 'url') Object.assign(event.requestContext, { domainName: 'abcdefghijklmnop.lambda-url.us-west-2.on.aws', domainPrefix: 'abcdefghijklmnop', apiId: 'abcdefghijklmnop' });
  Object.assign(event.requestContext.http, { method, path: req.path, sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? '' });
  return event as APIGatewayProxyEventV2;
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'signpost-http',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:signpost-http',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/signpost-http',
  logStreamName: '2026/11/21/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

/** A Lambda proxy result as a plain response (both result shapes). */
export function fromResult(result: APIGatewayProxyResult | APIGatewayProxyStructuredResultV2): { status: number; body: string; headers: Headers } {
  const headers = new Headers();
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, String(v));
  for (const [k, vs] of Object.entries((result as APIGatewayProxyResult).multiValueHeaders ?? {})) for (const v of vs) headers.append(k, String(v));
  const raw = result.body ?? '';
  return { status: result.statusCode ?? 200, body: result.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw, headers };
}
