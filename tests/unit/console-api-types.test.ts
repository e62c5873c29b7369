/**
 * The console declares the shapes it reads from the API (console/src/api-types.ts), for a browser
 * bundle that carries none of the handlers' code. These assertions hold them to what the handlers
 * answer: each is checked when `npm test` type-checks the project (tsc), so a field the API renames,
 * drops or changes the type of, and the console still reads, fails the type check.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as Console from '../../console/src/api-types.ts';
import type { FeedbackAnswer, MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import type { CustomerPredictions } from '../../functions/core/analytics/predictions.ts';
import type { summarizeFunnels } from '../../functions/core/analytics/funnels.ts';
import type { segmentsView } from '../../functions/core/analytics/segment-views.ts';
import type { CustomerMatch } from '../../functions/core/customer-search.ts';
import type { MessageHistoryPage } from '../../functions/core/delivery/message-history.ts';
import type { withOptOuts } from '../../functions/core/delivery/opt-outs.ts';
import type { TaskLists } from '../../functions/core/delivery/task-lists.ts';
import type { taskView } from '../../functions/core/delivery/tasks.ts';
import type { RecordedOrder } from '../../functions/core/ledger.ts';
import type { LoyaltyView } from '../../functions/core/loyalty/use-cases.ts';
import type { profileView } from '../../functions/core/profile.ts';

describe("the console's API shapes", () => {
  it('are what the handlers answer (checked by the type check)', () => {
    // GET /v1/metrics: its days and funnels.
    expectTypeOf<MetricsSnapshot>().toExtend<Console.MetricsDay>();
    expectTypeOf<ReturnType<typeof summarizeFunnels>>().toExtend<NonNullable<Console.Metrics['funnels']>>();
    // GET /v1/segments.
    expectTypeOf<ReturnType<typeof segmentsView>>().toExtend<Console.Segments>();
    // GET /v1/tasks: its items and the store's lists.
    expectTypeOf<ReturnType<typeof taskView>>().toExtend<Console.Task>();
    expectTypeOf<TaskLists>().toExtend<Console.TaskChoices>();
    // GET /v1/customers/{id}: the profile as shown, and the orders.
    expectTypeOf<ReturnType<typeof withOptOuts<ReturnType<typeof profileView>>>>().toExtend<Console.Customer['profile']>();
    expectTypeOf<RecordedOrder>().toExtend<Console.Order>();
    expectTypeOf<CustomerPredictions>().toExtend<Console.Customer['predictions']>();
    expectTypeOf<Omit<FeedbackAnswer, 'customerId'>>().toExtend<Console.Customer['feedback'][number]>();
    // GET /v1/customers/{id}/messages and GET /v1/customers?...
    expectTypeOf<MessageHistoryPage>().toExtend<Console.MessagePage>();
    expectTypeOf<CustomerMatch>().toExtend<Console.CustomerMatch>();
    // GET /v1/loyalty/{customerId}.
    expectTypeOf<LoyaltyView>().toExtend<Console.Loyalty>();
  });
});
