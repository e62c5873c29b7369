/**
 * Message templates: Handlebars files read from disk at first use, compiled once and cached.
 * One file per part: `<template>.subject.hbs` + `<template>.text.hbs` for email, `<template>.sms.hbs`
 * for SMS, `<template>.task.hbs` for a manager task (its first line is the task's title).
 *
 * Templates compile in strict mode, so a variable the journey step forgot throws instead of
 * printing nothing. Each file documents what it needs at the top, in a Handlebars comment with a
 * `needs:` line; those names are checked too, which also covers variables only used in blocks
 * such as {{#each products}} (strict mode does not check block parameters).
 * Output is plain text: nothing is HTML-escaped. An email's HTML part is made from its text by
 * render-html.ts inside the branded layout (layout.html).
 *
 * Languages (i18n.ts): a message with texts under messages/ places them with {{t "key" arg=value}},
 * in the customer's language; `money` and `date` write amounts and dates in the customer's locale
 * (and time zone), `list` joins items as the locale does ("a, b and c"), and `orderName` is what the customer knows the order as (the shop's order name,
 * such as Shopify's #1006, when the order carries one, else its id).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';
// In a Lambda bundle this is the precompiled templates' module (./template-compiling.ts).
import templateCompiler from '#core/delivery/template-compiler.ts';
import { TemplateError } from './errors.ts';
import { MessageCatalog, formatDate, formatList, formatMoney, messageLocale, type MessageLocale } from './i18n.ts';
import { renderHtml } from './render-html.ts';
import { MESSAGE_TEMPLATE_OPTIONS } from './template-compiling.ts';
import { defaultBrand, type Brand, type Channel, type RenderedMessage, type TemplateRenderer } from './types.ts';
import { knownTimeZone } from './zoned-time.ts';

/** The templates shipped with Comeback: workflows/templates at the repository root. */
export const defaultTemplatesDir = fileURLToPath(new URL('../../../workflows/templates/', import.meta.url));

/** Which files make up a message on each channel. */
export const templateParts: Record<Channel, readonly string[]> = {
  email: ['subject', 'text'],
  sms: ['sms'],
  task: ['task'],
};

interface CompiledPart {
  render: Handlebars.TemplateDelegate;
  needs: string[];
}

const handlebars = templateCompiler.createEnvironment();

/** What every helper knows of the rendering: the message, its language and the texts. */
interface RenderData {
  template: string;
  where: MessageLocale;
  catalog: MessageCatalog;
}

function renderData(options: Handlebars.HelperOptions): RenderData {
  return options.data as RenderData;
}

handlebars.registerHelper('money', (minor: unknown, currency: unknown, options: Handlebars.HelperOptions) => {
  if (typeof minor !== 'number' || typeof currency !== 'string') {
    throw new TemplateError('money needs an amount in minor units and a currency: {{money totalMinor currency}}');
  }
  return formatMoney(minor, currency, renderData(options).where.locale);
});

handlebars.registerHelper('date', function (this: unknown, iso: unknown, options: Handlebars.HelperOptions) {
  const at = typeof iso === 'string' ? new Date(iso) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new TemplateError('date needs an ISO timestamp: {{date order.placedAt}}');
  const root = options.data?.root as { customer?: { timezone?: string } } | undefined;
  return formatDate(at, renderData(options).where.locale, knownTimeZone(root?.customer?.timezone));
});

handlebars.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
  if (typeof key !== 'string') throw new TemplateError('t needs the name of a text: {{t "greeting" name=customer.name}}');
  const data = renderData(options);
  return data.catalog.format(data.template, key, data.where, options.hash as Record<string, unknown>);
});

// Products are listed by name (or SKU when the store gave none), anything else as it is.
handlebars.registerHelper('list', (items: unknown, options: Handlebars.HelperOptions) => {
  if (!Array.isArray(items)) throw new TemplateError('list needs an array: {{list categories}}');
  const names = items.map((item: unknown) => {
    if (typeof item === 'string' || typeof item === 'number') return String(item);
    const { name, sku } = (item ?? {}) as { name?: unknown; sku?: unknown };
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
    if (typeof sku === 'string') return sku;
    throw new TemplateError('list needs strings, or products with a name or sku');
  });
  return formatList(names, renderData(options).where.locale);
});

handlebars.registerHelper('orderName', (order: unknown) => {
  const { name, orderId } = (order ?? {}) as { name?: unknown; orderId?: unknown };
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  if (typeof orderId === 'string' || typeof orderId === 'number') return String(orderId);
  throw new TemplateError('orderName needs an order with an orderId: {{orderName order}}');
});

handlebars.registerHelper('plural', (count: unknown, singular: unknown, plural: unknown) => {
  if (typeof count !== 'number' || typeof singular !== 'string' || typeof plural !== 'string') {
    throw new TemplateError('plural needs a count and two words: {{plural orderCount "order" "orders"}}');
  }
  return `${count} ${count === 1 ? singular : plural}`;
});

/** The texts of the layout itself (the unsubscribe label), in messages/layout.<language>.json. */
const layoutMessages = 'layout';

export class TemplateLibrary implements TemplateRenderer {
  readonly directory: string;
  readonly brand: Brand;
  private readonly compiled = new Map<string, CompiledPart>();
  private readonly catalog: MessageCatalog;
  private layout: string | undefined;

  constructor(directory: string = defaultTemplatesDir, brand: Brand = defaultBrand) {
    this.directory = directory;
    this.brand = brand;
    this.catalog = new MessageCatalog(join(directory, 'messages'));
  }

  render(template: string, channel: Channel, given: Record<string, unknown>): RenderedMessage {
    // The shop's name for signatures; a journey's own `shop` variable would win.
    const variables: Record<string, unknown> = { shop: { name: this.brand.shopName }, ...given };
    const where = messageLocale((variables['customer'] as { locale?: string | null } | undefined)?.locale);
    const parts = Object.fromEntries(templateParts[channel].map((part) => [part, this.renderPart(template, part, variables, where)]));
    if (channel === 'email') {
      const subject = oneLine(parts['subject'] ?? '');
      const text = tidy(parts['text'] ?? '');
      return { subject, text, html: this.html(template, subject, text, variables, where) };
    }
    if (channel === 'sms') return { text: oneLine(parts['sms'] ?? '') };
    const [title = '', ...rest] = tidy(parts['task'] ?? '').split('\n');
    return { subject: title.trim(), text: tidy(rest.join('\n')) };
  }

  /** The variables a template part declares in its `needs:` line (for documentation and tests). */
  needs(template: string, part: string): string[] {
    return this.part(template, part).needs;
  }

  private html(template: string, subject: string, text: string, variables: Record<string, unknown>, where: MessageLocale): string {
    const url = (variables['links'] as { unsubscribe?: unknown } | undefined)?.unsubscribe;
    if (typeof url !== 'string') throw new TemplateError(`template ${template}: an email needs links.unsubscribe`);
    if (this.layout === undefined) {
      try {
        this.layout = readFileSync(join(this.directory, 'layout.html'), 'utf8');
      } catch (error) {
        throw new TemplateError(`the email layout layout.html cannot be read from ${this.directory}`, { cause: error });
      }
    }
    const label = this.catalog.format(layoutMessages, 'unsubscribe', where);
    return renderHtml(this.layout, { language: where.language, subject, text, brand: this.brand, unsubscribe: { url, label } });
  }

  private renderPart(template: string, part: string, variables: Record<string, unknown>, where: MessageLocale): string {
    const compiled = this.part(template, part);
    const missing = compiled.needs.filter((path) => lookup(variables, path) === undefined);
    if (missing.length > 0) {
      throw new TemplateError(`template ${template}.${part} needs ${missing.join(', ')}, which the journey step did not provide`);
    }
    try {
      const data: RenderData = { template, where, catalog: this.catalog };
      return compiled.render(variables, { data });
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(`template ${template}.${part}: ${error.message}`, { cause: error });
      throw new TemplateError(`template ${template}.${part} could not be rendered: ${(error as Error).message}`, { cause: error });
    }
  }

  private part(template: string, part: string): CompiledPart {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(template)) throw new TemplateError(`"${template}" is not a template name`);
    const file = `${template}.${part}.hbs`;
    let compiled = this.compiled.get(file);
    if (!compiled) {
      let source: string;
      try {
        source = readFileSync(join(this.directory, file), 'utf8');
      } catch (error) {
        throw new TemplateError(`template file ${file} cannot be read from ${this.directory}`, { cause: error });
      }
      try {
        compiled = { render: templateCompiler.compileTemplate(handlebars, source, MESSAGE_TEMPLATE_OPTIONS), needs: declaredNeeds(source) };
      } catch (error) {
        throw new TemplateError(`template file ${file} is not valid Handlebars: ${(error as Error).message}`, { cause: error });
      }
      this.compiled.set(file, compiled);
    }
    return compiled;
  }
}

/** The names on the `needs:` line of the template's leading comment; "-" or nothing means none. */
function declaredNeeds(source: string): string[] {
  const comment = /^\s*\{\{!--([\s\S]*?)--\}\}/.exec(source)?.[1] ?? '';
  const line = /^\s*needs:(.*)$/m.exec(comment)?.[1] ?? '';
  return line
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0 && name !== '-' && name !== 'nothing');
}

function lookup(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
