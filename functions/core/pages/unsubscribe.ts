/**
 * The unsubscribe pages. The link in a message opens the confirmation (GET changes nothing: mail
 * scanners and link previews follow links), its one button posts the form back to the same
 * address, and the answer says what stopped and what goes on. In the customer's language.
 */
import type { MessageLocale } from '../delivery/i18n.ts';
import type { ContactChannel } from '../delivery/types.ts';
import { html, type PageContent, type ShopIdentity } from './html.ts';
import { pageDate, pageText, type PageTextKey } from './texts.ts';

/** The texts that name the channel the customer leaves, per channel. */
const channelTexts: Record<ContactChannel, { title: PageTextKey; lead: PageTextKey; still: PageTextKey; before: PageTextKey; now: PageTextKey }> = {
  email: { title: 'unsubscribeTitleEmail', lead: 'unsubscribeLeadEmail', still: 'stillEmail', before: 'unsubscribedBeforeEmail', now: 'unsubscribedNowEmail' },
  sms: { title: 'unsubscribeTitleSms', lead: 'unsubscribeLeadSms', still: 'stillSms', before: 'unsubscribedBeforeSms', now: 'unsubscribedNowSms' },
};

export function unsubscribeConfirmation(shop: ShopIdentity, channel: ContactChannel, token: string, where: MessageLocale, optedOutAt?: string): PageContent {
  const texts = channelTexts[channel];
  const still = pageText(where, texts.still);
  if (optedOutAt) {
    return {
      title: pageText(where, 'unsubscribedTitle'),
      main: html`<p>${pageText(where, texts.before, { shop: shop.name, date: pageDate(where, optedOutAt) })}</p>
<p>${still}</p>`,
    };
  }
  return {
    title: pageText(where, texts.title),
    main: html`<p>${pageText(where, texts.lead, { shop: shop.name })}</p>
<p>${still}</p>
<form method="post" action="?token=${encodeURIComponent(token)}">
<button type="submit">${pageText(where, 'unsubscribeButton')}</button>
</form>`,
  };
}

export function unsubscribedPage(shop: ShopIdentity, channel: ContactChannel, where: MessageLocale): PageContent {
  const texts = channelTexts[channel];
  return {
    title: pageText(where, 'unsubscribedTitle'),
    main: html`<p>${pageText(where, texts.now, { shop: shop.name })}</p>
<p>${pageText(where, texts.still)}</p>`,
  };
}
