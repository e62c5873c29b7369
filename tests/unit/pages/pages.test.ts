/**
 * The customer pages as documents: the layout (language, viewport, no outside resources, a policy
 * matching the one stylesheet), what each page says, and escaping of everything that is not
 * markup of our own, by example and for any text fast-check can think of.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, UnauthorizedError } from '../../../functions/core/errors.ts';
import { errorPage, InvalidLinkError, verifiedLink } from '../../../functions/core/pages/errors.ts';
import { feedbackQuestion, feedbackThanks } from '../../../functions/core/pages/feedback.ts';
import { CONTENT_SECURITY_POLICY, escapeHtml, html, renderPage, shopNameFromUrl, STYLESHEET } from '../../../functions/core/pages/html.ts';
import { pageLocale } from '../../../functions/core/pages/texts.ts';
import { unsubscribeConfirmation, unsubscribedPage } from '../../../functions/core/pages/unsubscribe.ts';
import { messageLocale } from '../../../functions/core/delivery/i18n.ts';

const shop = { name: 'Paws & Co', url: 'https://shop.example.com/' };
const en = messageLocale('en');
const uk = messageLocale('uk-UA');
const hostile = `<script>alert("x")</script>' onmouseover="x" &amp;`;

const unescape = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity] ?? '');

describe('escaping', () => {
  it('turns the five HTML specials into entities and nothing else', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    expect(escapeHtml('Кіт ✓ 10%')).toBe('Кіт ✓ 10%');
  });

  it('leaves no special character and loses nothing, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it('escapes interpolated text in the html template, but not markup built with it', () => {
    const inner = html`<b>${hostile}</b>`;
    expect(html`<p>${inner}${['<i>', html`<i>`]}${7}</p>`.html).toBe(`<p><b>${escapeHtml(hostile)}</b>&lt;i&gt;<i>7</p>`);
  });
});

describe('the layout', () => {
  const document = renderPage(shop, { title: 'Hello', main: html`<p>Body</p>` }, en);

  it('is a whole document in English for a phone-width screen, named after the page and the shop', () => {
    expect(document.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(document).toContain('<meta charset="utf-8">');
    expect(document).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(document).toContain('<title>Hello · Paws &amp; Co</title>');
    expect(document).toContain('<h1>Hello</h1>');
    expect(document).toMatch(/<header>[\s\S]*<main>[\s\S]*<\/main>[\s\S]*<footer>/);
    expect(document).toContain('<a href="https://shop.example.com/">Back to Paws &amp; Co</a>');
  });

  it('loads nothing from anywhere: no script, no image, no external stylesheet or font', () => {
    expect(document).not.toMatch(/<script|<img|<link|<iframe|@import|url\(/i);
    expect(document.match(/src=/g)).toBeNull();
  });

  it('is allowed its one stylesheet by hash, and nothing else, by its policy', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(document)?.[1];
    expect(style).toBe(STYLESHEET);
    const hash = createHash('sha256').update(style!, 'utf8').digest('base64');
    expect(CONTENT_SECURITY_POLICY).toBe(`default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`);
  });

  it('keeps touch targets at least 48px (3rem) and shows focus', () => {
    expect(STYLESHEET).toMatch(/button\{[^}]*min-height:3rem/);
    expect(STYLESHEET).toMatch(/\.scale span\{[^}]*width:3rem;height:3rem/);
    expect(STYLESHEET).toContain(':focus-visible');
  });

  it('names a shop without a name by its host', () => {
    expect(shopNameFromUrl('https://www.paws.example/shop')).toBe('paws.example');
    expect(shopNameFromUrl('http://127.0.0.1:8080')).toBe('127.0.0.1');
  });
});

describe('the unsubscribe pages', () => {
  it('name the shop and what the customer leaves, with one button posting back with the token', () => {
    const page = renderPage(shop, unsubscribeConfirmation(shop, 'email', 'tok_EN-1', en), en);
    expect(page).toContain('<h1>Unsubscribe from marketing emails</h1>');
    expect(page).toContain('Stop getting marketing emails from Paws &amp; Co');
    expect(page).toContain('Emails about your orders, such as confirmations and receipts, still reach you.');
    expect(page).toContain('<form method="post" action="?token=tok_EN-1">');
    expect(page.match(/<button/g)).toHaveLength(1);
    expect(page).toContain('<button type="submit">Unsubscribe</button>');
  });

  it('say so when the customer already left, with no button', () => {
    const page = renderPage(shop, unsubscribeConfirmation(shop, 'sms', 'tok', en, '2026-06-01T09:00:00.000Z'), en);
    expect(page).toContain('You unsubscribed from marketing text messages from Paws &amp; Co on 1 June 2026.');
    expect(page).not.toContain('<form');
  });

  it('confirm the opt-out', () => {
    const page = renderPage(shop, unsubscribedPage(shop, 'sms', en), en);
    expect(page).toContain('<h1>You are unsubscribed</h1>');
    expect(page).toContain('You will get no more marketing text messages from Paws &amp; Co.');
  });
});

describe('the feedback pages', () => {
  it('ask the 0-10 question as one group of eleven labelled choices, a comment box and a button', () => {
    const page = renderPage(shop, feedbackQuestion(shop, { token: 'tok' }, en), en);
    expect(page).toContain('<form method="post" action="?token=tok">');
    expect(page).toContain('<legend>How likely are you to recommend Paws &amp; Co to a friend or colleague?</legend>');
    expect(page).toContain('<fieldset aria-describedby="scale-hint">');
    const choices = [...page.matchAll(/<label><input type="radio" name="score" value="(\d+)" required><span>(\d+)<\/span><\/label>/g)];
    expect(choices.map((choice) => [Number(choice[1]), Number(choice[2])])).toEqual(Array.from({ length: 11 }, (_, score) => [score, score]));
    expect(page).toContain('<label class="comment" for="comment">Anything you would like to tell us? (optional)</label>');
    expect(page).toContain('<textarea id="comment" name="comment" maxlength="2000" rows="4"></textarea>');
    expect(page).toContain('<button type="submit">Send</button>');
  });

  it('show the chosen number and the earlier answer, and what to fix', () => {
    const page = renderPage(shop, feedbackQuestion(shop, { token: 'tok', selected: 8, previous: { score: 6 }, comment: hostile, error: 'feedbackPickNumber' }, en), en);
    expect(page).toContain('value="8" required checked>');
    expect(page.match(/ checked/g)).toHaveLength(1);
    expect(page).toContain('You answered 6 before.');
    expect(page).toContain('<p class="error" role="alert">Pick a number from 0 to 10.</p>');
    expect(page).toContain(`rows="4">${escapeHtml(hostile)}</textarea>`);
  });

  it('thank the customer, quoting the answer, with a way to change it', () => {
    const page = renderPage(shop, feedbackThanks(shop, { token: 'tok', score: 9, comment: hostile, replaced: true }, en), en);
    expect(page).toContain('Your answer is changed to 9 out of 10.');
    expect(page).toContain(`Your comment: “${escapeHtml(hostile)}”`);
    expect(page).toContain('<a href="?token=tok">Change your answer</a>');
  });

  it('stay one document with one form and no script, whatever the shop, token and comment', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string({ maxLength: 2000 }), fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), (name, token, comment, selected) => {
        const evil = { name, url: 'https://shop.example.com/' };
        for (const page of [
          renderPage(evil, feedbackQuestion(evil, { token, comment, ...(selected !== undefined ? { selected } : {}) }, en), en),
          renderPage(evil, feedbackThanks(evil, { token, score: selected ?? 0, comment, replaced: false }, uk), uk),
          renderPage(evil, unsubscribeConfirmation(evil, 'email', token, uk), uk),
        ]) {
          expect(page).not.toMatch(/<script|<iframe|<img/i);
          expect(page.match(/<form/g)?.length ?? 0).toBeLessThanOrEqual(1);
          expect(page.match(/<\/title>/g)).toHaveLength(1);
          expect(page.match(/<\/textarea>/g)?.length ?? 0).toBe(page.match(/<textarea/g)?.length ?? 0);
          expect(page.match(/<textarea/g)?.length ?? 0).toBeLessThanOrEqual(1);
          expect(page).toContain(escapeHtml(name));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('pages for errors', () => {
  it('turn any refusal of a token into an invalid link, a 400 at the edge', () => {
    expect(() => verifiedLink('feedback', () => { throw new UnauthorizedError('nope'); })).toThrow(InvalidLinkError);
    expect(new InvalidLinkError('x')).toBeInstanceOf(InvalidInputError);
    expect(verifiedLink('feedback', () => 42)).toBe(42);
  });

  it('say in words what went wrong, never the internals of a server error', () => {
    expect(errorPage(shop, 400, 'detail', new InvalidLinkError('the feedback link is not valid'), en).title).toBe('This link does not work');
    expect(errorPage(shop, 500, 'the request could not be processed', undefined, en).main.html).not.toContain('processed');
    expect(errorPage(shop, 415, `the body must be <form>`, undefined, en).main.html).toBe('<p>the body must be &lt;form&gt;</p>');
    expect(errorPage(shop, 400, 'detail', new InvalidLinkError('x'), uk).title).toBe('Це посилання не працює');
  });
});

describe('the language of a page', () => {
  it.each([
    // profile locale, Accept-Language, the page's language
    ['uk-UA', 'en-US,en;q=0.9', 'uk'],
    ['de-AT', undefined, 'de'],
    ['en-GB', 'uk', 'en'],
    ['fr-FR', 'fr-FR,ru;q=0.8,en;q=0.5', 'ru'],
    [undefined, 'pl,de-CH;q=0.4,uk;q=0.7', 'uk'],
    [undefined, 'en-US,uk;q=0.9', 'en'],
    [undefined, '*', 'en'],
    [undefined, 'uk;q=0, de', 'de'],
    [undefined, 'not a header;;;q=x', 'en'],
    [null, undefined, 'en'],
  ])('profile %s, browser %s: %s', (profile, accept, language) => {
    expect(pageLocale(profile, accept).language).toBe(language);
  });

  it('writes the whole page in Ukrainian for a Ukrainian customer, the date too', () => {
    const before = renderPage(shop, unsubscribeConfirmation(shop, 'email', 'tok', uk, '2026-06-01T09:00:00.000Z'), uk);
    const form = renderPage(shop, unsubscribeConfirmation(shop, 'email', 'tok', uk), uk);
    const question = renderPage(shop, feedbackQuestion(shop, { token: 'tok', previous: { score: 6 } }, uk), uk);
    const thanks = renderPage(shop, feedbackThanks(shop, { token: 'tok', score: 9, comment: 'Дуже добре', replaced: false }, uk), uk);

    expect(before.startsWith('<!doctype html>\n<html lang="uk">')).toBe(true);
    expect(before).toContain('Ви відписалися від рекламних листів Paws &amp; Co 1 червня 2026 р.');
    expect(form).toContain('<button type="submit">Відписатися</button>');
    expect(form).toContain('Повернутися до Paws &amp; Co');
    expect(question).toContain('<legend>Наскільки ймовірно, що ви порекомендуєте Paws &amp; Co другові чи колезі?</legend>');
    expect(question).toContain('Раніше ви відповіли 6.');
    expect(thanks).toContain('Ваша оцінка: 9 з 10.');
    expect(thanks).toContain('Ваш коментар: «Дуже добре»');
    for (const page of [before, form, question, thanks]) expect(page).not.toMatch(/\b(the|you|your|from)\b/i);
  });
});
