/**
 * The language of a message. Texts live per message and language in
 * workflows/templates/messages/<message>.<language>.json, as ICU MessageFormat strings (plural,
 * select, number and date arguments work as in every ICU-based tool translators already use);
 * the Handlebars template of the message places them with {{t "key" name=value}}.
 *
 * The language follows the customer's profile locale (`uk-UA`, `de-DE`, `ru`): its language when
 * Comeback has texts in it, otherwise English. A text missing in the chosen language falls back
 * to the English one, key by key. Texts every message shares (the greeting, the signature, the
 * marketing footer) live once in messages/common.<language>.json: a message's own text of the same
 * key wins, and the shared text in the customer's language wins over a message's English one. Money and dates are formatted in the customer's own locale when
 * its language is one Comeback speaks, and in English otherwise, so a sentence and its amounts
 * always agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { formatMinorUnits } from '../money.ts';
import { TemplateError } from './errors.ts';

/** The languages Comeback ships texts in; the first is the fallback. */
export const languages = ['en', 'uk', 'ru', 'de'] as const;
export type Language = (typeof languages)[number];
export const fallbackLanguage: Language = 'en';

export interface MessageLocale {
  /** Which texts: a language Comeback ships. */
  language: Language;
  /** How numbers, money and dates look: a BCP 47 tag, e.g. `uk-UA`, or `en` on fallback. */
  locale: string;
}

/** The language and formatting locale for a profile's locale (missing, malformed or unknown: English). */
export function messageLocale(profileLocale: string | null | undefined): MessageLocale {
  const tag = canonical(profileLocale);
  const language = tag ? (languages as readonly string[]).find((known) => known === new Intl.Locale(tag).language) : undefined;
  return language ? { language: language as Language, locale: tag ?? language } : { language: fallbackLanguage, locale: fallbackLanguage };
}

function canonical(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/** An amount in minor units as the locale writes it in that currency: `1 234,50 ₴`, `54,97 €`, `$54.97`. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(Number(formatMinorUnits(minor, currency)));
}

/**
 * A date as the locale writes it, on the calendar of the given time zone. English without a region
 * (the fallback) writes the day first, "8 May 2026", which no reader takes for another day.
 */
export function formatDate(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { dateStyle: 'long', timeZone }).format(at);
}

/** The texts every message may use: messages/common.<language>.json. */
const sharedMessages = 'common';

/** Items as the locale lists them: "a, b and c", "a, b und c", "a, b та c". */
export function formatList(items: readonly string[], locale: string): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

type Catalog = Readonly<Record<string, string>>;

/** The texts of every message, read from one directory at first use and cached with their compiled formats. */
export class MessageCatalog {
  private readonly catalogs = new Map<string, Catalog | undefined>();
  private readonly formats = new Map<string, IntlMessageFormat>();

  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  /** The text `key` of `message` in the locale's language (or English), with its arguments filled in. */
  format(message: string, key: string, where: MessageLocale, values: Record<string, unknown> = {}): string {
    const found = this.find(message, key, where.language);
    if (!found) throw new TemplateError(`message ${message} has no text "${key}" in ${where.language} or ${fallbackLanguage}`);
    const cacheKey = `${found.message}\u0000${found.language}\u0000${key}\u0000${where.locale}`;
    let format = this.formats.get(cacheKey);
    if (!format) {
      try {
        format = new IntlMessageFormat(found.text, where.locale);
      } catch (error) {
        throw new TemplateError(`text "${key}" of ${found.message}.${found.language}.json is not ICU MessageFormat: ${(error as Error).message}`, { cause: error });
      }
      this.formats.set(cacheKey, format);
    }
    try {
      return String(format.format(values as Record<string, string | number | Date>));
    } catch (error) {
      throw new TemplateError(`text "${key}" of ${found.message}.${found.language}.json: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Whether the message has any texts at all (messages without a catalog are written in the template). */
  has(message: string): boolean {
    return this.catalog(message, fallbackLanguage) !== undefined;
  }

  private find(message: string, key: string, language: Language): { text: string; language: Language; message: string } | undefined {
    for (const candidate of language === fallbackLanguage ? [language] : [language, fallbackLanguage]) {
      for (const source of [message, sharedMessages]) {
        const text = this.catalog(source, candidate)?.[key];
        if (text !== undefined) return { text, language: candidate, message: source };
      }
    }
    return undefined;
  }

  private catalog(message: string, language: Language): Catalog | undefined {
    const file = `${message}.${language}.json`;
    if (this.catalogs.has(file)) return this.catalogs.get(file);
    let catalog: Catalog | undefined;
    let source: string | undefined;
    try {
      source = readFileSync(join(this.directory, file), 'utf8');
    } catch {
      source = undefined;
    }
    if (source !== undefined) {
      try {
        catalog = JSON.parse(source) as Catalog;
      } catch (error) {
        throw new TemplateError(`message texts ${file} are not valid JSON: ${(error as Error).message}`, { cause: error });
      }
      if (catalog === null || typeof catalog !== 'object' || Object.values(catalog).some((text) => typeof text !== 'string')) {
        throw new TemplateError(`message texts ${file} must be one JSON object of strings`);
      }
    }
    this.catalogs.set(file, catalog);
    return catalog;
  }
}
