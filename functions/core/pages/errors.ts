/**
 * What a page says when a request cannot be served: a link that is not ours (cut off by the mail
 * program, edited, or signed with a secret that is gone), or any other error the edge maps to a
 * status. Readable words, never JSON.
 */
import { InvalidInputError } from '../errors.ts';
import { html, renderPage, type PageContent, type ShopIdentity } from './html.ts';

/** The token of a link does not verify. A 400 at the edge, whatever the verifier threw. */
export class InvalidLinkError extends InvalidInputError {}

/** Runs a token verifier; whatever it refuses becomes an InvalidLinkError naming the link. */
export function verifiedLink<T>(link: 'unsubscribe' | 'feedback', verify: () => T): T {
  try {
    return verify();
  } catch (error) {
    throw new InvalidLinkError(`the ${link} link is not valid`, [], { cause: error });
  }
}

export function errorPage(shop: ShopIdentity, status: number, detail: string, error?: unknown): PageContent {
  if (error instanceof InvalidLinkError) {
    return {
      title: 'This link does not work',
      main: html`<p>The link may have been cut short or changed on its way. Open it again from the message ${shop.name} sent you, or copy the whole address into the browser.</p>`,
    };
  }
  if (status >= 500) {
    return { title: 'Something went wrong', main: html`<p>We could not finish this just now. Please try again in a minute.</p>` };
  }
  return { title: 'This request cannot be served', main: html`<p>${detail}</p>` };
}

/** The error page of a shop as a whole document, in the shape the edge's errorPages middleware takes. */
export function errorDocument(shop: ShopIdentity): (status: number, detail: string, error: unknown) => string {
  return (status, detail, error) => renderPage(shop, errorPage(shop, status, detail, error));
}
