/**
 * The scheduled side of the loyalty program and the product rules: the messages that fall due
 * (tier congratulations and nudges, replenishment reminders, cross-sell offers), the nightly tier
 * reviews, and the co-purchase counts that the personal offers are picked from.
 *
 * - The dispatch (functions/handlers/loyalty-dispatch.ts) runs every hour at minute 15 and sends
 *   what is due through the delivery step, looking back to yesterday.
 * - The sweep (functions/handlers/loyalty-sweep.ts) runs nightly, a branch of the nightly state
 *   machine (comeback-nightly.ts): tier reviews, then every message due, looking back a week.
 * - The co-purchase count (functions/handlers/catalog-copurchase.ts) runs nightly, another branch;
 *   it reads every order with a parallel Scan of the base table.
 *
 * The dispatch and the sweep read the store's rules file (bundled as catalog.json) and send with
 * the message templates; the co-purchase count needs neither, and sends nothing. Every run is safe
 * to repeat.
 */
import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GSI4 } from '../../functions/adapters/table-design.ts';
import type { ComebackTable } from './comeback-data.ts';
import type { ComebackDelivery } from './comeback-delivery.ts';
import { ComebackFunction } from './comeback-function.ts';
import { ComebackHourlySchedule } from './comeback-schedule.ts';
import { LOYALTY_DISPATCH_MINUTE } from '../schedules.ts';

export interface ComebackLoyaltyProps {
  readonly table: ComebackTable;
  readonly delivery: ComebackDelivery;
  /** The store's web shop, linked from loyalty messages (COMEBACK_SHOP_URL). */
  readonly shopUrl: string;
  /**
   * Active X-Ray tracing of the functions.
   * @default false
   */
  readonly tracing?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class ComebackLoyalty extends Construct {
  /** Runs every hour at minute 15: sends the loyalty, replenishment and cross-sell messages due. */
  public readonly dispatch: ComebackFunction;
  public readonly dispatchSchedule: ComebackHourlySchedule;
  /** Tier reviews, then the messages due over the past week: a branch of the nightly state machine (comeback-nightly.ts). */
  public readonly sweep: ComebackFunction;
  /** Counts which products are bought together, for the personal offers: a branch of the nightly state machine. */
  public readonly coPurchase: ComebackFunction;

  constructor(scope: Construct, id: string, props: ComebackLoyaltyProps) {
    super(scope, id);
    const common = { tracing: props.tracing ?? false, ...(props.logRetention ? { logRetention: props.logRetention } : {}) };

    /** What both senders are given: the table, the rules file, the templates and delivery, the shop's address. */
    const sender = (constructId: string, entry: string, description: string, timeout: Duration) => {
      const fn = new ComebackFunction(this, constructId, { entry, description, timeout, templates: true, catalog: true, ...common });
      fn.bindTable(props.table, 'readWrite');
      fn.bindLoyalty();
      fn.bindDelivery(props.delivery);
      fn.bindShopUrl(props.shopUrl);
      return fn;
    };

    // Ten minutes, so an hourly run is over well before the next one (and before the nightly work at 02:00).
    this.dispatch = sender(
      'Dispatch',
      'functions/handlers/loyalty-dispatch.ts',
      'Comeback hourly loyalty dispatch: due tier, replenishment and cross-sell messages',
      Duration.minutes(10),
    );
    this.dispatchSchedule = new ComebackHourlySchedule(this, 'DispatchSchedule', {
      target: this.dispatch,
      minute: LOYALTY_DISPATCH_MINUTE,
      description: `Runs the Comeback loyalty dispatch every hour at minute ${LOYALTY_DISPATCH_MINUTE}.`,
    });

    this.sweep = sender(
      'Sweep',
      'functions/handlers/loyalty-sweep.ts',
      'Comeback daily loyalty sweep: tier reviews and the messages due over the past week',
      Duration.minutes(15),
    );

    this.coPurchase = new ComebackFunction(this, 'CoPurchase', {
      entry: 'functions/handlers/catalog-copurchase.ts',
      description: 'Comeback nightly co-purchase count: the products bought together, for personal offers',
      // Every order is streamed through bounded counters: memory for the counts, and the CPU share that comes with it.
      memorySize: 1024,
      timeout: Duration.minutes(15),
      ...common,
    });
    // The orders index nightly; the table once, on the first night after the index appeared (CoPurchaseStore.ordersIndexing).
    this.coPurchase.bindTable(props.table, 'readWrite', { scan: true, scanIndexes: [GSI4] });
  }
}
