/**
 * `preview <message> --customer <id> [--locale uk] [--out <dir>]`: renders a message as the
 * customer would get it, from their profile and newest order read through the admin API
 * (GET /v1/customers/{id}), with the shipped templates and the brand settings of this shell, and
 * writes the HTML and the text to files, printing their paths. Nothing is sent or logged.
 *
 * A journey's own variables (a discount code, the feedback link) are stood in for by examples
 * named as such; a message that needs something else says what, as its template does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { brandEnv, brandOf, readConfig, storefrontEnv } from '../../functions/config.ts';
import { templateVariables } from '../../functions/core/delivery/deliver.ts';
import { TemplateLibrary, defaultTemplatesDir, templateParts } from '../../functions/core/delivery/templates.ts';
import type { Channel, Contact } from '../../functions/core/delivery/types.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import type { Purchase } from '../../functions/core/purchase.ts';
import { fetchCustomer } from '../local/client.ts';

export class PreviewError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PreviewError';
  }
}

export interface PreviewOptions {
  url: string;
  adminToken: string;
  /** The brand settings (COMEBACK_LOGO_URL, ...); the shell's environment by default. */
  env?: NodeJS.ProcessEnv;
  templatesDir?: string;
  now?: Date;
}

export interface PreviewFiles {
  text: string;
  html?: string;
}

export async function runPreview(args: string[], options: PreviewOptions, stdout: (text: string) => void): Promise<PreviewFiles> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { customer: { type: 'string' }, locale: { type: 'string' }, out: { type: 'string' } },
  });
  const message = positionals[0];
  if (!message || !values.customer) throw new PreviewError('preview needs a message and a customer: preview <message> --customer <id> [--locale uk]');
  const templatesDir = options.templatesDir ?? defaultTemplatesDir;
  const channel = channelOf(templatesDir, message);

  const answer = await fetchCustomer(options.url, options.adminToken, values.customer);
  if (answer.status !== 200) throw new PreviewError(`GET /v1/customers/${values.customer} answered ${answer.status}`);
  const { profile, orders } = answer.body as { profile: CustomerProfile; orders: Purchase[] };
  const contact: Contact = { profile: { ...profile, ...(values.locale ? { locale: values.locale } : {}) }, preferences: { email: {}, sms: {} } };
  const now = options.now ?? new Date();
  const brand = brandOf(readConfig(brandEnv, options.env ?? process.env));
  const shopUrl = brand.shopUrl ?? 'https://shop.example.com';
  const [order] = orders;
  const examples = {
    shopUrl,
    supportContact: 'support@shop.example.com',
    // As a storefront would issue it at the send: valid for the store's COMEBACK_DISCOUNT_DAYS.
    discountCode: 'EXAMPLE-CODE',
    discountExpiresAt: new Date(now.getTime() + readConfig(storefrontEnv, options.env ?? process.env).COMEBACK_DISCOUNT_DAYS * 86_400_000).toISOString(),
    npsUrl: `${shopUrl}/feedback-example`,
    ...(order ? { order, products: order.items, categories: [...new Set(order.items.flatMap((item) => (item.category ? [item.category] : [])))] } : {}),
  };
  const unsubscribe = `${options.url}/v1/unsubscribe?token=preview`;
  const variables = templateVariables(contact, { variables: examples }, unsubscribe, now, { reason: 'preview', dueAt: now.toISOString() });
  const rendered = new TemplateLibrary(templatesDir, brand).render(message, channel, variables);

  const directory = resolve(values.out ?? '.');
  mkdirSync(directory, { recursive: true });
  const base = join(directory, `${message}.${values.customer.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  const files: PreviewFiles = { text: `${base}.txt` };
  writeFileSync(files.text, rendered.subject !== undefined ? `Subject: ${rendered.subject}\n\n${rendered.text}\n` : `${rendered.text}\n`);
  if (rendered.html !== undefined) {
    files.html = `${base}.html`;
    writeFileSync(files.html, rendered.html);
  }
  stdout(`${[files.html, files.text].filter((file) => file !== undefined).join('\n')}\n`);
  return files;
}

/** The channel a message is written for, by the template files that exist. */
function channelOf(templatesDir: string, message: string): Channel {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(message)) throw new PreviewError(`"${message}" is not a message name`);
  for (const [channel, parts] of Object.entries(templateParts) as [Channel, readonly string[]][]) {
    // The last part of each channel is the one only it has (text, sms, task).
    if (existsSync(join(templatesDir, `${message}.${parts.at(-1) ?? ''}.hbs`))) return channel;
  }
  throw new PreviewError(`there is no message "${message}" under ${templatesDir}`);
}
