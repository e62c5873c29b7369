/**
 * What a page says when a request cannot be served: a link that is not ours (cut off by the mail
 * program, edited, or signed with a secret that is gone), or any other error the edge maps to a
 * status. Readable words, never JSON.
 */
import type { MessageLocale } from '../delivery/i18n.ts';
import { InvalidInputError } from '../errors.ts';
import { html, renderPage, type PageContent, type ShopIdentity } from './html.ts';
import { pageLocale, pageText } from './texts.ts';

/** The token of a link does not verify. A 400 at the edge, whatever the verifier threw. */
export class InvalidLinkError extends InvalidInputError {
  override readonly name: string = 'InvalidLinkError';
}

/** Runs a token verifier; whatever it refuses becomes an InvalidLinkError naming the link. */
export function verifiedLink<T>(link: 'unsubscribe' | 'feedback' | 'join', verify: () => T): T {
  try {
    return verify();
  } catch (error) {
    throw new InvalidLinkError(`the ${link} link is not valid`, [], { cause: error });
  }
}

export function errorPage(shop: ShopIdentity, status: number, detail: string, error: unknown, where: MessageLocale): PageContent {
  if (error instanceof InvalidLinkError) {
    return { title: pageText(where, 'invalidLinkTitle'), main: html`<p>${pageText(where, 'invalidLink', { shop: shop.name })}</p>` };
  }
  if (status >= 500) return { title: pageText(where, 'failedTitle'), main: html`<p>${pageText(where, 'failed')}</p>` };
  // The detail is the validation's own (English) sentence: it names what was wrong exactly.
  return { title: pageText(where, 'refusedTitle'), main: html`<p>${detail}</p>` };
}

/**
 * The error page of a shop as a whole document, in the shape the edge's errorPages middleware takes.
 * No customer is known when a link fails, so the page speaks the browser's language.
 */
export function errorDocument(shop: ShopIdentity): (status: number, detail: string, error: unknown, acceptLanguage: string | undefined) => string {
  return (status, detail, error, acceptLanguage) => {
    const where = pageLocale(undefined, acceptLanguage);
    return renderPage(shop, errorPage(shop, status, detail, error, where), where);
  };
}
