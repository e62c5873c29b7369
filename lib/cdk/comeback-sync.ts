/**
 * The nightly reconciliation with the store's platform: a function (functions/handlers/nightly-sync.ts)
 * run daily at 01:30 UTC, before the 02:00 journey sweep and the 03:00 recompute, that reads the
 * orders created or changed in the last `days` days from the store's Shopify or WooCommerce and
 * records what the webhooks missed (the same use case as POST /v1/sync/{platform}).
 *
 * Least privilege: read and write on the table (orders, profiles, check-ins), read access to the
 * storefront's credentials secret and nothing else (journeys and points follow a recorded order from
 * the table's stream, lib/cdk/comeback-purchase-reactions.ts); the schedule is an EventBridge rule invoking through the function's resource policy.
 * Created only when the storefront is `shopify` or `woocommerce`: the store's credentials live there.
 */
import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ComebackTable } from './comeback-data.ts';
import { ComebackFunction, type ComebackPlatformSettings } from './comeback-function.ts';
import { ComebackDailySchedule } from './comeback-schedule.ts';
import type { ComebackStorefront } from './comeback-storefront.ts';
import { clockText, PLATFORM_SYNC } from '../schedules.ts';

export interface ComebackSyncProps {
  readonly table: ComebackTable;
  /** The store's platform and its credentials; its kind must be 'shopify' or 'woocommerce'. */
  readonly storefront: ComebackStorefront;
  /** @default - every default */
  readonly platformSettings?: ComebackPlatformSettings;
  /**
   * Days back each night's run asks for, 1 to 60.
   * @default 3
   */
  readonly days?: number;
  /** @default false */
  readonly tracing?: boolean;
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackSync extends Construct {
  public readonly function: ComebackFunction;
  public readonly schedule: ComebackDailySchedule;

  constructor(scope: Construct, id: string, props: ComebackSyncProps) {
    super(scope, id);
    const kind = props.storefront.kind;
    if (kind !== 'shopify' && kind !== 'woocommerce') throw new Error(`the nightly sync reads a shopify or woocommerce storefront, not ${kind}`);
    const days = props.days ?? 3;
    if (!Number.isInteger(days) || days < 1 || days > 60) throw new Error(`the sync days must be a whole number from 1 to 60, not ${days}`);

    this.function = new ComebackFunction(this, 'NightlySync', {
      entry: 'functions/handlers/nightly-sync.ts',
      description: `Comeback nightly sync: orders of the last ${days} days from ${kind}`,
      timeout: Duration.minutes(15),
      tracing: props.tracing ?? false,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.function.bindTable(props.table, 'readWrite');
    this.function.bindPlatformSettings(props.platformSettings ?? {});
    props.storefront.bind(this.function);
    this.function.function.addEnvironment('COMEBACK_SYNC_DAYS', String(days));

    this.schedule = new ComebackDailySchedule(this, 'Schedule', {
      target: this.function,
      hour: PLATFORM_SYNC.hourUtc,
      minute: PLATFORM_SYNC.minuteUtc,
      description: `Runs the Comeback nightly sync with the ${kind} store daily at ${clockText(PLATFORM_SYNC)} UTC.`,
    });
  }
}
