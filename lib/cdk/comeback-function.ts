/**
 * A Comeback Lambda function, set up once: Node.js 24 on arm64, an ES module bundle built by the
 * local esbuild (minified, the AWS SDK left to the runtime, a source map beside it; see
 * ./function-bundle.ts), its own log group with a retention, and a role that may only write to
 * that log group until something is bound to it.
 *
 * The bind methods (`bindTable()`, `bindSecret()`, `bindJourneys()`, `bindLoyalty()`, `bindShop()`, `bindDelivery()`)
 * give the environment variables and the permissions (or the bundled files) together, so a function
 * never has one without the other.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { stateMachineJourneys, type StateMachineJourney } from '../../functions/core/journeys.ts';
import { shopifyFinancialStatuses, wooCommerceConsentSettings } from '../../functions/core/platforms/lifecycle.ts';
import { acknowledgeWildcardResources } from './acknowledgements.ts';
import type { ComebackTable, TableAccess } from './comeback-data.ts';
import type { ComebackDelivery } from './comeback-delivery.ts';
import type { ComebackJourneys, ComebackJourneySettings } from './comeback-journeys.ts';
import type { ComebackSecret } from './comeback-secret.ts';
import { PRECOMPILED_TEMPLATES_FILE } from '../../functions/core/delivery/template-compiling.ts';
import { FunctionBundler, writeFunctionBundle, type FunctionBundle } from './function-bundle.ts';
import { TEMPLATES_SOURCE } from './precompile-templates.ts';

/** The project root: handler paths in lib/routes.ts are relative to it. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The message templates, relative to the project root; bundled as `templates/` beside index.cjs, and precompiled. */
export { TEMPLATES_SOURCE };
/** Where a bundled function finds its templates (`/var/task` is the unpacked bundle). */
export const TEMPLATES_DIR = '/var/task/templates';
/** The store's loyalty and product rules, relative to the project root; bundled as `catalog.json`. */
export const CATALOG_SOURCE = 'workflows/catalog.json';
/** Where a bundled function finds the rules file. */
export const CATALOG_FILE = '/var/task/catalog.json';

/** The variable that gives journey starters a state machine's ARN, as functions/adapters/step-functions.ts reads it. */
export function stateMachineArnVariable(journey: StateMachineJourney): string {
  return `${journey.toUpperCase().replace(/-/g, '_')}_STATE_MACHINE_ARN`;
}

/** One bundler per app: its first function builds the bundles of every handler in one esbuild run. */
const bundlers = new WeakMap<IConstruct, FunctionBundler>();
function bundlerOf(scope: IConstruct): FunctionBundler {
  const root = scope.node.root;
  let bundler = bundlers.get(root);
  if (!bundler) {
    bundler = new FunctionBundler(projectRoot);
    bundlers.set(root, bundler);
  }
  return bundler;
}

/**
 * The function's code: its bundle from the app's one esbuild run, with the project files it carries
 * copied beside it. The asset is hashed by its output, so a deployment changes the function only
 * when its bundle or files change. Stacks synthesized without bundling (the context
 * `aws:cdk:bundling-stacks`) never call the bundler.
 */
/**
 * A function given no templates renders no message, though its handler may import the template
 * library through shared ports: the precompiled templates would never be read, so they are left out.
 */
function withoutUnusedFiles(bundle: FunctionBundle, copies: readonly (readonly [string, string])[]): FunctionBundle {
  if (copies.some(([from]) => from === TEMPLATES_SOURCE)) return bundle;
  return { files: new Map([...bundle.files].filter(([name]) => name !== PRECOMPILED_TEMPLATES_FILE)) };
}

function bundledCode(scope: IConstruct, entry: string, copies: readonly (readonly [string, string])[]): lambda.Code {
  return lambda.Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never run: the local bundling below always succeeds or throws.
      image: DockerImage.fromRegistry('dummy'),
      // Tells the assets of different functions apart in CDK's staging cache.
      command: ['comeback-bundle', entry, ...copies.flat()],
      local: {
        tryBundle(outputDir: string): boolean {
          writeFunctionBundle(withoutUnusedFiles(bundlerOf(scope).bundle(entry), copies), outputDir, copies.map(([from, to]) => [join(projectRoot, from), to] as const));
          return true;
        },
      },
    },
  });
}

export interface ComebackFunctionProps {
  /** The handler module, relative to the project root (as in lib/routes.ts); it exports `handler`. */
  readonly entry: string;
  /** @default - no description */
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /**
   * Active X-Ray tracing.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Copy the message templates (workflows/templates) into the bundle as `templates/`; a function
   * that sends messages needs them (see `bindDelivery()`).
   * @default false
   */
  readonly templates?: boolean;
  /**
   * Copy the store's rules file (workflows/catalog.json) into the bundle; a function that credits
   * or spends loyalty points needs it (see `bindLoyalty()`).
   * @default false
   */
  readonly catalog?: boolean;
}

/** What Lambda does with an asynchronous invocation (a schedule, an EventBridge rule, SNS, a log subscription). */
export interface ComebackAsyncInvocation {
  /**
   * Lambda's own retries of a run that failed (0-2). Long scheduled jobs get 0: a failed run is not
   * repeated blindly from the start; the next scheduled run resumes from the job's checkpoint.
   */
  readonly retryAttempts: 0 | 1 | 2;
  /** How long an event may wait for its run (throttled, or between retries): 1 minute to 6 hours. */
  readonly maxEventAge: Duration;
  /** Why these settings, for the reader of the queue and the template. */
  readonly reason: string;
}

/** How the store's platform orders are read (README, Shopify and WooCommerce); each @default the functions' default. */
export interface ComebackPlatformSettings {
  /** ISO 3166-1 alpha-2 country national phone numbers are read in (COMEBACK_DEFAULT_COUNTRY). @default - none */
  readonly defaultCountry?: string;
  /** Shopify financial statuses that count (COMEBACK_SHOPIFY_COUNTED_STATUSES). @default paid, partially_paid, authorized */
  readonly shopifyCountedStatuses?: readonly string[];
  /** What a WooCommerce checkout states (COMEBACK_WOOCOMMERCE_MARKETING_CONSENT). @default 'none' */
  readonly wooCommerceMarketingConsent?: string;
}

export class ComebackFunction extends Construct {
  public readonly function: lambda.Function;
  /** The handler module, an absolute path. */
  public readonly entry: string;
  /** The project files copied into the bundle: [path relative to the project root, path in the bundle]. */
  public readonly bundleCopies: readonly (readonly [from: string, to: string])[];
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  /** Whether workflows/templates is in the bundle. */
  public readonly templates: boolean;
  /** Whether workflows/catalog.json is in the bundle. */
  public readonly catalog: boolean;
  private failedInvocations?: sqs.Queue;
  private asyncInvocation?: ComebackAsyncInvocation;

  constructor(scope: Construct, id: string, props: ComebackFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });

    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);
    this.templates = props.templates ?? false;
    this.catalog = props.catalog ?? false;
    this.entry = join(projectRoot, props.entry);
    this.bundleCopies = [
      ...(this.templates ? ([[TEMPLATES_SOURCE, 'templates']] as const) : []),
      ...(this.catalog ? ([[CATALOG_SOURCE, 'catalog.json']] as const) : []),
    ];

    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(this, this.entry, this.bundleCopies),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
      ...(props.description ? { description: props.description } : {}),
      // No NODE_OPTIONS=--enable-source-maps: loading the map at every cold start cost more than the
      // import itself (see ./function-bundle.ts); index.cjs.map ships beside the bundle instead.
    });
    // A bundled rules file is read from the bundle, not from a repository path the function lacks.
    if (this.catalog) this.function.addEnvironment('COMEBACK_CATALOG_FILE', CATALOG_FILE);

    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray has no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords are only granted on "*".',
      });
    }
  }

  /**
   * The function is invoked asynchronously: Lambda retries a failed run `retryAttempts` times and
   * keeps an event for `maxEventAge`, then sends it with its error to an encrypted queue of its own
   * (`failedInvocations`), which the monitoring alarms on. An EventBridge rule targeting the function
   * should use the queue as its dead-letter queue too. Called once per function, by whichever
   * construct invokes it asynchronously.
   */
  public invokedAsynchronously(invocation: ComebackAsyncInvocation): sqs.Queue {
    if (this.failedInvocations) {
      if (this.asyncInvocation?.retryAttempts !== invocation.retryAttempts || this.asyncInvocation.maxEventAge.toSeconds() !== invocation.maxEventAge.toSeconds()) {
        throw new Error(`${this.node.path} is already invoked asynchronously with other retry settings`);
      }
      return this.failedInvocations;
    }
    const queue = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination (and EventBridge dead-letter queue) of the function; what lands here is read by a person, as its alarm says, not redriven blindly.',
    });
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(queue),
      retryAttempts: invocation.retryAttempts,
      maxEventAge: invocation.maxEventAge,
    });
    this.failedInvocations = queue;
    this.asyncInvocation = invocation;
    return queue;
  }

  /** The asynchronous invocation settings, when the function is invoked asynchronously. */
  public get asynchronousInvocation(): ComebackAsyncInvocation | undefined {
    return this.asyncInvocation;
  }

  /** The queue of events whose asynchronous runs failed; undefined for a function only invoked synchronously. */
  public get failedInvocationQueue(): sqs.Queue | undefined {
    return this.failedInvocations;
  }

  /**
   * Caps (and reserves) the function's concurrency, so a burst of its invocations cannot take the
   * account's concurrency from the webhooks. The account keeps at least 100 unreserved.
   */
  public limitConcurrency(limit: number, reason: string): void {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error(`the concurrency limit must be 1-100, not ${limit}`);
    if (reason.trim().length === 0) throw new Error('say why the concurrency is limited');
    (this.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = limit;
    this.concurrencyReason = reason;
  }

  /** Why the concurrency is limited, when it is. */
  public concurrencyReason?: string;

  /**
   * Sets TABLE_NAME and grants the data actions of `access` (read, or read and write) on the table;
   * with `scan`, also Scan on the base table (whole-table batch jobs only), and on the indexes
   * listed in `scanIndexes`.
   */
  public bindTable(table: ComebackTable, access: TableAccess, options: { readonly scan?: boolean; readonly scanIndexes?: readonly string[] } = {}): void {
    table.grantData(this.function, access);
    if (options.scan) table.grantScan(this.function, options.scanIndexes);
    this.function.addEnvironment('TABLE_NAME', table.tableName);
  }

  /** Sets `<NAME>_ARN` and grants reading that secret, and no other. */
  public bindSecret(secret: ComebackSecret): void {
    secret.grantRead(this.function);
    this.function.addEnvironment(secret.environmentVariable, secret.secretArn);
  }

  /** Sets what `journeySettings()` reads (functions/adapters/journey-ports.ts); no permission goes with it. */
  public bindJourneySettings(settings: ComebackJourneySettings): void {
    const holdoutShare = settings.holdoutShare ?? 0.1;
    if (!Number.isFinite(holdoutShare) || holdoutShare < 0 || holdoutShare > 0.5) {
      throw new Error(`the holdout share must be between 0 and 0.5, not ${holdoutShare}`);
    }
    this.bindShopUrl(settings.shopUrl);
    if (settings.supportContact.trim().length === 0) throw new Error('the support contact must not be empty');
    this.function.addEnvironment('COMEBACK_HOLDOUT_SHARE', String(holdoutShare));
    this.function.addEnvironment('COMEBACK_SUPPORT_CONTACT', settings.supportContact.trim());
  }

  /** Sets COMEBACK_SHOP_URL, the store's web shop that messages link to; no permission goes with it. */
  public bindShopUrl(shopUrl: string): void {
    if (!URL.canParse(shopUrl) || !/^https?:$/.test(new URL(shopUrl).protocol)) {
      throw new Error(`the shop URL must be an http(s) URL, not "${shopUrl}"`);
    }
    this.function.addEnvironment('COMEBACK_SHOP_URL', shopUrl);
  }

  /**
   * The `shop` capability (pages for customers): sets COMEBACK_SHOP_URL and, when the store named
   * its shop, COMEBACK_SHOP_NAME (functions/adapters/shop-settings.ts); no permission goes with it.
   */
  public bindShop(shopUrl: string, shopName?: string): void {
    this.bindShopUrl(shopUrl);
    if (shopName === undefined) return;
    const name = shopName.trim();
    if (name.length === 0 || name.length > 100) throw new Error(`the shop name must be 1 to 100 characters, not "${shopName}"`);
    this.function.addEnvironment('COMEBACK_SHOP_NAME', name);
  }

  /**
   * The `journeys` capability: sets the ARN of each journey state machine and the journey settings,
   * and grants StartExecution on exactly those state machines and StopExecution on their executions.
   */
  public bindJourneys(journeys: ComebackJourneys): void {
    this.bindJourneySettings(journeys.settings);
    for (const journey of stateMachineJourneys) {
      this.function.addEnvironment(stateMachineArnVariable(journey), journeys.stateMachine(journey).stateMachineArn);
    }
    const executions = stateMachineJourneys.map((journey) => journeys.executionArnPattern(journey));
    const policy = new iam.Policy(this, 'JourneysPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: stateMachineJourneys.map((journey) => journeys.stateMachine(journey).stateMachineArn) }),
        new iam.PolicyStatement({ actions: ['states:StopExecution'], resources: executions }),
      ],
    });
    acknowledgeWildcardResources(
      policy,
      executions,
      'StopExecution is granted on the executions of one journey state machine: execution names are the journey entry ids, ' +
        'created at run time, so the execution ARN ends in a wildcard after the state machine name.',
    );
    this.function.node.addDependency(policy);
  }

  /**
   * The `platforms` capability: how platform orders are read (functions/config.ts platformEnv). Only
   * the settings the store chose are set; the functions' own defaults stand for the others. No
   * permission goes with it.
   */
  public bindPlatformSettings(settings: ComebackPlatformSettings): void {
    if (settings.defaultCountry !== undefined) {
      if (!/^[A-Z]{2}$/.test(settings.defaultCountry)) throw new Error(`the default country must be an ISO 3166-1 alpha-2 code like US, not "${settings.defaultCountry}"`);
      this.function.addEnvironment('COMEBACK_DEFAULT_COUNTRY', settings.defaultCountry);
    }
    if (settings.shopifyCountedStatuses !== undefined) {
      const unknown = settings.shopifyCountedStatuses.filter((status) => !(shopifyFinancialStatuses as readonly string[]).includes(status));
      if (settings.shopifyCountedStatuses.length === 0 || unknown.length > 0) {
        throw new Error(`the Shopify counted statuses must be some of ${shopifyFinancialStatuses.join(', ')}${unknown.length > 0 ? `, not ${unknown.join(', ')}` : ''}`);
      }
      this.function.addEnvironment('COMEBACK_SHOPIFY_COUNTED_STATUSES', settings.shopifyCountedStatuses.join(','));
    }
    if (settings.wooCommerceMarketingConsent !== undefined) {
      if (!(wooCommerceConsentSettings as readonly string[]).includes(settings.wooCommerceMarketingConsent)) {
        throw new Error(`the WooCommerce marketing consent must be one of ${wooCommerceConsentSettings.join(', ')}, not "${settings.wooCommerceMarketingConsent}"`);
      }
      this.function.addEnvironment('COMEBACK_WOOCOMMERCE_MARKETING_CONSENT', settings.wooCommerceMarketingConsent);
    }
  }

  /** Points the function at its bundled rules file (loyalty points, tiers, product rules). */
  public bindLoyalty(): void {
    if (!this.catalog) throw new Error(`${this.node.path} credits or spends points, so it must be created with catalog: true`);
  }

  /**
   * Sending messages (functions/adapters/delivery-ports.ts): sets COMEBACK_DELIVERY=aws, the sender,
   * the manager topic, the SES configuration set, the public URL for links, the templates
   * directory and the brand settings; binds the unsubscribe secret; grants sending email from the SES identity through the
   * configuration set, publishing to the manager topic (with its key), and SMS.
   */
  public bindDelivery(delivery: ComebackDelivery): void {
    if (!this.templates) throw new Error(`${this.node.path} sends messages, so it must be created with templates: true`);
    this.function.addEnvironment('COMEBACK_DELIVERY', 'aws');
    this.function.addEnvironment('COMEBACK_EMAIL_FROM', delivery.emailFrom);
    this.function.addEnvironment('COMEBACK_MANAGER_TOPIC_ARN', delivery.managerTopic.topicArn);
    this.function.addEnvironment('COMEBACK_SES_CONFIGURATION_SET', delivery.configurationSet.configurationSetName);
    this.function.addEnvironment('COMEBACK_PUBLIC_URL', delivery.publicUrl);
    this.function.addEnvironment('COMEBACK_TEMPLATES_DIR', TEMPLATES_DIR);
    for (const [name, value] of Object.entries(delivery.brandEnvironment)) this.function.addEnvironment(name, value);
    this.bindSecret(delivery.unsubscribeSecret);
    const policy = new iam.Policy(this, 'DeliveryPolicy', { roles: [this.role], statements: delivery.sendStatements() });
    Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: delivery.smsWildcardReason });
    this.function.node.addDependency(policy);
  }
}
