/**
 * The journey ports of the functions that send messages (the journey step, the sweep): the journey
 * store and settings (./journey-ports.ts) with the delivery step and the links messages carry.
 */
import * as z from '../core/zod.ts';
import { readConfig, secretEnv, secretReference } from '../config.ts';
import { feedbackToken, feedbackUrl } from '../core/analytics/feedback.ts';
import { joinToken, joinUrl } from '../core/loyalty/join-link.ts';
import { deliverMessage } from '../core/delivery/deliver.ts';
import type { JourneyRunPorts, JourneyStepPorts } from '../core/journey-engine.ts';
import { configuredCatalog } from './catalog-file.ts';
import { DynamoCoPurchaseStore } from './catalog-store.ts';
import { deliveryPorts, type DiscountIssuerOf } from './delivery-ports.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { journeyBase, journeyPorts } from './journey-ports.ts';
import { resolveSecret } from './secrets.ts';

const linksEnv = z.object({ COMEBACK_PUBLIC_URL: z.url() });

/**
 * For the journey step function: everything a step needs, and no state machine ARNs. The offering
 * steps read the rules file (COMEBACK_CATALOG_FILE) and the nightly co-purchase counts.
 */
export function journeyStepPorts(discounts: DiscountIssuerOf): JourneyStepPorts {
  return { ...sendingPorts(discounts), offers: { catalog: configuredCatalog(), coPurchases: new DynamoCoPurchaseStore(documentClient, tableName) } };
}

/** The store, the delivery step (with the discount issuer when its messages offer codes) and the links messages carry. */
function sendingPorts(discounts?: DiscountIssuerOf): Omit<JourneyStepPorts, 'offers'> {
  const delivery = deliveryPorts(discounts);
  const { COMEBACK_PUBLIC_URL: publicUrl } = readConfig(linksEnv);
  const feedbackSecret = secretReference(readConfig(secretEnv('COMEBACK_FEEDBACK_SECRET')), 'COMEBACK_FEEDBACK_SECRET');
  return {
    ...journeyBase(),
    deliverer: { deliver: (customerId, intent) => deliverMessage(delivery, customerId, intent) },
    links: {
      async feedback(customerId, entryId) {
        const [secret] = await resolveSecret(feedbackSecret);
        if (!secret) throw new Error('COMEBACK_FEEDBACK_SECRET holds no value');
        return feedbackUrl(new URL('/v1/feedback', publicUrl).toString(), feedbackToken(customerId, entryId, secret));
      },
      // Signed with the feedback secret under the join links' own prefix (core/loyalty/join-link.ts).
      async join(customerId) {
        const [secret] = await resolveSecret(feedbackSecret);
        if (!secret) throw new Error('COMEBACK_FEEDBACK_SECRET holds no value');
        return joinUrl(new URL('/v1/join', publicUrl).toString(), joinToken(customerId, secret));
      },
    },
  };
}

/**
 * For the sweep: the sending ports plus the launcher that starts win-back. What it sends are the
 * check-in tasks, which offer nothing: no rules file, no discount issuer.
 */
export function journeyRunPorts(): JourneyRunPorts {
  return { ...sendingPorts(), launcher: journeyPorts().launcher };
}
