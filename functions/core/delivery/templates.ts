/**
 * Message templates: Handlebars files read from disk at first use, compiled once and cached.
 * One file per part: `<template>.subject.hbs` + `<template>.text.hbs` for email, `<template>.sms.hbs`
 * for SMS, `<template>.task.hbs` for a manager task (its first line is the task's title).
 *
 * Templates compile in strict mode, so a variable the journey step forgot throws instead of
 * printing nothing. Each file documents what it needs at the top, in a Handlebars comment with a
 * `needs:` line; those names are checked too, which also covers variables only used in blocks
 * such as {{#each products}} (strict mode does not check block parameters).
 * Output is plain text: nothing is HTML-escaped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { formatMinorUnits } from '../money.ts';
import { TemplateError } from './errors.ts';
import type { Channel, RenderedMessage, TemplateRenderer } from './types.ts';
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

const handlebars = Handlebars.create();

handlebars.registerHelper('money', (minor: unknown, currency: unknown) => {
  if (typeof minor !== 'number' || typeof currency !== 'string') {
    throw new TemplateError('money needs an amount in minor units and a currency: {{money totalMinor currency}}');
  }
  const amount = Number(formatMinorUnits(minor, currency));
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
});

handlebars.registerHelper('date', function (this: unknown, iso: unknown, options: Handlebars.HelperOptions) {
  const at = typeof iso === 'string' ? new Date(iso) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new TemplateError('date needs an ISO timestamp: {{date order.placedAt}}');
  const root = options.data?.root as { customer?: { timezone?: string } } | undefined;
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: knownTimeZone(root?.customer?.timezone) }).format(at);
});

handlebars.registerHelper('plural', (count: unknown, singular: unknown, plural: unknown) => {
  if (typeof count !== 'number' || typeof singular !== 'string' || typeof plural !== 'string') {
    throw new TemplateError('plural needs a count and two words: {{plural orderCount "order" "orders"}}');
  }
  return `${count} ${count === 1 ? singular : plural}`;
});

export class TemplateLibrary implements TemplateRenderer {
  readonly directory: string;
  private readonly compiled = new Map<string, CompiledPart>();

  constructor(directory: string = defaultTemplatesDir) {
    this.directory = directory;
  }

  render(template: string, channel: Channel, variables: Record<string, unknown>): RenderedMessage {
    const parts = Object.fromEntries(templateParts[channel].map((part) => [part, this.renderPart(template, part, variables)]));
    if (channel === 'email') return { subject: oneLine(parts['subject'] ?? ''), text: tidy(parts['text'] ?? '') };
    if (channel === 'sms') return { text: oneLine(parts['sms'] ?? '') };
    const [title = '', ...rest] = tidy(parts['task'] ?? '').split('\n');
    return { subject: title.trim(), text: tidy(rest.join('\n')) };
  }

  /** The variables a template part declares in its `needs:` line (for documentation and tests). */
  needs(template: string, part: string): string[] {
    return this.part(template, part).needs;
  }

  private renderPart(template: string, part: string, variables: Record<string, unknown>): string {
    const compiled = this.part(template, part);
    const missing = compiled.needs.filter((path) => lookup(variables, path) === undefined);
    if (missing.length > 0) {
      throw new TemplateError(`template ${template}.${part} needs ${missing.join(', ')}, which the journey step did not provide`);
    }
    try {
      return compiled.render(variables);
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
        compiled = { render: handlebars.compile(source, { strict: true, noEscape: true }), needs: declaredNeeds(source) };
        // Compilation is lazy in Handlebars: force it now so syntax errors surface here.
        handlebars.precompile(source, { strict: true, noEscape: true });
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
