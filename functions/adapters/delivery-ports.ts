/**
 * The delivery use case wired to its real adapters: DynamoDB for contacts, the message log and
 * tasks; SES/SNS or the outbox for sending; templates from disk; signed unsubscribe links.
 * Built once per process, on the first call (call it at module scope in a handler so a bad
 * configuration stops the cold start).
 */
import * as z from '../core/zod.ts';
import { brandEnv, brandOf, readConfig, secretEnv, secretReference } from '../config.ts';
import { TemplateLibrary, defaultTemplatesDir } from '../core/delivery/templates.ts';
import type { DeliveryPorts } from '../core/delivery/types.ts';
import { signUnsubscribeToken, unsubscribeUrl } from '../core/delivery/unsubscribe.ts';
import { now } from './clock.ts';
import { documentClient, tableName } from './dynamodb.ts';
import { DynamoContacts, DynamoMessageLog, DynamoTasks } from './message-log.ts';
import { resolveSecret } from './secrets.ts';
import { configuredSenders, deliveryEnv } from './senders.ts';

export const deliveryLinksEnv = z.object({
  /** The public base URL of the API, for links in messages: https://api.example.com */
  COMEBACK_PUBLIC_URL: z.url(),
  /** Where the message templates are; defaults to the repository's workflows/templates. */
  COMEBACK_TEMPLATES_DIR: z.optional(z.string().check(z.trim(), z.minLength(1))),
});

let ports: DeliveryPorts | undefined;

/** What builds the discount issuer of the messages that offer codes, none when no storefront is configured. */
export type DiscountIssuerOf = () => DeliveryPorts['discounts'];

/**
 * The delivery ports, with the discount issuer `discounts` builds when the caller's messages offer
 * codes (./discounts.ts configuredDiscounts). Given by the caller, not imported here, so a function
 * whose messages never offer one (the journey sweep's check-in tasks) carries no storefront client.
 */
export function deliveryPorts(discounts?: DiscountIssuerOf): DeliveryPorts {
  ports ??= buildDeliveryPorts();
  const issuer = discounts?.();
  return issuer ? { ...ports, discounts: issuer } : ports;
}

function buildDeliveryPorts(): DeliveryPorts {
  const config = readConfig(deliveryLinksEnv);
  const unsubscribeSecret = secretReference(readConfig(secretEnv('COMEBACK_UNSUBSCRIBE_SECRET')), 'COMEBACK_UNSUBSCRIBE_SECRET');
  const brandConfig = readConfig(brandEnv);
  const brand = brandOf(brandConfig);
  const senders = configuredSenders(readConfig(deliveryEnv), brandConfig.COMEBACK_SENDER_NAME ?? brand.shopName);
  const tasks = new DynamoTasks(documentClient, tableName);
  return {
    now,
    contacts: new DynamoContacts(documentClient, tableName),
    log: new DynamoMessageLog(documentClient, tableName),
    senders,
    tasks,
    templates: new TemplateLibrary(config.COMEBACK_TEMPLATES_DIR ?? defaultTemplatesDir, brand),
    smsMaxSegments: brandConfig.COMEBACK_SMS_MAX_SEGMENTS,
    links: {
      async unsubscribe(customerId, channel) {
        const [current] = await resolveSecret(unsubscribeSecret);
        if (!current) throw new Error('COMEBACK_UNSUBSCRIBE_SECRET holds no value');
        return unsubscribeUrl(config.COMEBACK_PUBLIC_URL, signUnsubscribeToken(current, customerId, channel));
      },
    },
  };
}
