/**
 * The CDK app: `npx cdk deploy --all` into the store's own account.
 *
 * Context (cdk.json or `-c key=value`):
 * - `comeback:tracing`: `true` turns on active X-Ray tracing of the functions (default false);
 * - `comeback:stackPrefix`: names the stacks `<prefix>Data` and `<prefix>Api` (default `Comeback`).
 *
 * cdk-nag's AwsSolutions checks run on every synth; a finding stops it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createComebackStacks } from '../lib/cdk/comeback-app.ts';

const app = new App();

const tracing: unknown = app.node.tryGetContext('comeback:tracing');
const stackPrefix: unknown = app.node.tryGetContext('comeback:stackPrefix');
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

createComebackStacks(app, {
  tracing: tracing === true || tracing === 'true',
  ...(typeof stackPrefix === 'string' && stackPrefix.length > 0 ? { stackPrefix } : {}),
  ...(account && region ? { env: { account, region } } : {}),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
