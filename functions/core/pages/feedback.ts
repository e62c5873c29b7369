/**
 * The feedback (NPS) pages. The link in the feedback email opens the question; the form posts the
 * number (and an optional comment) back to the same address; the answer thanks the customer and
 * offers to change it. Opening the page records nothing: mail scanners follow links too.
 */
import { COMMENT_MAX_LENGTH } from '../analytics/feedback.ts';
import type { MessageLocale } from '../delivery/i18n.ts';
import { html, type Html, type PageContent, type ShopIdentity } from './html.ts';
import { pageText, type PageTextKey } from './texts.ts';

export const NPS_SCORES: readonly number[] = Array.from({ length: 11 }, (_, score) => score);

export interface FeedbackForm {
  token: string;
  /** The number shown as chosen: `?score=` of a link that picked one, or the current answer. */
  selected?: number;
  comment?: string;
  /** The answer already recorded for this request, if any. */
  previous?: { score: number };
  /** Why the last post was refused, shown above the form. */
  error?: Extract<PageTextKey, 'feedbackPickNumber' | 'feedbackCommentTooLong'>;
}

export function feedbackQuestion(shop: ShopIdentity, form: FeedbackForm, where: MessageLocale): PageContent {
  const scale = NPS_SCORES.map(
    (score) =>
      html`<li><label><input type="radio" name="score" value="${score}" required${score === form.selected ? html` checked` : html``}><span>${score}</span></label></li>`,
  );
  const answered = form.previous ? html`<p>${pageText(where, 'feedbackPrevious', { score: form.previous.score })}</p>\n` : html``;
  const error = form.error ? html`<p class="error" role="alert">${pageText(where, form.error)}</p>\n` : html``;
  return {
    title: pageText(where, 'feedbackTitle'),
    main: html`${error}${answered}<form method="post" action="?token=${encodeURIComponent(form.token)}">
<fieldset aria-describedby="scale-hint">
<legend>${pageText(where, 'feedbackQuestion', { shop: shop.name })}</legend>
<p class="hint" id="scale-hint">${pageText(where, 'feedbackHint')}</p>
<ul class="scale">
${joinLines(scale)}
</ul>
</fieldset>
<label class="comment" for="comment">${pageText(where, 'feedbackComment')}</label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX_LENGTH}" rows="4">${form.comment ?? ''}</textarea>
<button type="submit">${pageText(where, 'feedbackSend')}</button>
</form>`,
  };
}

export function feedbackThanks(
  shop: ShopIdentity,
  answer: { token: string; score: number; comment?: string; replaced: boolean },
  where: MessageLocale,
): PageContent {
  const comment = answer.comment ? html`<p>${pageText(where, 'thanksComment', { comment: answer.comment })}</p>\n` : html``;
  return {
    title: pageText(where, 'thanksTitle'),
    main: html`<p>${pageText(where, answer.replaced ? 'thanksChanged' : 'thanksAnswered', { score: answer.score, shop: shop.name })}</p>
${comment}<p><a href="?token=${encodeURIComponent(answer.token)}">${pageText(where, 'thanksChange')}</a></p>`,
  };
}

function joinLines(parts: readonly Html[]): Html {
  return { html: parts.map((part) => part.html).join('\n') };
}
