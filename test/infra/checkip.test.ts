/**
 * GET checkip on AWS is answered by API Gateway (a mock integration with a
 * mapping template, infra/lib/checkip.ts), and answers exactly what the app's
 * own /nic/checkip answers for the same caller.
 */
import type { CfnMethod } from 'aws-cdk-lib/aws-apigateway';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKIP_PATHS } from '../../src/adapters/http/routes.js';
import { createTestApp } from '../support/http-app.js';
import { renderMappingTemplate } from './mapping-template.js';
import { build, resources, type Built } from './support.js';

let built: Built;
beforeAll(() => {
  built = build();
});

/** "GET /nic/checkip" → the synthesized AWS::ApiGateway::Method properties. */
function method(route: string): Record<string, any> {
  const all = resources(built.template, 'AWS::ApiGateway::Method');
  const m = built.stack.api.methods.find((x) => `${x.httpMethod} ${x.resource.path}` === route);
  if (!m) throw new Error(`no method ${route}`);
  return all[built.stack.getLogicalId(m.node.defaultChild as CfnMethod)]!.Properties;
}

/** What API Gateway answers for GET `path` from `sourceIp`: the mapping template rendered, the mapped headers. */
function gatewayAnswer(path: string, sourceIp: string): { status: number; body: Buffer; headers: Record<string, string> } {
  const props = method(`GET ${path}`);
  const [response] = props.Integration.IntegrationResponses as { StatusCode: string; ResponseTemplates: Record<string, string>; ResponseParameters: Record<string, string> }[];
  const templates = Object.values(response!.ResponseTemplates);
  expect(templates).toHaveLength(1); // one template: API Gateway uses it whatever the Accept header
  const context = { identity: { sourceIp }, httpMethod: 'GET', resourcePath: path, stage: 'test' };
  const headers = Object.fromEntries(
    Object.entries(response!.ResponseParameters).map(([name, value]) => {
      expect(value, name).toMatch(/^'.*'$/); // a static value, not a mapping
      return [name.replace('method.response.header.', '').toLowerCase(), value.slice(1, -1)];
    }),
  );
  return { status: Number(response!.StatusCode), body: Buffer.from(renderMappingTemplate(templates[0]!, context), 'utf8'), headers };
}

describe('GET checkip on API Gateway', () => {
  it('is a mock integration for every checkip path: no function, no API key', () => {
    for (const path of CHECKIP_PATHS) {
      const props = method(`GET ${path}`);
      expect(props.Integration, path).toMatchObject({
        Type: 'MOCK',
        PassthroughBehavior: 'WHEN_NO_MATCH',
        RequestTemplates: { 'application/json': '{"statusCode": 200}' },
      });
      expect(props.Integration.Uri, path).toBeUndefined();
      expect(props.Integration.IntegrationResponses, path).toEqual([
        {
          StatusCode: '200',
          ResponseTemplates: { 'application/json': '$context.identity.sourceIp' },
          ResponseParameters: {
            'method.response.header.Content-Type': "'text/plain; charset=utf-8'",
            'method.response.header.Cache-Control': "'no-store'",
          },
        },
      ]);
      expect(props.MethodResponses, path).toEqual([
        { StatusCode: '200', ResponseParameters: { 'method.response.header.Content-Type': true, 'method.response.header.Cache-Control': true } },
      ]);
      expect(props.ApiKeyRequired ?? false, path).toBe(false);
      expect(props.AuthorizationType, path).toBe('NONE');
    }
  });

  it('gives the function no invoke permission for GET checkip, and keeps HEAD and POST on it', () => {
    const permissions = Object.values(resources(built.template, 'AWS::Lambda::Permission')).map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(permissions.some((arn) => arn.includes('/GET/nic/update'))).toBe(true);
    for (const path of CHECKIP_PATHS) {
      expect(permissions.filter((arn) => arn.includes(`/GET${path}"`)), path).toEqual([]);
      for (const other of ['HEAD', 'POST']) expect(method(`${other} ${path}`).Integration.Type, `${other} ${path}`).toBe('AWS_PROXY');
    }
  });

  it('answers byte for byte what the app answers for the same caller, IPv4 and IPv6', async () => {
    const { app } = await createTestApp();
    for (const sourceIp of ['198.51.100.7', '2001:db8::7', '203.0.113.255']) {
      const node = await app.request('/nic/checkip', { headers: { 'user-agent': 'ddclient/3.10.0' } }, { peer: sourceIp });
      const nodeBody = Buffer.from(await node.arrayBuffer());
      for (const path of CHECKIP_PATHS) {
        const gateway = gatewayAnswer(path, sourceIp);
        expect(gateway.status, `${path} ${sourceIp}`).toBe(node.status);
        expect(gateway.body.equals(nodeBody), `${path} ${sourceIp}: ${JSON.stringify(gateway.body.toString())} vs ${JSON.stringify(nodeBody.toString())}`).toBe(true);
        expect(gateway.headers['content-type'], path).toBe(node.headers.get('content-type'));
        expect(gateway.headers['cache-control'], path).toBe(node.headers.get('cache-control'));
        // API Gateway computes Content-Length from the rendered body, as the app's plain() does
        expect(String(gateway.body.length)).toBe(node.headers.get('content-length'));
      }
    }
  });
});

describe('the mapping template renderer', () => {
  it('renders context references and copies text verbatim', () => {
    expect(renderMappingTemplate('$context.identity.sourceIp', { identity: { sourceIp: '192.0.2.1' } })).toBe('192.0.2.1');
    expect(renderMappingTemplate('ip=${context.identity.sourceIp}\n', { identity: { sourceIp: '192.0.2.1' } })).toBe('ip=192.0.2.1\n');
    expect(renderMappingTemplate('[$context.nothing][$!context.nothing]', {})).toBe('[$context.nothing][]');
  });

  it('refuses what it does not model instead of rendering it wrongly', () => {
    expect(() => renderMappingTemplate('#set($x = 1)$x', {})).toThrow(/directive/);
    expect(() => renderMappingTemplate('## comment\n$context.identity.sourceIp', {})).toThrow(/directive/);
    expect(() => renderMappingTemplate('$input.body', {})).toThrow(/does not model/);
    expect(() => renderMappingTemplate('$util.escapeJavaScript($context.identity.sourceIp)', {})).toThrow(/does not model/);
  });
});
