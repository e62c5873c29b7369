/**
 * The stateless part of Comeback: one function per route of lib/routes.ts, the HTTP API that
 * routes to them, and the secrets they check callers with. The table comes in by props from the
 * data stack; each function gets exactly the table access and the secrets its route lists.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { apiRoutes, type ApiRoute, type SecretName } from '../routes.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction } from './comeback-function.ts';
import { ComebackHttpApi } from './comeback-http-api.ts';
import { ComebackSecret, secretPurposes } from './comeback-secret.ts';

export interface ComebackApiStackProps extends StackProps {
  /** The table, from the data stack. */
  readonly table: ComebackTable;
  /** @default apiRoutes from lib/routes.ts */
  readonly routes?: readonly ApiRoute[];
  /**
   * Active X-Ray tracing on every function.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default - see ComebackHttpApiProps */
  readonly throttle?: apigwv2.ThrottleSettings;
  /** Retention of the function and access logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackApiStack extends Stack {
  public readonly api: ComebackHttpApi;
  /** By route id. */
  public readonly functions: ReadonlyMap<string, ComebackFunction>;
  /** By secret name. */
  public readonly secrets: ReadonlyMap<SecretName, ComebackSecret>;

  constructor(scope: Construct, id: string, props: ComebackApiStackProps) {
    super(scope, id, props);
    const routes = props.routes ?? apiRoutes;
    const ids = routes.map((route) => route.id);
    const duplicate = ids.find((routeId, index) => ids.indexOf(routeId) !== index);
    if (duplicate) throw new Error(`the route id ${duplicate} is used twice`);

    const secrets = new Map<SecretName, ComebackSecret>();
    for (const name of new Set(routes.flatMap((route) => route.secrets))) {
      secrets.set(name, new ComebackSecret(this, name, { name }));
    }
    this.secrets = secrets;

    this.api = new ComebackHttpApi(this, 'Api', {
      ...(props.throttle ? { throttle: props.throttle } : {}),
      ...(props.logRetention ? { accessLogRetention: props.logRetention } : {}),
    });

    const functions = new Map<string, ComebackFunction>();
    for (const route of routes) {
      const fn = new ComebackFunction(this, route.id, {
        entry: route.handler,
        description: `Comeback ${route.method} ${route.path}`,
        tracing: props.tracing ?? false,
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      });
      fn.bindTable(props.table, route.table);
      for (const name of route.secrets) fn.bindSecret(secrets.get(name)!);
      const authenticatedBy = route.secrets.map((name) => secretPurposes[name].authenticates).join('; ');
      this.api.addRoute(route, fn.function, authenticatedBy);
      functions.set(route.id, fn);
    }
    this.functions = functions;

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'The base URL of the Comeback API.' });
    for (const secret of secrets.values()) {
      new CfnOutput(this, secret.environmentVariable, {
        value: secret.secretArn,
        description: `The ARN of ${secret.name} (read the value in Secrets Manager). ${secretPurposes[secret.name].description}`,
      });
    }
  }
}
