/**
 * The CDK app: `npm run synth|deploy|destroy -- -c zone=dyn.example.com -c hostedZoneId=Z… -c stage=prod`.
 * Context values are documented in README.md ("Deploying to AWS") and validated in infra/lib/config.ts.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError, loadConfig, stackName } from '../lib/config.js';
import { SignpostStack } from '../lib/signpost-stack.js';

const app = new App();
let config;
try {
  config = loadConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const stack = new SignpostStack(app, stackName(config.stage), {
  config,
  description: `Signpost dynamic DNS (${config.stage})`,
  // account/region from the deploying credentials (CDK_DEFAULT_*); left unresolved at synth, so no account is needed
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Tags.of(stack).add('app', 'signpost');
Tags.of(stack).add('stage', config.stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
