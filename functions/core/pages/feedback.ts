/**
 * The feedback (NPS) pages. The link in the feedback email opens the question; the form posts the
 * number (and an optional comment) back to the same address; the answer thanks the customer and
 * offers to change it. Opening the page records nothing: mail scanners follow links too.
 */
import { COMMENT_MAX_LENGTH } from '../analytics/feedback.ts';
import { html, type Html, type PageContent, type ShopIdentity } from './html.ts';

export const NPS_SCORES: readonly number[] = Array.from({ length: 11 }, (_, score) => score);

export interface FeedbackForm {
  token: string;
  /** The number shown as chosen: `?score=` of a link that picked one, or the current answer. */
  selected?: number;
  comment?: string;
  /** The answer already recorded for this request, if any. */
  previous?: { score: number };
  /** Why the last post was refused, shown above the form. */
  error?: string;
}

export function feedbackQuestion(shop: ShopIdentity, form: FeedbackForm): PageContent {
  const scale = NPS_SCORES.map(
    (score) =>
      html`<li><label><input type="radio" name="score" value="${score}" required${score === form.selected ? html` checked` : html``}><span>${score}</span></label></li>`,
  );
  const answered = form.previous ? html`<p>You answered ${form.previous.score} before. Pick again to change your answer.</p>\n` : html``;
  const error = form.error ? html`<p class="error" role="alert">${form.error}</p>\n` : html``;
  return {
    title: 'How likely are you to recommend us?',
    main: html`${error}${answered}<form method="post" action="?token=${encodeURIComponent(form.token)}">
<fieldset aria-describedby="scale-hint">
<legend>How likely are you to recommend ${shop.name} to a friend or colleague?</legend>
<p class="hint" id="scale-hint">0 is not at all likely, 10 is extremely likely.</p>
<ul class="scale">
${joinLines(scale)}
</ul>
</fieldset>
<label class="comment" for="comment">Anything you would like to tell us? (optional)</label>
<textarea id="comment" name="comment" maxlength="${COMMENT_MAX_LENGTH}" rows="4">${form.comment ?? ''}</textarea>
<button type="submit">Send</button>
</form>`,
  };
}

export function feedbackThanks(shop: ShopIdentity, answer: { token: string; score: number; comment?: string; replaced: boolean }): PageContent {
  const comment = answer.comment ? html`<p>Your comment: “${answer.comment}”</p>\n` : html``;
  return {
    title: 'Thank you!',
    main: html`<p>${answer.replaced ? 'Your answer is changed to' : 'You answered'} ${answer.score} out of 10. It helps ${shop.name} get better.</p>
${comment}<p><a href="?token=${encodeURIComponent(answer.token)}">Change your answer</a></p>`,
  };
}

function joinLines(parts: readonly Html[]): Html {
  return { html: parts.map((part) => part.html).join('\n') };
}
