/**
 * `GET /nic/checkip` (and `/myip`, `/checkip`) answered by API Gateway
 * itself: a mock integration whose response mapping template writes the
 * caller's source address. `use=web` clients ask every few minutes; this way
 * those requests cost an API Gateway request and no Lambda invocation.
 *
 * The stack's API is a REST API (v1), the only kind with mock integrations
 * and mapping templates. The answer is what the app's own checkip answers
 * (src/adapters/http/dyndns2-routes.ts, `plain()`): the bare address as
 * text/plain, not cached. test/infra/checkip.test.ts renders the template and
 * compares it byte for byte with the app's answer.
 *
 * The source address is the one the Lambda integration sees too
 * (`requestContext.identity.sourceIp`), so both answer alike. HEAD and POST
 * on these paths still go to the function: rare, and HEAD must announce the
 * GET length, which the function's answer does.
 */
import { MockIntegration, PassthroughBehavior, type MethodOptions } from 'aws-cdk-lib/aws-apigateway';
import { CHECKIP_PATHS } from '../../src/adapters/http/routes.js';

/** The routes (app table keys) answered by the mock integration instead of the function. */
export const GATEWAY_ANSWERED_ROUTES: readonly string[] = CHECKIP_PATHS.map((path) => `GET ${path}`);

/** The response body template: the caller's address, nothing around it (no newline: VTL keeps it). */
export const CHECKIP_RESPONSE_TEMPLATE = '$context.identity.sourceIp';

/** Headers of the answer, as the app's `plain()` sends them (API Gateway adds Content-Length itself). */
export const CHECKIP_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/plain; charset=utf-8',
  'Cache-Control': 'no-store',
};

/**
 * The integration. A mock integration picks its status from the request
 * template's `statusCode`; a GET without Content-Type uses the
 * `application/json` template. A request with another Content-Type is passed
 * through (WHEN_NO_MATCH), which a mock answers with its default response:
 * the same 200, so no client gets a 415 for a stray header.
 *
 * One response template only, so API Gateway uses it whatever the client's
 * Accept header says; its key names the template, while the Content-Type the
 * client sees is set by the header mapping.
 */
export function checkipIntegration(): MockIntegration {
  return new MockIntegration({
    passthroughBehavior: PassthroughBehavior.WHEN_NO_MATCH,
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [
      {
        statusCode: '200',
        responseTemplates: { 'application/json': CHECKIP_RESPONSE_TEMPLATE },
        responseParameters: Object.fromEntries(Object.entries(CHECKIP_HEADERS).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`])),
      },
    ],
  });
}

/** The method's declared response: a 200 with the headers the integration maps. */
export const CHECKIP_METHOD_OPTIONS: MethodOptions = {
  methodResponses: [
    {
      statusCode: '200',
      responseParameters: Object.fromEntries(Object.keys(CHECKIP_HEADERS).map((name) => [`method.response.header.${name}`, true])),
    },
  ],
};
