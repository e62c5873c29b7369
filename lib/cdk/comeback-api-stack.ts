/**
 * The stateless part of Comeback: one function per route of lib/routes.ts, the HTTP API that
 * routes to them, and the secrets they check callers with; the journeys (state machines, the step
 * and sweep functions), message delivery (SES, the manager topic), the nightly recompute, the
 * scheduled loyalty functions (dispatch, sweep, co-purchase count), inbound SMS opt-outs, and the
 * dashboard and alarms.
 * The table comes in by props from the data stack; each function gets exactly the table access,
 * the secrets and the capabilities its route (or its job) needs.
 *
 * Everything that refers to everything else lives in this one stack, so references stay inside
 * it and run one way: route functions and the nightly recompute -> state machines -> journey step
 * -> HTTP API.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { adminOnly, apiRoutes, type ApiRoute, type Capability, type SecretName } from '../routes.ts';
import { ComebackAnalytics } from './comeback-analytics.ts';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackDelivery, type ComebackDeliveryProps } from './comeback-delivery.ts';
import { ComebackDeliveryFeedback } from './comeback-delivery-feedback.ts';
import { ComebackFunction } from './comeback-function.ts';
import { ComebackHttpApi } from './comeback-http-api.ts';
import { ComebackImports } from './comeback-imports.ts';
import { ComebackJourneys, type ComebackJourneySettings } from './comeback-journeys.ts';
import { ComebackLogin } from './comeback-login.ts';
import { ComebackLoyalty } from './comeback-loyalty.ts';
import { ComebackMonitoring } from './comeback-monitoring.ts';
import { ComebackNightly } from './comeback-nightly.ts';
import { ComebackPurchaseReactions } from './comeback-purchase-reactions.ts';
import { ComebackSecret, secretPurposes } from './comeback-secret.ts';
import { ComebackSmsInbound } from './comeback-sms-inbound.ts';
import { ComebackSync } from './comeback-sync.ts';
import type { ComebackPlatformSettings } from './comeback-function.ts';
import { taskListsFromJson } from '../../functions/core/delivery/task-lists.ts';

/** Secrets the journey step and sweep sign links with, whether or not a route lists them. */
export const DELIVERY_SECRETS: readonly SecretName[] = ['COMEBACK_UNSUBSCRIBE_SECRET', 'COMEBACK_FEEDBACK_SECRET'];

/** The store's delivery settings; the public URL and the unsubscribe secret come from the stack. */
export interface ComebackApiDeliveryProps extends Omit<ComebackDeliveryProps, 'publicUrl' | 'unsubscribeSecret'> {
  /**
   * The public base URL of the API, for the unsubscribe and feedback links in messages, when the
   * store serves the API under its own domain.
   * @default - the URL of the HTTP API
   */
  readonly publicUrl?: string;
}

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
  /** Retention of the function, state machine and access logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** The journey settings the store chooses (shop URL, support contact, holdout share). */
  readonly journeys: ComebackJourneySettings;
  /**
   * The shop's name on the pages customers open from messages (COMEBACK_SHOP_NAME).
   * @default - the host name of the shop URL
   */
  readonly shopName?: string;
  /** How messages are sent: the SES sender and identity, the manager topic's subscriber. */
  readonly delivery: ComebackApiDeliveryProps;
  /** @default - every default; see ComebackAnalyticsProps */
  readonly recomputeSettings?: string;
  /** @default - no subscription; see ComebackMonitoringProps */
  readonly alarmEmail?: string;
  /** How platform orders are read, for the functions that map them. @default - the functions' defaults */
  readonly platformSettings?: ComebackPlatformSettings;
  /**
   * Days back the nightly sync with a Shopify or WooCommerce storefront reads, 1 to 60.
   * @default 3
   */
  readonly syncDays?: number;
  /**
   * The outcomes and churn reasons managers complete tasks with, as one JSON document
   * (COMEBACK_TASK_LISTS, functions/core/delivery/task-lists.ts); checked at synth.
   * @default - the default lists
   */
  readonly taskLists?: string;
  /**
   * The prefix of the console's managed login domain (<prefix>.auth.<region>.amazoncognito.com).
   * @default - see ComebackLoginProps
   */
  readonly loginDomainPrefix?: string;
}

export class ComebackApiStack extends Stack {
  public readonly api: ComebackHttpApi;
  /** How owners and managers log in: the user pool, its groups, the console's client, the admin routes' authorizer. */
  public readonly login: ComebackLogin;
  /** By route id. */
  public readonly functions: ReadonlyMap<string, ComebackFunction>;
  /** By secret name. */
  public readonly secrets: ReadonlyMap<SecretName, ComebackSecret>;
  public readonly delivery: ComebackDelivery;
  public readonly journeys: ComebackJourneys;
  /** Journeys and points of recorded orders and refunds, from the table's stream. */
  public readonly purchaseReactions: ComebackPurchaseReactions;
  public readonly analytics: ComebackAnalytics;
  public readonly loyalty: ComebackLoyalty;
  /** The nightly work: sweeps, co-purchase count and the recompute in key ranges, one state machine. */
  public readonly nightly: ComebackNightly;
  public readonly monitoring: ComebackMonitoring;
  public readonly smsInbound: ComebackSmsInbound;
  public readonly deliveryFeedback: ComebackDeliveryFeedback;
  /** Imports uploaded to S3: the bucket, the import state machine and its function. */
  public readonly imports: ComebackImports;
  /** The nightly reconciliation with the store's platform; only with a shopify or woocommerce storefront. */
  public readonly sync: ComebackSync | undefined;
  private readonly shopName: string | undefined;
  private readonly platformSettings: ComebackPlatformSettings;
  private readonly taskLists: string | undefined;

  constructor(scope: Construct, id: string, props: ComebackApiStackProps) {
    super(scope, id, props);
    this.shopName = props.shopName;
    this.platformSettings = props.platformSettings ?? {};
    // A wrong list stops the synth, named, rather than the first task completed.
    this.taskLists = props.taskLists !== undefined && props.taskLists.trim() !== '' ? JSON.stringify(taskListsFromJson(props.taskLists)) : undefined;
    const routes = props.routes ?? apiRoutes;
    const ids = routes.map((route) => route.id);
    const duplicate = ids.find((routeId, index) => ids.indexOf(routeId) !== index);
    if (duplicate) throw new Error(`the route id ${duplicate} is used twice`);

    const secrets = new Map<SecretName, ComebackSecret>();
    // Admins log in with Cognito here: no function gets the admin token, so there is none.
    for (const name of new Set([...routes.flatMap((route) => route.secrets.filter((secret) => secret !== 'COMEBACK_ADMIN_TOKEN')), ...DELIVERY_SECRETS])) {
      secrets.set(name, new ComebackSecret(this, name, { name }));
    }
    this.secrets = secrets;

    this.api = new ComebackHttpApi(this, 'Api', {
      ...(props.throttle ? { throttle: props.throttle } : {}),
      ...(props.logRetention ? { accessLogRetention: props.logRetention } : {}),
    });

    this.login = new ComebackLogin(this, 'Login', props.loginDomainPrefix !== undefined ? { domainPrefix: props.loginDomainPrefix } : {});

    const { publicUrl, ...delivery } = props.delivery;
    if (publicUrl !== undefined && !/^https:\/\/[^/\s]+/.test(publicUrl)) throw new Error(`the public URL must be an https URL, not "${publicUrl}"`);
    this.delivery = new ComebackDelivery(this, 'Delivery', {
      ...delivery,
      publicUrl: publicUrl ?? this.api.url,
      unsubscribeSecret: secrets.get('COMEBACK_UNSUBSCRIBE_SECRET')!,
    });

    const common = { tracing: props.tracing ?? false, ...(props.logRetention ? { logRetention: props.logRetention } : {}) };
    this.journeys = new ComebackJourneys(this, 'Journeys', {
      table: props.table,
      delivery: this.delivery,
      feedbackSecret: secrets.get('COMEBACK_FEEDBACK_SECRET')!,
      settings: props.journeys,
      ...common,
    });

    // Journeys and points of what the webhooks, the refund route and the sync record, from the table's stream.
    this.purchaseReactions = new ComebackPurchaseReactions(this, 'PurchaseReactions', { table: props.table, journeys: this.journeys, ...common });

    // Before the routes: the import route signs upload URLs to its bucket.
    this.imports = new ComebackImports(this, 'Imports', { table: props.table, ...common });

    const functions = new Map<string, ComebackFunction>();
    for (const route of routes) {
      const fn = new ComebackFunction(this, route.id, {
        entry: route.handler,
        description: `Comeback ${route.method} ${route.path}`,
        catalog: route.capabilities?.includes('loyalty') ?? false,
        ...(route.timeoutSeconds ? { timeout: Duration.seconds(route.timeoutSeconds) } : {}),
        ...common,
      });
      fn.bindTable(props.table, route.table);
      const admin = route.secrets.includes('COMEBACK_ADMIN_TOKEN');
      const signedBy = route.secrets.filter((name) => name !== 'COMEBACK_ADMIN_TOKEN');
      for (const name of signedBy) fn.bindSecret(secrets.get(name)!);
      if (admin) this.login.bindFunction(fn);
      for (const capability of route.capabilities ?? []) this.bindCapability(fn, capability);
      const authenticatedBy = [
        ...signedBy.map((name) => secretPurposes[name].authenticates),
        ...(admin ? ["an admin's Authorization bearer token is verified as a Cognito access token of the console's app client (the user pool's signature, issuer, client and expiry) and the caller's groups are checked"] : []),
      ].join('; ');
      this.api.addRoute(route, fn.function, authenticatedBy, adminOnly(route) ? this.login.authorizer : undefined);
      functions.set(route.id, fn);
    }
    this.functions = functions;

    // Segments, predictions and the nightly metrics; entering a segment may start win-back.
    this.analytics = new ComebackAnalytics(this, 'Analytics', {
      table: props.table,
      journeys: this.journeys,
      ...(props.recomputeSettings !== undefined ? { recomputeSettings: props.recomputeSettings } : {}),
      ...common,
    });

    // Due loyalty, replenishment and cross-sell messages, tier reviews, co-purchase counts.
    this.loyalty = new ComebackLoyalty(this, 'Loyalty', {
      table: props.table,
      delivery: this.delivery,
      shopUrl: props.journeys.shopUrl,
      ...common,
    });

    // The sweeps, the co-purchase count and the recompute, started together daily at 02:00 UTC.
    this.nightly = new ComebackNightly(this, 'Nightly', {
      recompute: this.analytics.recompute,
      journeySweep: this.journeys.sweep,
      loyaltySweep: this.loyalty.sweep,
      coPurchase: this.loyalty.coPurchase,
      ...common,
    });

    // Orders the platform's webhooks missed, read back every night.
    const storefrontKind = this.delivery.storefront.kind;
    this.sync = storefrontKind === 'shopify' || storefrontKind === 'woocommerce'
      ? new ComebackSync(this, 'Sync', {
          table: props.table,
          storefront: this.delivery.storefront,
          platformSettings: this.platformSettings,
          ...(props.syncDays !== undefined ? { days: props.syncDays } : {}),
          ...common,
        })
      : undefined;

    // Replies such as STOP to the store's SMS number withdraw SMS consent.
    this.smsInbound = new ComebackSmsInbound(this, 'SmsInbound', { table: props.table, ...common });

    // SES bounces, complaints and deliveries and SNS SMS delivery status set each message's status.
    this.deliveryFeedback = new ComebackDeliveryFeedback(this, 'DeliveryFeedback', { table: props.table, delivery: this.delivery, ...common });

    this.monitoring = new ComebackMonitoring(this, 'Monitoring', {
      api: this.api,
      journeys: this.journeys,
      analytics: this.analytics,
      loyalty: this.loyalty,
      deliveryFeedback: this.deliveryFeedback,
      purchaseReactions: this.purchaseReactions,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'The base URL of the Comeback API.' });
    for (const secret of secrets.values()) {
      new CfnOutput(this, secret.environmentVariable, {
        value: secret.secretArn,
        description: `The ARN of ${secret.name} (read the value in Secrets Manager). ${secretPurposes[secret.name].description}`,
      });
    }
  }

  /** Gives a route's function what one capability of lib/routes.ts stands for. */
  private bindCapability(fn: ComebackFunction, capability: Capability): void {
    switch (capability) {
      case 'journeys':
        fn.bindJourneys(this.journeys);
        return;
      case 'loyalty':
        fn.bindLoyalty();
        return;
      case 'storefront':
        this.delivery.storefront.bind(fn);
        return;
      case 'shop':
        fn.bindShop(this.journeys.settings.shopUrl, this.shopName);
        return;
      case 'imports':
        this.imports.bindUploads(fn);
        return;
      case 'platforms':
        fn.bindPlatformSettings(this.platformSettings);
        return;
      case 'taskLists':
        if (this.taskLists !== undefined) fn.function.addEnvironment('COMEBACK_TASK_LISTS', this.taskLists);
        return;
      default: {
        const unknown: never = capability;
        throw new Error(`the capability "${String(unknown)}" has no binding`);
      }
    }
  }
}
