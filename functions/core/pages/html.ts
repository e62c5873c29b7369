/**
 * The pages a customer opens from a message (unsubscribe, feedback): one layout, one stylesheet,
 * nothing loaded from elsewhere. Every value that did not come from this file is escaped with
 * `escapeHtml`, and the layout only takes `Html` (already escaped or built here), so an unescaped
 * string cannot reach a page by accident.
 *
 * The Content-Security-Policy allows no script, no image, no frame and no other origin: only the
 * stylesheet below (by its hash) and forms posting back to the page's own origin. Links carry
 * signed tokens in their query, so the pages never send a Referer.
 */
import { createHash } from 'node:crypto';
import type { MessageLocale } from '../delivery/i18n.ts';
import { pageText } from './texts.ts';

/** Markup that is safe to put into a page as it is. */
export interface Html {
  readonly html: string;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}

/**
 * A template literal that escapes every interpolated value, except `Html` (already safe) and arrays
 * of either (joined without a separator).
 */
export function html(strings: TemplateStringsArray, ...values: readonly (string | number | Html | readonly (string | number | Html)[])[]): Html {
  const render = (value: string | number | Html): string => (typeof value === 'object' ? value.html : escapeHtml(String(value)));
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += Array.isArray(value) ? value.map(render).join('') : render(value as string | number | Html);
    out += strings[index + 1] ?? '';
  });
  return { html: out };
}

/**
 * System fonts, one column at most 36rem wide, touch targets of at least 48px, a visible focus
 * ring, and the operating system's dark mode. The 0-10 scale wraps onto two rows on a phone.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#55565e;--accent:#1d4ed8;--accent-fg:#fff;--line:#8a8b93;--error:#b42318}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#16161a;--muted:#b4b5bd;--accent:#8fb0ff;--accent-fg:#0b1020;--line:#6b6c74;--error:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:36rem;margin:0 auto;padding:1rem 1.25rem}
header p{margin:0;font-weight:600;color:var(--muted)}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
p{margin:0 0 1rem}
a{color:var(--accent)}
button{font:inherit;font-weight:600;min-height:3rem;min-width:3rem;padding:.75rem 1.5rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-fg);cursor:pointer}
button:focus-visible,a:focus-visible,textarea:focus-visible,.scale input:focus-visible+span{outline:3px solid var(--accent);outline-offset:2px}
fieldset{border:0;margin:0 0 1.25rem;padding:0}
legend{font-weight:600;margin-bottom:.25rem;padding:0}
.hint{color:var(--muted);font-size:.9375rem;margin:0 0 .75rem}
.scale{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none}
.scale label{position:relative;display:block}
.scale input{position:absolute;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:flex;align-items:center;justify-content:center;width:3rem;height:3rem;border:2px solid var(--line);border-radius:.5rem;font-weight:600}
.scale input:checked+span{background:var(--accent);border-color:var(--accent);color:var(--accent-fg)}
label.comment{display:block;font-weight:600;margin-bottom:.25rem}
textarea{display:block;width:100%;min-height:6rem;font:inherit;padding:.5rem;border:2px solid var(--line);border-radius:.5rem;background:var(--bg);color:var(--fg);margin-bottom:1.25rem}
.error{color:var(--error);font-weight:600}
`.trim();

const styleHash = createHash('sha256').update(STYLESHEET, 'utf8').digest('base64');

/** The policy every page is served with: the stylesheet above and same-origin form posts, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${styleHash}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The shop as pages name and link it. */
export interface ShopIdentity {
  name: string;
  url: string;
}

export interface PageContent {
  title: string;
  main: Html;
}

/** A whole document in the page's language: the shop's name on top, the content, a link back to the shop. */
export function renderPage(shop: ShopIdentity, content: PageContent, where: MessageLocale): string {
  return html`<!doctype html>
<html lang="${where.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${content.title} · ${shop.name}</title>
<style>${{ html: STYLESHEET }}</style>
</head>
<body>
<header><p>${shop.name}</p></header>
<main>
<h1>${content.title}</h1>
${content.main}
</main>
<footer><p><a href="${shop.url}">${pageText(where, 'backTo', { shop: shop.name })}</a></p></footer>
</body>
</html>
`.html;
}

/** The name pages show when the store set none: the shop's host name without `www.`. */
export function shopNameFromUrl(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}
