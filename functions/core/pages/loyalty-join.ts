/**
 * The loyalty join pages. The link in the invitation opens the offer to join (GET changes nothing:
 * mail scanners and link previews follow links); its one button posts the form back to the same
 * address, and the answer welcomes the new member. A customer who has joined already is told since
 * when. In the customer's language.
 */
import type { MessageLocale } from '../delivery/i18n.ts';
import { html, type PageContent, type ShopIdentity } from './html.ts';
import { pageDate, pageText } from './texts.ts';

export interface JoinState {
  /** When she joined, if she has. */
  joinedAt: string | null;
  /** The points waiting for her (earned before joining). */
  points: number;
}

export function joinInvitation(shop: ShopIdentity, token: string, state: JoinState, where: MessageLocale): PageContent {
  if (state.joinedAt) return joinedPage(shop, state, where, 'before');
  const points = state.points > 0 ? html`<p>${pageText(where, 'joinPoints', { points: state.points })}</p>\n` : html``;
  return {
    title: pageText(where, 'joinTitle'),
    main: html`<p>${pageText(where, 'joinLead', { shop: shop.name })}</p>
${points}<form method="post" action="?token=${encodeURIComponent(token)}">
<button type="submit">${pageText(where, 'joinButton')}</button>
</form>`,
  };
}

export function joinedPage(shop: ShopIdentity, state: JoinState, where: MessageLocale, when: 'now' | 'before'): PageContent {
  const text = when === 'before' && state.joinedAt ? pageText(where, 'joinedBefore', { shop: shop.name, date: pageDate(where, state.joinedAt) }) : pageText(where, 'joinedNow', { shop: shop.name });
  return { title: pageText(where, 'joinedTitle'), main: html`<p>${text}</p>` };
}
