/**
 * The nightly work on AWS (lib/cdk/comeback-nightly.ts), synthesized with bundling off: the state
 * machine deployed from workflows/nightly.asl.json with its Distributed Map, the rule that starts
 * it, least-privilege permissions, and cdk-nag clean.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComebackFunction, projectRoot } from '../../lib/cdk/comeback-function.ts';
import { ComebackNightly, NIGHTLY_DEFINITION_FILE } from '../../lib/cdk/comeback-nightly.ts';

type Resource = { Type: string; Properties?: Record<string, unknown> };
const definition = JSON.parse(readFileSync(join(projectRoot, NIGHTLY_DEFINITION_FILE), 'utf8')) as { States: Record<string, { Branches?: { States: Record<string, Record<string, unknown>> }[] }> };

describe('the nightly state machine on AWS', () => {
  let stack: Stack;
  let nightly: ComebackNightly;
  let template: Template;
  let fns: Record<string, ComebackFunction>;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new Stack(app, 'ComebackApi');
    const fn = (id: string, entry: string) => new ComebackFunction(stack, id, { entry, timeout: Duration.minutes(15) });
    fns = {
      recompute: fn('Recompute', 'functions/handlers/nightly-recompute.ts'),
      journeySweep: fn('JourneySweep', 'functions/handlers/journey-sweep.ts'),
      loyaltySweep: fn('LoyaltySweep', 'functions/handlers/loyalty-sweep.ts'),
      coPurchase: fn('CoPurchase', 'functions/handlers/catalog-copurchase.ts'),
    };
    nightly = new ComebackNightly(stack, 'Nightly', { recompute: fns['recompute']!, journeySweep: fns['journeySweep']!, loyaltySweep: fns['loyaltySweep']!, coPurchase: fns['coPurchase']! });
    template = Template.fromStack(stack);
  });

  it('deploys the definition file as it is, its key ranges a Distributed Map of STANDARD child executions, 16 at a time', () => {
    const machine = (template.toJSON().Resources as Record<string, Resource>)[logicalId(nightly.stateMachine)]!.Properties!;
    expect(machine['StateMachineName']).toBe('ComebackApi-nightly');
    expect(machine['StateMachineType']).toBe('STANDARD');
    expect(machine['DefinitionSubstitutions']).toEqual({
      NightlyRecomputeFunctionArn: { 'Fn::GetAtt': [logicalId(fns['recompute']!.function), 'Arn'] },
      JourneySweepFunctionArn: { 'Fn::GetAtt': [logicalId(fns['journeySweep']!.function), 'Arn'] },
      LoyaltySweepFunctionArn: { 'Fn::GetAtt': [logicalId(fns['loyaltySweep']!.function), 'Arn'] },
      CoPurchaseFunctionArn: { 'Fn::GetAtt': [logicalId(fns['coPurchase']!.function), 'Arn'] },
    });
    expect(machine['LoggingConfiguration']).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const branches = definition.States['NightlyWork']!.Branches!;
    expect(branches.map((branch) => Object.keys(branch.States)[0])).toEqual(['WinBackSweep', 'CheckInSweep', 'LoyaltySweep', 'CoPurchaseCount', 'PlanNight']);
    const map = branches[4]!.States['RecomputeRanges']!;
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: 16, ToleratedFailurePercentage: 0, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } } });
    // Only Lambda's transient errors are retried, everywhere: a failed night is run again from its checkpoint instead.
    const tasks = JSON.stringify(definition).match(/"Retry":\[[^\]]*\]/g) ?? [];
    expect(tasks.length).toBeGreaterThan(0);
    for (const retry of JSON.stringify(definition).matchAll(/"ErrorEquals":\[([^\]]*)\],"IntervalSeconds"/g)) {
      expect(retry[1]).toBe('"Lambda.ServiceException","Lambda.AWSLambdaException","Lambda.SdkClientException","Lambda.TooManyRequestsException"');
    }
  });

  it('invokes the four functions, starts only its own child executions and describes and stops only them', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter((policy) =>
      JSON.stringify(policy.Properties?.['Roles']).includes(logicalId(nightly.stateMachine.role as never)),
    );
    const statements = policies.flatMap((policy) => (policy.Properties?.['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    const byAction = (action: string) => statements.filter((statement) => [statement.Action].flat().includes(action));
    expect(byAction('lambda:InvokeFunction').flatMap((statement) => [statement.Resource].flat())).toEqual(Object.values(fns).map((fn) => ({ 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] })));
    expect(JSON.stringify(byAction('states:StartExecution').map((statement) => statement.Resource))).toMatch(/:stateMachine:ComebackApi-nightly"/);
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) expect(JSON.stringify(byAction(action).map((statement) => statement.Resource))).toMatch(/:execution:ComebackApi-nightly\/\*"/);
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('states:')).sort()).toEqual(['states:DescribeExecution', 'states:StartExecution', 'states:StopExecution']);
  });

  it('is started daily at 02:00 UTC by a rule whose only target is the state machine, which retries starting it only', () => {
    const rule = (template.toJSON().Resources as Record<string, Resource>)[logicalId(nightly.rule)]!.Properties!;
    expect(rule['ScheduleExpression']).toBe('cron(0 2 * * ? *)');
    expect(rule['Targets']).toEqual([expect.objectContaining({ Arn: { Ref: logicalId(nightly.stateMachine) }, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })]);
    // No function is invoked by EventBridge, so none has Lambda's asynchronous retries.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  it('passes cdk-nag with each acknowledgement reasoned', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? '?'}`));
    expect(findings.filter((finding) => finding.includes('/Nightly/'))).toEqual([]);
  });
});
