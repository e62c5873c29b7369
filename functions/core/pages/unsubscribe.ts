/**
 * The unsubscribe pages. The link in a message opens the confirmation (GET changes nothing: mail
 * scanners and link previews follow links), its one button posts the form back to the same
 * address, and the answer says what stopped and what goes on.
 */
import type { ContactChannel } from '../delivery/types.ts';
import { html, type PageContent, type ShopIdentity } from './html.ts';

const leaving: Record<ContactChannel, { what: string; still: string }> = {
  email: {
    what: 'marketing emails',
    still: 'Emails about your orders, such as confirmations and receipts, still reach you.',
  },
  sms: {
    what: 'marketing text messages',
    still: 'Text messages about your orders still reach you.',
  },
};

export function unsubscribeConfirmation(shop: ShopIdentity, channel: ContactChannel, token: string, optedOutAt?: string): PageContent {
  const { what, still } = leaving[channel];
  if (optedOutAt) {
    return {
      title: 'You are unsubscribed',
      main: html`<p>You unsubscribed from ${what} from ${shop.name} on ${day(optedOutAt)}. You get none from us any more.</p>
<p>${still}</p>`,
    };
  }
  return {
    title: `Unsubscribe from ${what}`,
    main: html`<p>Stop getting ${what} from ${shop.name}: offers, news and reminders.</p>
<p>${still}</p>
<form method="post" action="?token=${encodeURIComponent(token)}">
<button type="submit">Unsubscribe</button>
</form>`,
  };
}

export function unsubscribedPage(shop: ShopIdentity, channel: ContactChannel): PageContent {
  const { what, still } = leaving[channel];
  return {
    title: 'You are unsubscribed',
    main: html`<p>You will get no more ${what} from ${shop.name}.</p>
<p>${still}</p>`,
  };
}

/** `2026-06-01T09:00:00.000Z` as `1 June 2026` (UTC: the page does not know the reader's time zone). */
function day(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}
