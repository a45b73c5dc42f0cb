/** Builds the Signpost stack for template tests: no bundling, no AWS account, cdk.json's feature flags. */
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/lib/bundling.js';
import { loadConfig, stackName } from '../../infra/lib/config.js';
import { SignpostStack } from '../../infra/lib/signpost-stack.js';

export const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export const BASE_CONTEXT = { stage: 'test', zone: 'dyn.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' } as const;

export interface Built {
  readonly app: App;
  readonly stack: SignpostStack;
  readonly template: Template;
}

/** The stack as `cdk synth -c key=value …` would build it (context values arrive as strings). */
export function build(context: Record<string, unknown> = {}, env?: Environment): Built {
  const app = testApp();
  const stack = addStack(app, context, env);
  return { app, stack, template: Template.fromStack(stack) };
}

/** One scratch folder per test file for the apps' cloud assemblies (CDK would leave one per app in the temp dir). */
const assemblies = mkdtempSync(join(tmpdir(), 'signpost-cdk-test-'));
afterAll(() => rmSync(assemblies, { recursive: true, force: true }));

/** An app that skips bundling (unit tests), with cdk.json's feature flags. */
export const testApp = () =>
  new App({ outdir: mkdtempSync(join(assemblies, 'out-')), context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });

export function addStack(app: App, context: Record<string, unknown> = {}, env?: Environment): SignpostStack {
  const values: Record<string, unknown> = { ...BASE_CONTEXT, ...context };
  const config = loadConfig((key) => values[key]);
  return new SignpostStack(app, stackName(config.stage), { config, ...(env ? { env } : {}) });
}

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

export function resources(template: Template, type?: string): Record<string, Resource> {
  const all = template.toJSON().Resources as Record<string, Resource>;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => type === undefined || r.Type === type));
}

export const logicalId = (stack: SignpostStack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);
